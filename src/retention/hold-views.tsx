import type { StaffUser } from '../accounts/service.js';
import { Time, show } from '../console/layout.js';
import { can } from '../console/permissions.js';
import { ConfirmBox } from '../console/confirm.js';
import { DataTable } from '../console/table.js';
import type { ShownHold } from './console-service.js';

export interface HoldFormState {
  leadId: string;
  reason: string;
  errors: { lead_id?: string | undefined; reason?: string | undefined };
}

export const HOLD_REASON_MAX = 500;
const reasonHint =
  'Name the matter, for example a case number or a request from counsel. Do not include personal details.';

/** Holds in a table, each active one with a release button. */
export function HoldRows(p: {
  holds: ShownHold[];
  csrf: string;
  staff: StaffUser;
  caption: string;
  returnTo: 'retention' | 'lead';
}) {
  if (p.holds.length === 0) return <p>{`${p.caption}: none.`}</p>;
  const leadLinks = can(p.staff, 'leads.read');
  return (
    <DataTable caption={p.caption} headings={['Lead', 'Reason', 'Placed', 'Released', '']}>
      {p.holds.map((h) => (
        <tr>
          <th scope="row">
            {leadLinks ? <a href={`/console/leads/${h.target_id}`}>{h.target_id}</a> : h.target_id}
          </th>
          <td class="console-pre">{h.reason}</td>
          <td>
            <Time iso={h.placed_at} /> by {show(h.placed_by)}
          </td>
          <td>
            {h.released_at ? (
              <>
                <Time iso={h.released_at} /> by {show(h.released_by)}
              </>
            ) : (
              'Active'
            )}
          </td>
          <td>
            {h.released_at ? null : (
              <form method="post" action={`/console/retention/holds/${h.id}/release`}>
                <input type="hidden" name="_csrf" value={p.csrf} />
                <input type="hidden" name="return_to" value={p.returnTo} />
                <ConfirmBox>Release: records it kept may then be deleted on schedule</ConfirmBox>
                <button class="console-button secondary" type="submit">
                  Release
                </button>
              </form>
            )}
          </td>
        </tr>
      ))}
    </DataTable>
  );
}

/** The holds list's form: any lead id, including one whose consent records outlived it. */
export function PlaceHoldForm({
  csrf,
  state,
}: {
  csrf: string;
  state?: HoldFormState | undefined;
}) {
  const e = state?.errors ?? {};
  return (
    <form
      class="console-form console-narrow"
      method="post"
      action="/console/retention/holds"
      novalidate
    >
      <h3>Place a hold</h3>
      <input type="hidden" name="_csrf" value={csrf} />
      <div class="field">
        <label for="hold-lead">Lead id</label>
        <input
          id="hold-lead"
          name="lead_id"
          required
          maxLength={64}
          value={state?.leadId ?? ''}
          aria-invalid={e.lead_id ? 'true' : undefined}
          aria-describedby={e.lead_id ? 'hold-lead-error' : undefined}
        />
        {e.lead_id ? (
          <p class="field-error" id="hold-lead-error">
            {e.lead_id}
          </p>
        ) : null}
      </div>
      <ReasonField id="hold-reason" value={state?.reason} error={e.reason} />
      <button class="console-button" type="submit">
        Place hold
      </button>
    </form>
  );
}

function ReasonField(p: { id: string; value?: string | undefined; error?: string | undefined }) {
  const described = [`${p.id}-hint`, p.error ? `${p.id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div class="field">
      <label for={p.id}>Reason</label>
      <p class="hint" id={`${p.id}-hint`}>
        {reasonHint}
      </p>
      <input
        id={p.id}
        name="reason"
        required
        maxLength={HOLD_REASON_MAX}
        value={p.value ?? ''}
        aria-invalid={p.error ? 'true' : undefined}
        aria-describedby={described}
      />
      {p.error ? (
        <p class="field-error" id={`${p.id}-error`}>
          {p.error}
        </p>
      ) : null}
    </div>
  );
}

/** On a lead's page: its active holds and a small form to place one. */
export function LeadHoldPanel(p: {
  leadId: string;
  holds: ShownHold[];
  csrf: string;
  staff: StaffUser;
  error?: string | undefined;
}) {
  return (
    <section aria-labelledby="hold-h">
      <h2 id="hold-h">Legal hold</h2>
      {p.holds.length > 0 ? (
        <p>
          <strong>On legal hold:</strong> retention will not delete this lead, its submissions,
          history or consents until every hold is released.
        </p>
      ) : null}
      <HoldRows
        holds={p.holds}
        csrf={p.csrf}
        staff={p.staff}
        caption="Active holds"
        returnTo="lead"
      />
      <form
        class="console-form console-narrow"
        method="post"
        action={`/console/leads/${p.leadId}/holds`}
        novalidate
      >
        <input type="hidden" name="_csrf" value={p.csrf} />
        <ReasonField id="lead-hold-reason" error={p.error} />
        <button class="console-button" type="submit">
          Place hold
        </button>
      </form>
    </section>
  );
}
