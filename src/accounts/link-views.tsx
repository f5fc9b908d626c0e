import type { ComponentChildren } from 'preact';
import type { SiteConfig } from '../config/site.js';
import { ConsoleLayout, roleLabels } from '../console/layout.js';
import type { StaffRole } from '../db/schema.js';
import { secretLink } from '../privacy/secret-paths.js';
import { TextField, type FieldState } from '../web/forms.js';
import { AccountFormPage, NewPasswordFields } from './views.js';

// The pages a signed-out person reaches: "forgot password", the pages behind a reset or
// invitation link, and the one that says a link no longer works and what to do instead.

interface FormPage extends FieldState {
  site: SiteConfig;
  csrf: string;
  message?: string | undefined;
}

const forgotLabels = { email: 'Email address' };

export function ForgotPasswordPage(p: FormPage) {
  return (
    <AccountFormPage
      {...p}
      title="Forgot your password?"
      intro={
        <p>
          Enter the email address of your staff account. If it has one, we email it a link to choose
          a new password. The link works once, for 30 minutes.
        </p>
      }
      labels={forgotLabels}
      action="/console/forgot-password"
      submit="Email me a link"
      after={
        <p class="console-note">
          <a href="/console/login">Back to sign in</a>
        </p>
      }
    >
      <TextField
        name="email"
        label={forgotLabels.email}
        type="email"
        autocomplete="username"
        state={p}
        maxLength={320}
      />
    </AccountFormPage>
  );
}

/** The same page for every address, known or not: it says what happens if there is an account. */
export function ForgotSentPage({ site }: { site: SiteConfig }) {
  return (
    <Message site={site} title="Check your email">
      <p role="status">
        If that address belongs to a staff account, we have sent it a link to choose a new password.
        It works once, for 30 minutes.
      </p>
      <p>
        Nothing arrived after a few minutes? Check the spam folder and the address you typed, then{' '}
        <a href="/console/forgot-password">ask again</a>, or ask an administrator to send you a
        link.
      </p>
    </Message>
  );
}

const resetLabels = { password: 'New password', passwordConfirm: 'Type the new password again' };

export function ResetPasswordPage(p: FormPage & { token: string; email: string }) {
  return (
    <AccountFormPage
      {...p}
      title="Choose a new password"
      intro={
        <p>
          {`For the staff account ${p.email}. Saving it signs this account out everywhere; then sign in with the new password.`}
        </p>
      }
      labels={resetLabels}
      action={secretLink('passwordReset', p.token)}
      submit="Save the new password"
    >
      <input type="text" name="username" value={p.email} autocomplete="username" hidden readOnly />
      <NewPasswordFields labels={resetLabels} state={p} />
    </AccountFormPage>
  );
}

const inviteLabels = {
  name: 'Your name',
  password: 'Choose a password',
  passwordConfirm: 'Type the password again',
};

export function AcceptInvitationPage(
  p: FormPage & { token: string; email: string; role: StaffRole },
) {
  return (
    <AccountFormPage
      {...p}
      title="Set up your staff account"
      intro={
        <p>
          {`You were invited as ${roleLabels[p.role]}, with the email address ${p.email}. Choose your password to finish; then sign in.`}
        </p>
      }
      labels={inviteLabels}
      action={secretLink('staffInvitation', p.token)}
      submit="Set up my account"
    >
      <input type="text" name="username" value={p.email} autocomplete="username" hidden readOnly />
      <TextField
        name="name"
        label={inviteLabels.name}
        autocomplete="name"
        state={p}
        maxLength={100}
      />
      <NewPasswordFields labels={inviteLabels} state={p} />
    </AccountFormPage>
  );
}

export function LinkDonePage({
  site,
  title,
  text,
}: {
  site: SiteConfig;
  title: string;
  text: string;
}) {
  return (
    <Message site={site} title={title}>
      <p role="status">{text}</p>
      <p>
        <a class="console-button" href="/console/login">
          Sign in
        </a>
      </p>
    </Message>
  );
}

export function LinkInvalidPage({ site, kind }: { site: SiteConfig; kind: 'reset' | 'invite' }) {
  const reset = kind === 'reset';
  return (
    <Message site={site} title="This link is no longer valid">
      <p role="alert">
        {reset
          ? 'Password reset links work once, for 30 minutes. This one has been used, has expired, was replaced by a newer one, or is incomplete. Nothing was changed.'
          : 'Invitation links work once, for 72 hours. This one has been used, has expired, was replaced by a newer one, or is incomplete. Nothing was changed.'}
      </p>
      <h2>What you can do</h2>
      <ul>
        {reset ? (
          <li>
            <a href="/console/forgot-password">Ask for a new reset link</a>, and use the newest
            email you receive.
          </li>
        ) : (
          <li>Ask the administrator who invited you to send a new invitation.</li>
        )}
        <li>
          If you already chose a password, <a href="/console/login">sign in</a>.
        </li>
      </ul>
    </Message>
  );
}

function Message(p: { site: SiteConfig; title: string; children: ComponentChildren }) {
  return (
    <ConsoleLayout site={p.site} title={p.title} staff={null}>
      <section class="console-narrow">
        <h1>{p.title}</h1>
        {p.children}
      </section>
    </ConsoleLayout>
  );
}
