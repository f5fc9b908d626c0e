import { secondFactorRequired } from './staff-sessions.js';
import { ConsoleLayout, Time, roleLabels, type ConsoleFrame } from '../console/layout.js';
import { DataTable } from '../console/table.js';
import { ErrorSummary, SelectField, TextField, type FieldState } from '../web/forms.js';
import { staffRoles } from './service.js';
import type { StaffListing, StaffStatus } from './users-service.js';

// /console/users: the staff list with the invitation form, one person's page with what can be
// done to their account, and the step that asks once more before disabling it.

const current = '/console/users';
const roleOptions = staffRoles.map((r) => [r, roleLabels[r]] as const);
const statusLabels: Record<StaffStatus, string> = {
  active: 'Active',
  invited: 'Invited',
  disabled: 'Disabled',
};
const inviteLabels = { name: 'Name', email: 'Email address', role: 'Role' };

/**
 * The second-factor cell. No second factor exists yet; when one does, this reads its column and
 * nothing else on these pages changes.
 */
export function secondFactorLabel(row: StaffListing): string {
  if (row.secondFactor) return 'On';
  return secondFactorRequired(row.role) ? 'Required, not set up yet' : 'Off';
}

export const userPath = (id: string) => `/console/users/${encodeURIComponent(id)}`;

const Name = ({ row }: { row: StaffListing }) => <>{row.name ?? '—'}</>;
const LastSignIn = ({ row }: { row: StaffListing }) =>
  row.last_login_at ? <Time iso={row.last_login_at} /> : <>Never</>;
const Status = ({ status }: { status: StaffStatus }) => (
  <span class={`status status-${status}`}>{statusLabels[status]}</span>
);

export interface StaffListProps extends ConsoleFrame {
  rows: StaffListing[];
  invite: FieldState;
  notice?: string | undefined;
  error?: string | undefined;
}

export function StaffListPage(p: StaffListProps) {
  return (
    <ConsoleLayout site={p.site} title="Staff" staff={p.staff} csrf={p.csrf} current={current}>
      <h1>Staff</h1>
      <p class="console-note">
        Everyone who can sign in to the console. Open an email address to change their role, send a
        password reset link, or disable their account.
      </p>
      {p.notice ? <p role="status">{p.notice}</p> : null}
      <DataTable
        caption="Staff accounts"
        headings={['Name', 'Email', 'Role', 'Status', 'Last sign-in', 'Second factor']}
      >
        {p.rows.map((row) => (
          <tr>
            <td>
              <Name row={row} />
            </td>
            <td>
              <a href={userPath(row.id)}>{row.email}</a>
            </td>
            <td>{roleLabels[row.role]}</td>
            <td>
              <Status status={row.status} />
            </td>
            <td>
              <LastSignIn row={row} />
            </td>
            <td>{secondFactorLabel(row)}</td>
          </tr>
        ))}
      </DataTable>
      <InviteForm {...p} />
    </ConsoleLayout>
  );
}

function InviteForm(p: StaffListProps) {
  return (
    <section class="console-card staff-card" aria-labelledby="invite-h" id="invite">
      <h2 id="invite-h">Invite someone</h2>
      <p>
        They get an email with a link to choose their password. The link works once, for 72 hours.
      </p>
      <ErrorSummary state={p.invite} labels={inviteLabels} message={p.error} />
      <form class="console-form" method="post" action="/console/users/invite" novalidate>
        <input type="hidden" name="_csrf" value={p.csrf} />
        <TextField name="name" label={inviteLabels.name} state={p.invite} maxLength={100} />
        <TextField
          name="email"
          label={inviteLabels.email}
          type="email"
          autocomplete="off"
          state={p.invite}
          maxLength={254}
        />
        <SelectField name="role" label={inviteLabels.role} options={roleOptions} state={p.invite} />
        <button class="console-button" type="submit">
          Send invitation
        </button>
      </form>
    </section>
  );
}

export interface StaffDetailProps extends ConsoleFrame {
  row: StaffListing;
  notice?: string | undefined;
  error?: string | undefined;
  roleState?: FieldState | undefined;
}

