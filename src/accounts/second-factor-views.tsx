import type { ComponentChildren } from 'preact';
import type { SiteConfig } from '../config/site.js';
import { ConsoleLayout, type ConsoleFrame } from '../console/layout.js';
import { ErrorSummary, Hidden, TextField, type FieldState } from '../web/forms.js';
import type { StaffUser } from './service.js';

// The second factor's pages: the code after the password, its setup (QR code, the secret as
// text, a code to confirm), the recovery codes shown once, the account's security page and the
// confirmation asked before sensitive actions.

interface Form extends FieldState {
  site: SiteConfig;
  csrf: string;
  message?: string | undefined;
}

function Narrow(p: {
  site: SiteConfig;
  staff: StaffUser | null;
  csrf: string;
  title: string;
  children: ComponentChildren;
}) {
  return (
    <ConsoleLayout site={p.site} title={p.title} staff={p.staff} csrf={p.csrf}>
      <section class="console-narrow">
        <h1>{p.title}</h1>
        {p.children}
      </section>
    </ConsoleLayout>
  );
}

const codeLabels = { code: 'Code' };

const CodeField = (p: { state: FieldState; hint: string; name?: string; label?: string }) => (
  <TextField
    name={p.name ?? 'code'}
    label={p.label ?? codeLabels.code}
    autocomplete="one-time-code"
    hint={p.hint}
    state={p.state}
    maxLength={40}
  />
);

/** A way out of a sign-in half done: signs out, back to the password. */
const StartAgain = ({ csrf }: { csrf: string }) => (
  <form method="post" action="/console/logout">
    <input type="hidden" name="_csrf" value={csrf} />
    <button class="console-button secondary" type="submit">
      Cancel and sign in again
    </button>
  </form>
);

export function CodePage(p: Form & { next?: string | undefined }) {
  return (
    <Narrow site={p.site} staff={null} csrf={p.csrf} title="Enter your code">
      <p>Open your authenticator app and enter the 6-digit code it shows for this console.</p>
      <ErrorSummary state={p} labels={codeLabels} message={p.message} />
      <form class="console-form" method="post" action="/console/login/code" novalidate>
        <input type="hidden" name="_csrf" value={p.csrf} />
        <Hidden name="next" value={p.next} />
        <CodeField
          state={p}
          hint="6 digits. Without your phone, type one of your recovery codes instead (each works once)."
        />
        <button class="console-button" type="submit">
          Continue
        </button>
      </form>
      <StartAgain csrf={p.csrf} />
    </Narrow>
  );
}

export interface Enrolment {
  token: string;
  secret: string;
  qr: string;
}

/** The secret in groups of four, easier to type into an app by hand. */
const grouped = (secret: string) => secret.replace(/(.{4})(?=.)/g, '$1 ');

export function EnrolPage(p: Form & { staff: StaffUser; required: boolean; enrolment: Enrolment }) {
  return (
    <Narrow
      site={p.site}
      staff={p.required ? null : p.staff}
      csrf={p.csrf}
      title="Set up two-step sign-in"
    >
      {p.required ? (
        <p class="console-alert">
          Your role needs two-step sign-in before you can use the console: set it up now.
        </p>
      ) : null}
      <ol>
        <li>Install an authenticator app on your phone if you do not have one.</li>
        <li>In the app, add an account by scanning this QR code, or type in the key below.</li>
        <li>Enter the 6-digit code the app shows, to confirm.</li>
      </ol>
      <img
        class="totp-qr"
        src={p.enrolment.qr}
        width={200}
        height={200}
        alt="QR code holding the key shown below, for your authenticator app"
      />
      <p>
        Key (time-based, 6 digits, 30 seconds):{' '}
        <code id="totp-secret" data-secret={p.enrolment.secret}>
          {grouped(p.enrolment.secret)}
        </code>
      </p>
      <ErrorSummary state={p} labels={codeLabels} message={p.message} />
      <form
        class="console-form"
        method="post"
        action="/console/account/two-factor/enrol"
        novalidate
      >
        <input type="hidden" name="_csrf" value={p.csrf} />
        <input type="hidden" name="enrolment" value={p.enrolment.token} />
        <CodeField state={p} hint="The 6 digits your app shows now." />
        <button class="console-button" type="submit">
          Turn on two-step sign-in
        </button>
      </form>
      {p.required ? <StartAgain csrf={p.csrf} /> : null}
    </Narrow>
  );
}

