import { ConsoleLayout, Time, show, type ConsoleFrame } from '../console/layout.js';
import { FilterForm, FilterInput, FilterSelect } from '../console/filters.js';
import { NumberedPager, listUrl, shownRange } from '../console/pager.js';
import { DataTable } from '../console/table.js';
import { disclosureBases } from '../privacy/vocabulary.js';
import type { LedgerFilter } from './repository.js';
import { PAGE_SIZE, type Ledger } from './service.js';

// The disclosure ledger in the console: who received which kinds of data, about whom, on what
// basis. It shows categories and record ids only, never the data that left.

const here = '/console/disclosures';
const channelLabels = {
  csv_export: 'CSV export',
  api: 'API',
  email_provider: 'Email provider',
  sms_provider: 'SMS provider',
  legal_process: 'Legal process',
  other: 'Other',
} as const;

export function ledgerUrl(filter: LedgerFilter, page = 1): string {
  const { lead, recipient, basis } = filter;
  return listUrl(here, { lead, recipient, basis }, page);
}

type Row = Ledger['rows'][number];

function actor(r: Row): string {
  if (r.actor_kind === 'staff')
    return r.staff_email ? show(r.staff_email) : `staff ${show(r.actor_id)}`;
  if (r.actor_kind === 'system') return `system (${show(r.actor_id)})`;
  return r.actor_kind;
}

export function LedgerPage(p: ConsoleFrame & { ledger: Ledger; filter: LedgerFilter }) {
  const { ledger, filter } = p;
  return (
    <ConsoleLayout site={p.site} title="Disclosures" staff={p.staff} csrf={p.csrf} current={here}>
      <h1>Disclosures</h1>
      <p>Every time personal data left the system: to whom, on what basis, for what purpose.</p>
      <Filters filter={filter} recipients={ledger.recipients} />
      <p class="console-count" aria-live="polite">
        {shownRange(ledger, PAGE_SIZE, 'No disclosures match.')}
      </p>
      {ledger.rows.length > 0 ? (
        <DataTable
          caption="Disclosures, newest first"
          captionId="ledger-caption"
          headings={[
            'When',
            'Recipient',
            'Basis',
            'Purpose',
            'Data',
            'About',
            'Reference',
            'Channel',
            'By',
          ]}
        >
          {ledger.rows.map((r) => (
            <tr>
              <td>
                <Time iso={r.at} />
              </td>
              <th scope="row">
                {r.recipient_name}
                {r.recipient_kind === 'third_party' ? (
                  <span class="console-note"> (third party)</span>
                ) : null}
              </th>
              <td>{r.basis.replaceAll('_', ' ')}</td>
              <td>{r.purpose.replaceAll('_', ' ')}</td>
              <td>{r.categories.join(', ')}</td>
              <td>
                <Subjects row={r} />
              </td>
              <td>{show(r.reference)}</td>
              <td>{channelLabels[r.channel]}</td>
              <td>{actor(r)}</td>
            </tr>
          ))}
        </DataTable>
      ) : null}
      <NumberedPager
        page={ledger.page}
        pageCount={ledger.pageCount}
        url={(page) => ledgerUrl(filter, page)}
      />
      <TagFlows rows={ledger.tags} />
    </ConsoleLayout>
  );
}

/** While a tag is active its data flows to the vendor: one row per period, not per person. */
function TagFlows({ rows }: { rows: Ledger['tags'] }) {
  return (
    <>
      <h2>Website tags</h2>
      <p>
        What each tag sends its service provider, from its activation until its deactivation, to
        visitors who allowed its category.
      </p>
      {rows.length === 0 ? (
        <p>No tag has been active.</p>
      ) : (
        <DataTable
          caption="Tag periods, newest first"
          captionId="tag-ledger-caption"
          headings={['Since', 'Until', 'Provider', 'Tag', 'Purpose', 'Data']}
        >
          {rows.map((r) => (
            <tr>
              <td>
                <Time iso={r.startedAt} />
              </td>
              <td>{r.endedAt ? <Time iso={r.endedAt} /> : 'still active'}</td>
              <th scope="row">{r.recipientName}</th>
              <td>{r.tagName}</td>
              <td>{r.purpose}</td>
              <td>{r.categories.join(', ')}</td>
            </tr>
          ))}
        </DataTable>
      )}
    </>
  );
}

function Subjects({ row }: { row: Row }) {
  if (row.leads.length === 0) return <>{`${row.subject_count} people`}</>;
  return (
    <ul class="compact">
      {row.leads.map((id) => (
        <li>
          <a href={ledgerUrl({ lead: id })}>{`lead ${id.slice(0, 8)}`}</a>
        </li>
      ))}
    </ul>
  );
}

function Filters({
  filter,
  recipients,
}: {
  filter: LedgerFilter;
  recipients: Ledger['recipients'];
}) {
  return (
    <FilterForm action={here} label="Filter disclosures">
      <FilterInput
        name="lead"
        label="Person (lead id)"
        type="search"
        value={filter.lead}
        maxLength={64}
      />
      <FilterSelect
        name="recipient"
        label="Recipient"
        any="Any recipient"
        value={filter.recipient}
        options={recipients.map(
          (r) => [r.id, r.active ? r.name : `${r.name} (deactivated)`] as const,
        )}
      />
      <FilterSelect
        name="basis"
        label="Basis"
        any="Any basis"
        value={filter.basis}
        options={Object.keys(disclosureBases).map((b) => [b, b.replaceAll('_', ' ')] as const)}
      />
    </FilterForm>
  );
}