export function StaffDetailPage(p: StaffDetailProps) {
  const { row } = p;
  const self = row.id === p.staff.id;
  const title = row.name ?? row.email;
  return (
    <ConsoleLayout site={p.site} title={title} staff={p.staff} csrf={p.csrf} current={current}>
      <p class="console-back">
        <a href="/console/users">All staff</a>
      </p>
      <h1>{title}</h1>
      {p.notice ? <p role="status">{p.notice}</p> : null}
      {p.error ? (
        <p class="console-alert" role="alert">
          {p.error}
        </p>
      ) : null}
      <dl class="console-fields console-card">
        <dt>Email</dt>
        <dd>{row.email}</dd>
        <dt>Role</dt>
        <dd>{roleLabels[row.role]}</dd>
        <dt>Status</dt>
        <dd>
          <Status status={row.status} />
        </dd>
        <dt>Last sign-in</dt>
        <dd>
          <LastSignIn row={row} />
        </dd>
        <dt>Second factor</dt>
        <dd>{secondFactorLabel(row)}</dd>
        <dt>Account since</dt>
        <dd>
          <Time iso={row.created_at} date />
        </dd>
      </dl>
      {row.status === 'disabled' ? <EnableForm {...p} /> : <Actions {...p} self={self} />}
    </ConsoleLayout>
  );
}

function Actions(p: StaffDetailProps & { self: boolean }) {
  const { row } = p;
  const state = p.roleState ?? { values: { role: row.role }, errors: {} };
  return (
    <>
      <section class="console-card staff-card" aria-labelledby="role-h">
        <h2 id="role-h">Role</h2>
        <p>
          {p.self
            ? 'Changing your own role signs you out at once; sign in again to continue with the new role.'
            : 'A new role applies at once: they are signed out everywhere and sign in again with it.'}
        </p>
        <form class="console-form" method="post" action={`${userPath(row.id)}/role`} novalidate>
          <input type="hidden" name="_csrf" value={p.csrf} />
          <SelectField name="role" label="Role" options={roleOptions} state={state} />
          <button class="console-button" type="submit">
            Change role
          </button>
        </form>
      </section>
      <section class="console-card staff-card" aria-labelledby="link-h">
        <h2 id="link-h">{row.status === 'invited' ? 'Invitation' : 'Password'}</h2>
        <p>
          {row.status === 'invited'
            ? 'They have not accepted their invitation yet. A new one replaces the old link and works for 72 hours.'
            : 'A reset link lets them choose a new password. It works once, for 30 minutes, and ends their sessions when used. Their current password keeps working until then.'}
        </p>
        <form method="post" action={`${userPath(row.id)}/send-link`}>
          <input type="hidden" name="_csrf" value={p.csrf} />
          <button class="console-button secondary" type="submit">
            {row.status === 'invited' ? 'Send a new invitation' : 'Send a password reset link'}
          </button>
        </form>
      </section>
      <section class="console-card staff-card" aria-labelledby="disable-h">
        <h2 id="disable-h">Disable</h2>
        <p>Someone who left, or an account that should not be used for now.</p>
        <p>
          <a class="console-button secondary" href={`${userPath(row.id)}/disable`}>
            Disable this account…
          </a>
        </p>
      </section>
    </>
  );
}

function EnableForm(p: StaffDetailProps) {
  return (
    <section class="console-card staff-card" aria-labelledby="enable-h">
      <h2 id="enable-h">Enable again</h2>
      <p>
        They can sign in again with their password as it was. If they no longer know it, send a
        reset link once the account is enabled.
      </p>
      <form method="post" action={`${userPath(p.row.id)}/enable`}>
        <input type="hidden" name="_csrf" value={p.csrf} />
        <button class="console-button" type="submit">
          Enable this account
        </button>
      </form>
    </section>
  );
}

/** The second look before disabling: what will happen, and one button to do it. */
export function DisableConfirmPage(p: ConsoleFrame & { row: StaffListing }) {
  const { row } = p;
  const who = row.name ? `${row.name} (${row.email})` : row.email;
  const self = row.id === p.staff.id;
  return (
    <ConsoleLayout
      site={p.site}
      title="Disable this account?"
      staff={p.staff}
      csrf={p.csrf}
      current={current}
    >
      <h1>Disable this account?</h1>
      <p>{`You are about to disable the account of ${who}.`}</p>
      <ul>
        <li>
          {self
            ? 'You are signed out at once, on every device, this one included.'
            : 'They are signed out at once, on every device.'}
        </li>
        <li>Signing in is refused, with a message telling them the account is disabled.</li>
        <li>Any invitation or password reset link sent to them stops working.</li>
        <li>
          Their name and role stay in the list, and the audit log keeps what they did. An
          administrator can enable the account again later.
        </li>
      </ul>
      <form class="console-actions" method="post" action={`${userPath(row.id)}/disable`}>
        <input type="hidden" name="_csrf" value={p.csrf} />
        <input type="hidden" name="confirm" value="yes" />
        <button class="console-button" type="submit">
          Disable the account
        </button>
        <a class="console-button secondary" href={userPath(row.id)}>
          Cancel
        </a>
      </form>
    </ConsoleLayout>
  );
}
