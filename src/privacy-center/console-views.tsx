import { ConsoleLayout, Time, show, type ConsoleFrame } from '../console/layout.js';
import { can } from '../console/permissions.js';
import { ConfirmBox } from '../console/confirm.js';
import { ConsoleFormPage } from '../console/form-page.js';
import { DataTable } from '../console/table.js';
import { daysLeft } from '../adapters/dates.js';
import {
  correctableFields,
  correctableLabels,
  offlineChannels,
  requestKinds,
  type CorrectableField,
} from './fields.js';
import { SelectField, TextField, type FieldState } from '../web/forms.js';
import type { RequestRow } from './repository.js';
import type { RequestQueue } from './console-service.js';
import type { ErasurePlan, ErasurePlanRow } from '../privacy/erasure-plan.js';
import { ANSWER_REASON_MAX } from './console-service.js';

const kindNames: Record<RequestRow['kind'], string> = {
  access: 'Access',
  correction: 'Correction',
  deletion: 'Deletion',
};
const channelNames: Record<RequestRow['channel'], string> = {
  web: 'Privacy Center',
  phone: 'By phone, logged by staff',
  post: 'By post, logged by staff',
  email: 'By email, logged by staff',
};

const logLabels: Record<string, string> = {
  channel: 'How the request reached us',
  kind: 'What the person asks',
  email: 'Email address the person gave',
  correctionField: 'Detail to correct',
  correctionValue: 'Corrected value',
};

/** Staff take down a request that came by phone, post or plain email; the person still confirms it. */
export function LogRequestPage(p: ConsoleFrame & FieldState & { message?: string | undefined }) {
  return (
    <ConsoleFormPage
      {...p}
      title="Log a privacy request"
      current="/console/privacy"
      back={{ href: '/console/privacy', label: 'Back to privacy requests' }}
      intro={
        <p class="console-note">
          For a request made by phone, by post or in an email to us. We send the person a
          confirmation link at the address they give, exactly as the Privacy Center does, and the
          request joins the queue once they confirm it. The 45 days run from now. Nothing here tells
          you whether the address is on file, and a link goes only to an address that is.
        </p>
      }
      action="/console/privacy/new"
      state={p}
      labels={logLabels}
      submit="Log the request and send the link"
    >
      <SelectField
        name="channel"
        label={logLabels.channel!}
        state={p}
        options={offlineChannels.map((c) => [c, channelNames[c].split(',')[0]!] as const)}
      />
      <SelectField
        name="kind"
        label={logLabels.kind!}
        state={p}
        options={requestKinds.map((k) => [k, kindNames[k]] as const)}
      />
      <TextField
        name="email"
        label={logLabels.email!}
        state={p}
        type="email"
        maxLength={254}
        hint="Where the confirmation link goes. Never confirm a correction with the detail being corrected."
      />
      <SelectField
        name="correctionField"
        label={logLabels.correctionField!}
        state={p}
        required={false}
        options={correctableFields.map((f) => [f, correctableLabels[f]] as const)}
        hint="For a correction only."
      />
      <TextField
        name="correctionValue"
        label={logLabels.correctionValue!}
        state={p}
        required={false}
        maxLength={300}
        hint="For a correction only: the value the person wants us to hold."
      />
    </ConsoleFormPage>
  );
}

const responseNames: Record<string, string> = {
  report_provided: 'Report provided',
  corrected: 'Corrected',
  deleted: 'Deleted',
  denied: 'Denied',
};