export function RecoveryCodesPage(p: ConsoleFrame & { codes: string[]; next: string }) {
  return (
    <Narrow site={p.site} staff={p.staff} csrf={p.csrf} title="Your recovery codes">
      <p class="console-alert" role="status">
        Two-step sign-in is on. Keep these ten recovery codes somewhere safe, away from your phone:
        each signs you in once if you lose it. They are shown only now.
      </p>
      <ul class="recovery-codes" id="recovery-codes">
        {p.codes.map((c) => (
          <li>
            <code>{c}</code>
          </li>
        ))}
      </ul>
      <p>
        <a class="console-link-button" href={p.next}>
          I have saved them, continue
        </a>
      </p>
    </Narrow>
  );
}

export function SecurityPage(
  p: ConsoleFrame & {
    enabled: boolean;
    required: boolean;
    recoveryLeft: number;
    done?: string | undefined;
  },
) {
  return (
    <Narrow site={p.site} staff={p.staff} csrf={p.csrf} title="Your account">
      {p.done ? (
        <p class="console-alert" role="status">
          {p.done}
        </p>
      ) : null}
      <h2>Two-step sign-in</h2>
      {p.enabled ? (
        <>
          <p>
            On: sign-in asks for a code from your authenticator app after your password.{' '}
            {`${p.recoveryLeft} of 10 recovery codes left.`}
          </p>
          <form method="post" action="/console/account/two-factor/recovery-codes">
            <input type="hidden" name="_csrf" value={p.csrf} />
            <button class="console-button secondary" type="submit">
              Make new recovery codes
            </button>
          </form>
          {p.required ? (
            <p class="console-note">
              Your role requires two-step sign-in: it cannot be turned off.
            </p>
          ) : (
            <form method="post" action="/console/account/two-factor/disable">
              <input type="hidden" name="_csrf" value={p.csrf} />
              <button class="console-button secondary" type="submit">
                Turn off two-step sign-in
              </button>
            </form>
          )}
        </>
      ) : (
        <>
          <p>
            Off: your password alone signs you in. A code from your phone makes a stolen password
            useless.
          </p>
          <p>
            <a class="console-link-button" href="/console/account/two-factor/enrol">
              Set up two-step sign-in
            </a>
          </p>
        </>
      )}
      <h2>Where you are signed in</h2>
      <p>
        <a href="/console/account/sessions">Your sessions</a>: the devices signed in to your
        account, and a way to sign them out.
      </p>
    </Narrow>
  );
}

const proofLabels = { proof: 'Code' };

export function ConfirmPage(p: Form & { staff: StaffUser; withCode: boolean; next: string }) {
  const labels = p.withCode ? proofLabels : { proof: 'Password' };
  return (
    <Narrow site={p.site} staff={p.staff} csrf={p.csrf} title="Confirm it is you">
      <p>
        This action is protected: confirm who you are. You will not be asked again for 15 minutes.
      </p>
      <ErrorSummary state={p} labels={labels} message={p.message} />
      <form class="console-form" method="post" action="/console/account/confirm" novalidate>
        <input type="hidden" name="_csrf" value={p.csrf} />
        <input type="hidden" name="next" value={p.next} />
        {p.withCode ? (
          <CodeField
            name="proof"
            state={p}
            hint="The 6 digits your authenticator app shows now, or a recovery code."
          />
        ) : (
          <TextField
            name="proof"
            label="Password"
            type="password"
            autocomplete="current-password"
            state={p}
            maxLength={1024}
          />
        )}
        <button class="console-button" type="submit">
          Confirm
        </button>
      </form>
    </Narrow>
  );
}
