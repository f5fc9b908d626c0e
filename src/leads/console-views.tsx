import type { VNode } from 'preact';
import type { StaffUser } from '../accounts/service.js';
import {
  Acquisition,
  ConsoleLayout,
  Fields,
  StatusBadge,
  Time,
  cap,
  show,
  type ConsoleFrame,
} from '../console/layout.js';
import { FilterForm, FilterInput, FilterSelect } from '../console/filters.js';
import { NumberedPager, listUrl, shownRange } from '../console/pager.js';
import { can } from '../console/permissions.js';
import type { LeadFilter } from './repository.js';
import { PAGE_SIZE, leadStatuses, userTypes, type LeadDetail, type LeadList } from './service.js';
import { DataTable } from '../console/table.js';

const typeLabels = { patient: 'Patient', provider: 'Provider', partner: 'Partner' } as const;

export function leadsUrl(filter: LeadFilter, page = 1): string {
  const { q, type, status } = filter;
  return listUrl('/console/leads', { q, type, status }, page);
}

export function LeadsPage(p: ConsoleFrame & { list: LeadList; filter: LeadFilter }) {
  const { list, filter } = p;
  return (
    <ConsoleLayout
      site={p.site}
      title="Leads"
      staff={p.staff}
      csrf={p.csrf}
      current="/console/leads"
    >
      <h1>Leads</h1>
      <Filters filter={filter} />
      <p class="console-count" aria-live="polite">
        {shownRange(list, PAGE_SIZE, 'No leads match.')}
        {list.total > 0 && can(p.staff, 'leads.export') ? (
          <>
            {' · '}
            <a href={leadsUrl(filter).replace('/console/leads', '/console/leads/export')}>
              Export these as CSV…
            </a>
          </>
        ) : null}
      </p>
      {list.rows.length > 0 ? (
        <DataTable
          caption="Leads, newest first"
          captionId="leads-caption"
          headings={['Received', 'Name', 'Organization', 'Type', 'Status', 'City, state']}
        >
          {list.rows.map((r) => (
            <tr>
              <td>
                <Time iso={r.created_at} date />
              </td>
              <th scope="row">
                <a href={`/console/leads/${show(r.id)}`}>{show(r.name)}</a>
              </th>
              <td>{show(r.organization)}</td>
              <td>{cap(show(r.user_type))}</td>
              <td>
                <StatusBadge status={r.status} />
              </td>
              <td>{`${show(r.city)}, ${show(r.state)}`}</td>
            </tr>
          ))}
        </DataTable>
      ) : null}
      <NumberedPager
        page={list.page}
        pageCount={list.pageCount}
        url={(page) => leadsUrl(filter, page)}
      />
    </ConsoleLayout>
  );
}

function Filters({ filter }: { filter: LeadFilter }) {
  return (
    <FilterForm action="/console/leads" label="Filter leads">
      <FilterInput
        name="q"
        label="Name or organization"
        type="search"
        value={filter.q}
        maxLength={200}
      />
      <FilterSelect
        name="type"
        label="Type"
        any="Any type"
        value={filter.type}
        options={userTypes.map((t) => [t, typeLabels[t]] as const)}
      />
      <FilterSelect
        name="status"
        label="Status"
        any="Any status"
        value={filter.status}
        options={leadStatuses.map((s) => [s, cap(s)] as const)}
      />
    </FilterForm>
  );
}

/**
 * A section another capability adds to a lead's page, or null when this staff member may not
 * see it; the console itself knows nothing of what it holds.
 */
export type LeadPanel = (staff: StaffUser, leadId: string, csrf: string) => Promise<VNode | null>;