export function QueuePage(
  p: ConsoleFrame & { view: Awaited<ReturnType<RequestQueue['list']>>; logged?: boolean },
) {
  const { open, closed, now } = p.view;
  return (
    <ConsoleLayout
      site={p.site}
      title="Privacy requests"
      staff={p.staff}
      csrf={p.csrf}
      current="/console/privacy"
    >
      <h1>Privacy requests</h1>
      {p.logged ? (
        <p class="notice" role="status">
          The request is logged. If the address is on file, the person now has a confirmation link;
          the request joins this queue when they confirm it.
        </p>
      ) : null}
      <p class="console-note">
        Verified requests, soonest deadline first. Receipt is confirmed to the person automatically
        on verification; the answer is due 45 days after the request arrived, and one extension of
        45 days may be noticed before that.
      </p>
      {can(p.staff, 'privacy_requests.act') ? (
        <p>
          <a class="console-button" href="/console/privacy/new">
            Log a request made by phone, post or email
          </a>
        </p>
      ) : null}
      <RequestTable caption="Open requests" rows={open} now={now} empty="No open requests." />
      <RequestTable
        caption="Recently closed"
        rows={closed}
        now={now}
        empty="No closed requests yet."
      />
    </ConsoleLayout>
  );
}

function RequestTable({
  caption,
  rows,
  now,
  empty,
}: {
  caption: string;
  rows: RequestRow[];
  now: Date;
  empty: string;
}) {
  if (rows.length === 0) return <p>{`${caption}: ${empty}`}</p>;
  return (
    <DataTable
      caption={caption}
      headings={['Received', 'Kind', 'How', 'Due', 'Days left', 'Status']}
    >
      {rows.map((r) => (
        <tr>
          <td>
            <a href={`/console/privacy/${r.id}`}>
              <Time iso={r.created_at} />
            </a>
          </td>
          <td>{kindNames[r.kind]}</td>
          <td>{channelNames[r.channel]}</td>
          <td>
            <Time iso={r.due_at} date />
            {r.extended_at ? ' (extended)' : ''}
          </td>
          <td>{r.closed_at ? '—' : String(daysLeft(new Date(r.due_at), now))}</td>
          <td>{r.response ? responseNames[r.response] : 'Open'}</td>
        </tr>
      ))}
    </DataTable>
  );
}

export function RequestPage(
  p: ConsoleFrame & {
    view: Awaited<ReturnType<RequestQueue['detail']>>;
    error?: string | undefined;
    notice?: string | undefined;
  },
) {
  const { row, now } = p.view;
  const open = row.status === 'verified';
  const field = row.correction_field as CorrectableField | null;
  return (
    <ConsoleLayout
      site={p.site}
      title="Privacy request"
      staff={p.staff}
      csrf={p.csrf}
      current="/console/privacy"
    >
      <p>
        <a href="/console/privacy">All privacy requests</a>
      </p>
      <h1>{`${kindNames[row.kind]} request`}</h1>
      {p.error ? (
        <p class="console-alert" role="alert">
          {p.error}
        </p>
      ) : null}
      {p.notice ? <p role="status">{p.notice}</p> : null}
      <dl class="console-fields">
        <dt>Received</dt>
        <dd>
          <Time iso={row.created_at} />
        </dd>
        <dt>How it came</dt>
        <dd>{`${channelNames[row.channel]} (verified by a link to the email on file)`}</dd>
        <dt>Email</dt>
        <dd>{show(p.view.email)}</dd>
        <dt>Records matched</dt>
        <dd>{String((JSON.parse(row.lead_ids) as string[]).length)}</dd>
        <dt>Verified</dt>
        <dd>
          <Time iso={row.verified_at} />
        </dd>
        <dt>Receipt confirmed</dt>
        <dd>
          {row.receipt_sent_at ? (
            <Time iso={row.receipt_sent_at} />
          ) : (
            <>
              Due by <Time iso={row.receipt_due_at} date />
            </>
          )}
        </dd>
        <dt>Answer due</dt>
        <dd>
          <Time iso={row.due_at} date />
          {open ? ` (${daysLeft(new Date(row.due_at), now)} days left)` : ''}
          {row.extended_at ? ` — extended once: ${row.extension_reason ?? ''}` : ''}
        </dd>
        {field
          ? [
              <dt>Correction</dt>,
              <dd>
                {`${correctableLabels[field]} → ${show(p.view.correctionValue)}`}
                {field === 'email'
                  ? row.new_email_confirmed_at
                    ? ' (new address confirmed)'
                    : ' (new address not confirmed yet)'
                  : ''}
              </dd>,
            ]
          : null}
        <dt>Answer</dt>
        <dd>
          {row.response ? (
            <>
              {responseNames[row.response]}, <Time iso={row.responded_at} />
            </>
          ) : (
            'Not answered yet'
          )}
        </dd>
        {row.denial_reason ? [<dt>Reason for denial</dt>, <dd>{row.denial_reason}</dd>] : null}
      </dl>
      {p.view.plan ? <PlanTable plan={p.view.plan} /> : null}
      {can(p.staff, 'privacy_requests.act') ? (
        <Actions {...p} row={row} refused={!!p.view.plan?.refusedBecause} />
      ) : null}
    </ConsoleLayout>
  );
}

