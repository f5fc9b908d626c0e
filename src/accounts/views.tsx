import type { ComponentChildren } from 'preact';
import type { SiteConfig } from '../config/site.js';
import { ConsoleLayout } from '../console/layout.js';
import { secretLink } from '../privacy/secret-paths.js';
import { ErrorSummary, Hidden, TextField, type FieldState } from '../web/forms.js';
import { passwordHint } from './passwords.js';

interface FormPage extends FieldState {
  site: SiteConfig;
  csrf: string;
  message?: string | undefined;
}

/** The sign-in and setup pages: a narrow column, a heading, what it is for, then one form. */
export function AccountFormPage(
  p: FormPage & {
    title: string;
    intro: ComponentChildren;
    labels: Record<string, string>;
    action: string;
    submit: string;
    children: ComponentChildren;
    after?: ComponentChildren;
  },
) {
  return (
    <ConsoleLayout site={p.site} title={p.title} staff={null}>
      <section class="console-narrow">
        <h1>{p.title}</h1>
        {p.intro}
        <ErrorSummary state={p} labels={p.labels} message={p.message} />
        <form class="console-form" method="post" action={p.action} novalidate>
          <input type="hidden" name="_csrf" value={p.csrf} />
          {p.children}
          <button class="console-button" type="submit">
            {p.submit}
          </button>
        </form>
        {p.after}
      </section>
    </ConsoleLayout>
  );
}

const EmailField = (p: { label: string; state: FieldState }) => (
  <TextField
    name="email"
    label={p.label}
    type="email"
    autocomplete="username"
    state={p.state}
    maxLength={320}
  />
);

export const PasswordField = (p: {
  name: string;
  label: string;
  state: FieldState;
  autocomplete: 'current-password' | 'new-password';
  hint?: string;
}) => <TextField {...p} type="password" maxLength={1024} />;

/** A new password and the same typed again, as every form that sets one asks. */
export const NewPasswordFields = (p: {
  labels: { password: string; passwordConfirm: string };
  state: FieldState;
}) => (
  <>
    <PasswordField
      name="password"
      label={p.labels.password}
      autocomplete="new-password"
      hint={passwordHint}
      state={p.state}
    />
    <PasswordField
      name="passwordConfirm"
      label={p.labels.passwordConfirm}
      autocomplete="new-password"
      state={p.state}
    />
  </>
);

const loginLabels = { email: 'Email address', password: 'Password' };

export function LoginPage(p: FormPage & { next?: string | undefined }) {
  return (
    <AccountFormPage
      {...p}
      title="Sign in"
      intro={<p>{`Staff sign-in for the ${p.site.company.name} console.`}</p>}
      labels={loginLabels}
      action="/console/login"
      submit="Sign in"
      after={
        <p class="console-note">
          <a href="/console/forgot-password">Forgot your password?</a> We email you a link to choose
          a new one. After 5 failed attempts from one network, sign-in from there pauses for 15
          minutes and the owner of the account is emailed.
        </p>
      }
    >
      <Hidden name="next" value={p.next} />
      <EmailField label={loginLabels.email} state={p} />
      <PasswordField
        name="password"
        label={loginLabels.password}
        autocomplete="current-password"
        state={p}
      />
    </AccountFormPage>
  );
}

const setupLabels = {
  email: 'Your email address',
  password: 'Choose a password',
  passwordConfirm: 'Type the password again',
};

export function SetupPage(p: FormPage & { token: string }) {
  return (
    <AccountFormPage
      {...p}
      title="Create the first administrator"
      intro={
        <p>
          This one-time link creates the administrator account for this installation. It works once
          and expires one hour after the server printed it.
        </p>
      }
      labels={setupLabels}
      action={secretLink('accountSetup', p.token)}
      submit="Create administrator"
    >
      <EmailField label={setupLabels.email} state={p} />
      <NewPasswordFields labels={setupLabels} state={p} />
    </AccountFormPage>
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
