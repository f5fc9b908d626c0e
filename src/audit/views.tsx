import { ConsoleLayout, Time, show, type ConsoleFrame } from '../console/layout.js';
import { FilterForm, FilterInput, FilterSelect } from '../console/filters.js';
import { Pager } from '../console/pager.js';
import { DataTable } from '../console/table.js';
import { auditActions } from './log.js';
import type { AuditQuery, AuditList } from './service.js';

const actionLabel = (a: string) => a.replace(/_/g, ' ');

export function auditUrl(q: AuditQuery, cursor: { before?: number; after?: number } = {}): string {
  const params = new URLSearchParams();
  for (const key of ['action', 'actor', 'target', 'from', 'to'] as const) {
    const v = q[key];
    if (v) params.set(key, v);
  }
  if (cursor.before !== undefined) params.set('before', String(cursor.before));
  if (cursor.after !== undefined) params.set('after', String(cursor.after));
  const qs = params.toString();
  return qs ? `/console/audit?${qs}` : '/console/audit';
}

export function AuditPage(p: ConsoleFrame & { list: AuditList; query: AuditQuery }) {
  const { list, query } = p;
  return (
    <ConsoleLayout
      site={p.site}
      title="Audit log"
      staff={p.staff}
      csrf={p.csrf}
      current="/console/audit"
    >
      <h1>Audit log</h1>
      <p class="console-note">
        Every sign-in, record read, export, disclosure and change to personal data, newest first.
        Entries are chained by hash; <code>starspmb audit verify</code> checks that none was changed
        or removed.
      </p>
      <Filters query={query} />
      {list.unknownActor ? (
        <p class="console-alert" role="alert">
          No staff account has that email address, so no entries match. Check the spelling, or
          search by staff id.
        </p>
      ) : null}
      <p class="console-count" aria-live="polite">
        {list.rows.length === 0 ? 'No entries match.' : `Showing ${list.rows.length} entries`}
      </p>
      {list.rows.length > 0 ? <Entries rows={list.rows} /> : null}
      <Pager
        prev={
          list.newer !== undefined
            ? { href: auditUrl(query, { after: list.newer }), label: 'Newer entries' }
            : undefined
        }
        next={
          list.older !== undefined
            ? { href: auditUrl(query, { before: list.older }), label: 'Older entries' }
            : undefined
        }
      />
    </ConsoleLayout>
  );
}

function Entries({ rows }: { rows: AuditList['rows'] }) {
  return (
    <DataTable
      caption="Audit entries, newest first"
      captionId="audit-caption"
      headings={['#', 'When', 'Who', 'Action', 'Record', 'Purpose', 'Details']}
    >
      {rows.map((r) => (
        <tr>
          <td>{r.seq}</td>
          <td>
            <Time iso={r.at} />
          </td>
          <td>{actorText(r)}</td>
          <th scope="row">{actionLabel(r.action)}</th>
          <td>{r.target_id ? `${show(r.target_type)} ${r.target_id}` : '—'}</td>
          <td>{r.purpose ? actionLabel(r.purpose) : '—'}</td>
          <td class="console-pre">{detailText(r.detail)}</td>
        </tr>
      ))}
    </DataTable>
  );
}

function actorText(r: AuditList['rows'][number]): string {
  if (r.actor_kind === 'anonymous') return 'Anonymous';
  if (r.actor_kind === 'staff')
    return r.staff_email ? show(r.staff_email) : `staff ${show(r.actor_id)}`;
  return `${r.actor_kind} ${show(r.actor_id)}`;
}

function detailText(detail: string | null): string {
  if (!detail) return '—';
  try {
    const parsed = JSON.parse(detail) as Record<string, unknown>;
    return Object.entries(parsed)
      .map(([k, v]) => `${k}: ${String(v)}`)
      .join(', ');
  } catch {
    return detail;
  }
}

function Filters({ query }: { query: AuditQuery }) {
  return (
    <FilterForm action="/console/audit" label="Filter the audit log">
      <FilterSelect
        name="action"
        label="Action"
        any="Any action"
        value={query.action}
        options={auditActions.map((a) => [a, actionLabel(a)] as const)}
      />
      <FilterInput
        name="actor"
        label="Who (staff email or id)"
        type="search"
        value={query.actor}
        maxLength={254}
      />
      <FilterInput
        name="target"
        label="Record id"
        type="search"
        value={query.target}
        maxLength={64}
      />
      <FilterInput name="from" label="From" type="date" value={query.from} />
      <FilterInput name="to" label="To" type="date" value={query.to} />
    </FilterForm>
  );
}