export function LeadDetailPage(
  p: ConsoleFrame & { detail: LeadDetail; panels?: (VNode | null)[]; message?: string | undefined },
) {
  const { lead } = p.detail;
  return (
    <ConsoleLayout
      site={p.site}
      title={`Lead: ${show(lead.name)}`}
      staff={p.staff}
      csrf={p.csrf}
      current="/console/leads"
    >
      <p class="console-back">
        <a href="/console/leads">Back to leads</a>
      </p>
      <h1>
        {show(lead.name)} <StatusBadge status={lead.status} />
      </h1>
      {p.message ? (
        <p class="console-alert" role="alert" id="status-error">
          {p.message}
        </p>
      ) : null}
      <StatusForm detail={p.detail} csrf={p.csrf} error={p.message} />
      <section aria-labelledby="contact-h">
        <h2 id="contact-h">Details</h2>
        <Fields row={lead} />
      </section>
      <Consents consents={p.detail.consents} />
      <section aria-labelledby="subs-h">
        <h2 id="subs-h">Form submissions</h2>
        {p.detail.submissions.length === 0 ? (
          <p>No form submissions are stored for this lead.</p>
        ) : null}
        {p.detail.submissions.map((s) => (
          <article class="console-card">
            <h3>
              Submitted <Time iso={s.created_at} />
            </h3>
            <Fields row={s} />
            <Acquisition row={s} />
          </article>
        ))}
      </section>
      <Timeline events={p.detail.events} />
      <SameOrganization leads={p.detail.sameOrganization} />
      {p.panels}
    </ConsoleLayout>
  );
}

function StatusForm({
  detail,
  csrf,
  error,
}: {
  detail: LeadDetail;
  csrf: string;
  error?: string | undefined;
}) {
  if (detail.nextStatuses.length === 0) return null;
  return (
    <form
      class="console-status"
      method="post"
      action={`/console/leads/${show(detail.lead.id)}/status`}
    >
      <input type="hidden" name="_csrf" value={csrf} />
      <label for="new-status">Move to</label>
      <select
        id="new-status"
        name="status"
        required
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={error ? 'status-error' : undefined}
      >
        {detail.nextStatuses.map((s) => (
          <option value={s}>{cap(s)}</option>
        ))}
      </select>
      <button class="console-button" type="submit">
        Update status
      </button>
    </form>
  );
}

function Consents({ consents }: { consents: LeadDetail['consents'] }) {
  return (
    <section aria-labelledby="consents-h">
      <h2 id="consents-h">Consents</h2>
      {consents.length === 0 ? (
        <p>No consent recorded: do not send this person marketing email or text messages.</p>
      ) : (
        <DataTable
          labelledBy="consents-h"
          headings={['Purpose', 'Channel', 'Choice', 'When', 'Form', 'Text shown']}
        >
          {consents.map((c) => (
            <tr>
              <td>{show(c.purpose).replace('_', ' ')}</td>
              <td>{show(c.channel)}</td>
              <td>
                {c.granted === 1 ? 'Granted' : c.granted === 0 ? 'Withdrawn' : show(c.granted)}
              </td>
              <td>
                <Time iso={c.at} />
              </td>
              <td>{`${show(c.form_id)} v${show(c.form_version)}`}</td>
              <td class="console-quote">{show(c.text_shown)}</td>
            </tr>
          ))}
        </DataTable>
      )}
    </section>
  );
}

function SameOrganization({ leads }: { leads: LeadDetail['sameOrganization'] }) {
  if (leads.length === 0) return null;
  return (
    <section aria-labelledby="same-org-h">
      <h2 id="same-org-h">Possible duplicates</h2>
      <p>
        These leads gave the same organization name. Each is a separate person's record and is never
        merged automatically: compare them before treating them as one.
      </p>
      <ul>
        {leads.map((l) => (
          <li>
            <a href={`/console/leads/${l.id}`}>
              Lead received <Time iso={l.created_at} />
            </a>{' '}
            <StatusBadge status={l.status} />
          </li>
        ))}
      </ul>
    </section>
  );
}

function Timeline({ events }: { events: LeadDetail['events'] }) {
  return (
    <section aria-labelledby="timeline-h">
      <h2 id="timeline-h">Timeline</h2>
      {events.length === 0 ? (
        <p>Nothing has happened to this lead yet.</p>
      ) : (
        <ol class="console-timeline">
          {events.map((e) => (
            <li>
              <Time iso={e.at} />
              {' — '}
              {describeEvent(e)}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function describeEvent(e: LeadDetail['events'][number]): string {
  if (e.kind === 'submitted') return 'Sent the form for the first time';
  if (e.kind === 'resubmitted') return 'Sent the form again';
  const who = e.staff_email ? ` by ${show(e.staff_email)}` : '';
  return `Status changed from ${show(e.from_status)} to ${show(e.to_status)}${who}`;
}
