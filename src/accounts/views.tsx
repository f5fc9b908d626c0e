import type { SiteConfig } from '../config/site.js';
import { ConsoleLayout } from '../console/layout.js';
import { ErrorSummary, Hidden, TextField, type FieldState } from '../web/forms.js';

interface FormPage extends FieldState {
  site: SiteConfig;
  csrf: string;
  message?: string | undefined;
}

const loginLabels = { email: 'Email address', password: 'Password' };

export function LoginPage(p: FormPage & { next?: string | undefined }) {
  return (
    <ConsoleLayout site={p.site} title="Sign in" staff={null}>
      <section class="console-narrow">
        <h1>Sign in</h1>
        <p>{`Staff sign-in for the ${p.site.company.name} console.`}</p>
        <ErrorSummary state={p} labels={loginLabels} message={p.message} />
        <form class="console-form" method="post" action="/console/login" novalidate>
          <input type="hidden" name="_csrf" value={p.csrf} />
          <Hidden name="next" value={p.next} />
          <TextField
            name="email"
            label={loginLabels.email}
            type="email"
            autocomplete="username"
            state={p}
            maxLength={320}
          />
          <TextField
            name="password"
            label={loginLabels.password}
            type="password"
            autocomplete="current-password"
            state={p}
            maxLength={1024}
          />
          <button class="console-button" type="submit">
            Sign in
          </button>
        </form>
        <p class="console-note">
          Forgotten your password? Ask an administrator to reset it. After 5 wrong attempts the
          account is locked for 15 minutes.
        </p>
      </section>
    </ConsoleLayout>
  );
}

const setupLabels = {
  email: 'Your email address',
  password: 'Choose a password',
  passwordConfirm: 'Type the password again',
};

export function SetupPage(p: FormPage & { token: string }) {
  return (
    <ConsoleLayout site={p.site} title="Create the first administrator" staff={null}>
      <section class="console-narrow">
        <h1>Create the first administrator</h1>
        <p>
          This one-time link creates the administrator account for this installation. It works once
          and expires one hour after the server printed it.
        </p>
        <ErrorSummary state={p} labels={setupLabels} message={p.message} />
        <form class="console-form" method="post" action={`/setup/${p.token}`} novalidate>
          <input type="hidden" name="_csrf" value={p.csrf} />
          <TextField
            name="email"
            label={setupLabels.email}
            type="email"
            autocomplete="username"
            state={p}
            maxLength={320}
          />
          <TextField
            name="password"
            label={setupLabels.password}
            type="password"
            autocomplete="new-password"
            hint="12 to 256 characters. A few unrelated words make a strong password that is easy to type."
            state={p}
            maxLength={1024}
          />
          <TextField
            name="passwordConfirm"
            label={setupLabels.passwordConfirm}
            type="password"
            autocomplete="new-password"
            state={p}
            maxLength={1024}
          />
          <button class="console-button" type="submit">
            Create administrator
          </button>
        </form>
      </section>
    </ConsoleLayout>
  );
}

export function SetupInvalidPage({ site }: { site: SiteConfig }) {
  return (
    <ConsoleLayout site={site} title="Setup link no longer valid" staff={null}>
      <section class="console-narrow">
        <h1>This setup link is no longer valid</h1>
        <p role="alert">
          Setup links work once and expire after one hour. This one has been used, has expired, or
          an administrator already exists.
        </p>
        <h2>How to get a new one</h2>
        <ul>
          <li>
            If no staff account exists yet, restart the server: it prints a fresh setup link in its
            terminal.
          </li>
          <li>
            Or create an account from the command line on the server:{' '}
            <code>npx starspmb user create</code>
          </li>
          <li>
            If an administrator already exists, <a href="/console/login">sign in</a> or ask them to
            create your account.
          </li>
        </ul>
      </section>
    </ConsoleLayout>
  );
}
