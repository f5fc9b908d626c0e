import { ConsoleLayout, Time, cap, type ConsoleFrame } from '../../console/layout.js';
import { DataTable } from '../../console/table.js';
import { categories } from '../../privacy/vocabulary.js';
import { LEGAL_NOTICE_DAYS } from './deadline.js';
import { IncidentForm, type IncidentFormValues } from './form.js';
import type { IncidentDetail, IncidentList } from './service.js';

export interface FormState {
  values: IncidentFormValues;
  errors: Record<string, string>;
  message?: string | undefined;
}

const dayText = (d: string) =>
  new Date(`${d}T00:00:00.000Z`).toLocaleDateString('en-US', {
    dateStyle: 'medium',
    timeZone: 'UTC',
  });

export function daysLeftText(daysLeft: number): string {
  if (daysLeft > 1) return `${daysLeft} days left`;
  if (daysLeft === 1) return '1 day left';
  if (daysLeft === 0) return 'due today';
  return `overdue by ${-daysLeft} ${daysLeft === -1 ? 'day' : 'days'}`;
}

export function IncidentsPage(p: ConsoleFrame & { list: IncidentList; form: FormState }) {
  return (
    <ConsoleLayout
      site={p.site}
      title="Incidents"
      staff={p.staff}
      csrf={p.csrf}
      current="/console/incidents"
    >
      <h1>Incidents</h1>
      {p.list.length === 0 ? (
        <p>No incidents have been recorded.</p>
      ) : (
        <IncidentTable list={p.list} />
      )}
      <section aria-labelledby="open-h" class="console-narrow">
        <h2 id="open-h">Open an incident</h2>
        <p class="console-note">
          {`People affected must be notified no later than ${LEGAL_NOTICE_DAYS} days after discovery, sooner where a contract says so.`}
        </p>
        <IncidentForm
          action="/console/incidents"
          csrf={p.csrf}
          submit="Open incident"
          {...p.form}
        />
      </section>
    </ConsoleLayout>
  );
}

function IncidentTable({ list }: { list: IncidentList }) {
  return (
    <DataTable
      caption="Incidents, open ones first by deadline"
      captionId="incidents-caption"
      headings={['Summary', 'Discovered', 'Notify by', 'Status']}
    >
      {list.map((i) => (
        <tr>
          <th scope="row">
            <a href={`/console/incidents/${i.id}`}>{shorten(i.summary)}</a>
          </th>
          <td>{dayText(i.discovered_on)}</td>
          <td>{`${dayText(i.deadline_on)}${i.status === 'open' ? ` (${daysLeftText(i.daysLeft)})` : ''}`}</td>
          <td>{cap(i.status)}</td>
        </tr>
      ))}
    </DataTable>
  );
}

const shorten = (s: string) => (s.length > 80 ? `${s.slice(0, 79)}…` : s);

export function IncidentPage(
  p: ConsoleFrame & { detail: IncidentDetail; form?: FormState | undefined },
) {
  const { incident } = p.detail;
  return (
    <ConsoleLayout
      site={p.site}
      title="Incident"
      staff={p.staff}
      csrf={p.csrf}
      current="/console/incidents"
    >
      <p class="console-back">
        <a href="/console/incidents">Back to incidents</a>
      </p>
      <h1>{`Incident (${incident.status})`}</h1>
      <p class="console-pre">{incident.summary}</p>
      <Deadline detail={p.detail} />
      <Affected detail={p.detail} />
      <Tables detail={p.detail} />
      {incident.status === 'open' ? (
        <Manage incident={incident} csrf={p.csrf} form={p.form} />
      ) : null}
    </ConsoleLayout>
  );
}