const planActions: Record<ErasurePlanRow['action'], string> = {
  delete: 'Deleted',
  pseudonymise: 'Kept without anything that names the person',
  keep: 'Kept',
};

/** What "Delete as shown" will do, table by table, read from the data map. */
function PlanTable({ plan }: { plan: ErasurePlan }) {
  return (
    <section aria-labelledby="plan-h">
      <h2 id="plan-h">What the deletion will do</h2>
      {plan.refusedBecause ? (
        <p class="console-alert" role="alert">
          {plan.refusedBecause}
        </p>
      ) : null}
      {plan.rows.length === 0 ? (
        <p>We hold nothing about this person: the request is answered with nothing to delete.</p>
      ) : (
        <DataTable labelledBy="plan-h" headings={['Records', 'How many', 'What happens', 'Why']}>
          {plan.rows.map((r) => (
            <tr>
              <th scope="row">{r.label}</th>
              <td>{String(r.rows)}</td>
              <td>{planActions[r.action]}</td>
              <td>{r.why ?? ''}</td>
            </tr>
          ))}
        </DataTable>
      )}
      <p>
        Opt-outs the person made are carried into the suppression list as coded fingerprints, so
        they are never contacted again.
      </p>
    </section>
  );
}

function Actions(p: ConsoleFrame & { row: RequestRow; refused?: boolean }) {
  const { row } = p;
  const base = `/console/privacy/${row.id}`;
  const csrf = <input type="hidden" name="_csrf" value={p.csrf} />;
  if (row.status !== 'verified') {
    return row.kind === 'access' && row.response === 'report_provided' ? (
      <form method="post" action={`${base}/resend`}>
        {csrf}
        <button class="console-button secondary" type="submit">
          Send the report link again
        </button>
      </form>
    ) : null;
  }
  return (
    <section aria-labelledby="act-h">
      <h2 id="act-h">Answer</h2>
      {row.kind === 'deletion' ? (
        <form method="post" action={`${base}/delete`}>
          {csrf}
          <ConfirmBox>
            I have read what the deletion will do, above. It cannot be undone.
          </ConfirmBox>
          <button class="console-button" type="submit" disabled={p.refused}>
            Delete as shown above
          </button>
        </form>
      ) : null}
      {row.kind === 'correction' ? (
        <form method="post" action={`${base}/correct`}>
          {csrf}
          <button class="console-button" type="submit">
            Apply the correction
          </button>
        </form>
      ) : null}
      <ReasonForm
        action={`${base}/extend`}
        csrf={p.csrf}
        label="Reason for the extension (sent to the person)"
        button="Extend by 45 days"
        id="extend-reason"
      />
      <ReasonForm
        action={`${base}/deny`}
        csrf={p.csrf}
        label="Reason for the denial (sent to the person)"
        button="Deny the request"
        id="deny-reason"
      />
    </section>
  );
}

function ReasonForm(p: {
  action: string;
  csrf: string;
  label: string;
  button: string;
  id: string;
}) {
  return (
    <form method="post" action={p.action} class="console-reason">
      <input type="hidden" name="_csrf" value={p.csrf} />
      <label for={p.id}>{p.label}</label>
      <textarea id={p.id} name="reason" rows={2} maxLength={ANSWER_REASON_MAX} required />
      <button class="console-button secondary" type="submit">
        {p.button}
      </button>
    </form>
  );
}