function Deadline({ detail }: { detail: IncidentDetail }) {
  const { incident, daysLeft, reminders } = detail;
  const basis = incident.contract_days
    ? `${incident.contract_days} days from discovery, as a contract requires`
    : `${LEGAL_NOTICE_DAYS} days from discovery, the legal limit`;
  return (
    <section aria-labelledby="deadline-h">
      <h2 id="deadline-h">Notification deadline</h2>
      <p class={incident.status === 'open' && daysLeft <= 3 ? 'console-alert' : undefined}>
        <strong>{`Notify by ${dayText(incident.deadline_on)}`}</strong>
        {incident.status === 'open' ? ` — ${daysLeftText(daysLeft)}` : ''}
        {` (${basis}; discovered ${dayText(incident.discovered_on)}).`}
      </p>
      {incident.closed_at ? (
        <p>
          Closed <Time iso={incident.closed_at} />.
        </p>
      ) : null}
      <p class="console-note">
        {reminders.length === 0
          ? 'Reminders go to the privacy officers 14 and 3 days before the deadline.'
          : `Reminders sent: ${reminders.map((r) => `${r.days_before} days before ${r.deadline_on}`).join('; ')}.`}
      </p>
    </section>
  );
}

function Affected({ detail }: { detail: IncidentDetail }) {
  const { incident, affected } = detail;
  const window =
    incident.window_start || incident.window_end
      ? `between ${incident.window_start ? dayText(incident.window_start) : 'the first record'} and ${incident.window_end ? dayText(incident.window_end) : 'now'}`
      : 'at any time (no window was given)';
  return (
    <section aria-labelledby="affected-h">
      <h2 id="affected-h">People possibly affected</h2>
      <p>{`${affected.length} ${affected.length === 1 ? 'lead was' : 'leads were'} read, exported or disclosed ${window}, according to the audit log and the disclosure ledger.`}</p>
      {affected.length > 0 ? (
        <DataTable
          labelledBy="affected-h"
          headings={['Lead id', 'Audit entries', 'First', 'Last', 'Disclosed']}
        >
          {affected.map((a) => (
            <tr>
              <th scope="row">{a.leadId}</th>
              <td>{a.entries}</td>
              <td>{a.firstAt ? <Time iso={a.firstAt} /> : '—'}</td>
              <td>{a.lastAt ? <Time iso={a.lastAt} /> : '—'}</td>
              <td>{a.disclosed ? 'Yes' : 'No'}</td>
            </tr>
          ))}
        </DataTable>
      ) : null}
    </section>
  );
}

function Tables({ detail }: { detail: IncidentDetail }) {
  return (
    <section aria-labelledby="tables-h">
      <h2 id="tables-h">Where this data is held</h2>
      <p>{`Data involved: ${detail.incident.categories.map((c) => categories[c]).join('; ')}.`}</p>
      <ul>
        {detail.tables.map((t) => (
          <li>
            <code>{t.table}</code>
            {`: ${t.columns.join(', ')} (about ${t.subjects.join(', ')})`}
          </li>
        ))}
      </ul>
    </section>
  );
}

function Manage({
  incident,
  csrf,
  form,
}: {
  incident: IncidentDetail['incident'];
  csrf: string;
  form?: FormState | undefined;
}) {
  const values: IncidentFormValues = form?.values ?? {
    summary: incident.summary,
    discoveredOn: incident.discovered_on,
    windowStart: incident.window_start ?? '',
    windowEnd: incident.window_end ?? '',
    contractDays: incident.contract_days === null ? '' : String(incident.contract_days),
    categories: incident.categories,
  };
  return (
    <section aria-labelledby="manage-h" class="console-narrow">
      <h2 id="manage-h">Update</h2>
      <IncidentForm
        action={`/console/incidents/${incident.id}`}
        csrf={csrf}
        submit="Save changes"
        values={values}
        errors={form?.errors ?? {}}
        message={form?.message}
      />
      <form method="post" action={`/console/incidents/${incident.id}/close`}>
        <input type="hidden" name="_csrf" value={csrf} />
        <button class="console-button secondary" type="submit">
          Close incident
        </button>
      </form>
    </section>
  );
}
