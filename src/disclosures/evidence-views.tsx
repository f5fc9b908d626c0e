import type { DisclosureAuthorityKind } from '../db/schema.js';
import { ConsoleLayout, Time, show, type ConsoleFrame } from '../console/layout.js';
import { ConsoleFormPage } from '../console/form-page.js';
import { DataTable } from '../console/table.js';
import type { Recipient } from '../privacy/disclosure-store.js';
import { basisForEvidence } from '../privacy/disclosures.js';
import {
  CheckboxField,
  FieldError,
  SelectField,
  TextAreaField,
  TextField,
  type FieldState,
} from '../web/forms.js';
import { evidenceHere, evidenceKinds, protectedInterests, type EvidenceRow } from './evidence.js';

// The privacy officer's record of evidence for disclosures to third parties: the list, and one
// form per kind of record. A record covers only the people it names (none for a buyer).

export function EvidencePage(
  p: ConsoleFrame & { rows: EvidenceRow[]; saved?: string | undefined },
) {
  return (
    <ConsoleLayout
      site={p.site}
      title="Disclosure evidence"
      staff={p.staff}
      csrf={p.csrf}
      current={evidenceHere}
    >
      <h1>Disclosure evidence</h1>
      <p>
        Information from our intake forms goes to a third party only on a record entered here, and
        only about the people the record names; never for marketing or any commercial purpose.
        Service providers work under contract and need none.
      </p>
      {p.saved ? (
        <p class="notice" role="status">
          The record was saved. An administrator can now choose it when exporting to that recipient.
        </p>
      ) : null}
      <p class="console-actions">
        {(Object.keys(evidenceKinds) as DisclosureAuthorityKind[]).map((k) => (
          <>
            <a class="console-link-button" href={`${evidenceHere}/new?kind=${k}`}>
              {`Record ${evidenceKinds[k].replace(/^A /, 'a ')}`}
            </a>{' '}
          </>
        ))}
      </p>
      {p.rows.length === 0 ? (
        <p>No evidence is recorded: no third party may receive intake data.</p>
      ) : (
        <DataTable
          caption="Evidence records, newest first"
          captionId="evidence-caption"
          headings={['Kind', 'Recipient', 'Issuer', 'Reference', 'Dated', 'Covers', 'Entered']}
        >
          {p.rows.map((r) => (
            <EvidenceRowView r={r} />
          ))}
        </DataTable>
      )}
    </ConsoleLayout>
  );
}

function EvidenceRowView({ r }: { r: EvidenceRow }) {
  return (
    <tr id={`evidence-${r.id}`}>
      <td data-label="Kind">
        {evidenceKinds[r.kind]}
        <span class="console-note">{` (basis: ${basisForEvidence(r.kind).replaceAll('_', ' ')})`}</span>
        {r.justification ? <p class="console-note">{r.justification}</p> : null}
      </td>
      <th scope="row" data-label="Recipient">
        {r.recipient_name}
      </th>
      <td data-label="Issuer">{r.issuer}</td>
      <td data-label="Reference">{r.reference}</td>
      <td data-label="Dated">{r.issued_on}</td>
      <td data-label="Covers">
        {r.kind === 'buyer_undertaking' ? (
          'the business transaction'
        ) : (
          <ul class="compact">
            {r.leads.map((id) => (
              <li>
                <a href={`/console/disclosures?lead=${id}`}>{`lead ${id.slice(0, 8)}`}</a>
              </li>
            ))}
          </ul>
        )}
      </td>
      <td data-label="Entered">
        <Time iso={r.entered_at} />
        {` by ${show(r.staff_email)}`}
      </td>
    </tr>
  );
}

const labels = {
  kind: 'Kind of evidence',
  recipient: 'Recipient',
  issuer: 'Issued by',
  reference: 'Reference',
  issuedOn: 'Date',
  people: 'People it names',
  interest: 'What it protects',
  justification: 'Justification',
  undertaking: 'Undertaking',
};

const personHint = {
  legal_process:
    'Only the people the process itself names: one lead id or email address they gave us per line. It covers no one else.',
  protection: 'One person: their lead id or the email address they gave us.',
};

export function EvidenceFormPage(
  p: ConsoleFrame & {
    kind: DisclosureAuthorityKind;
    recipients: Recipient[];
    state: FieldState;
    message?: string | undefined;
  },
) {
  const { kind, state } = p;
  return (
    <ConsoleFormPage
      {...p}
      title={`Record ${evidenceKinds[kind].replace(/^A /, 'a ')}`}
      current={evidenceHere}
      back={{ href: evidenceHere, label: 'Back to disclosure evidence' }}
      action={evidenceHere}
      labels={labels}
      submit="Save the record"
    >
      <input type="hidden" name="kind" value={kind} />
      <FieldError name="kind" state={state} />
      {p.recipients.length === 0 ? (
        <p class="notice">
          No third party is registered. An administrator registers it under Service providers first
          (kind: third party).
        </p>
      ) : null}
      <SelectField
        name="recipient"
        label={labels.recipient}
        state={state}
        hint={
          kind === 'buyer_undertaking'
            ? 'The prospective buyer, registered as a third party.'
            : 'The third party that will receive the data.'
        }
        options={p.recipients.map((r) => [r.id, r.name] as const)}
      />
      <TextField
        name="issuer"
        label={labels.issuer}
        state={state}
        maxLength={200}
        hint={
          kind === 'legal_process'
            ? 'The court or agency that issued it.'
            : kind === 'protection'
              ? 'Who asked for the disclosure, such as a police department, or "Privacy officer".'
              : 'The company that signed the undertaking.'
        }
      />
      <TextField
        name="reference"
        label={labels.reference}
        state={state}
        maxLength={200}
        hint="Case number, order or agreement reference. No personal details."
      />
      <TextField
        name="issuedOn"
        label={labels.issuedOn}
        state={state}
        type="date"
        hint="When it was issued or signed, such as 2026-11-20."
      />
      {kind === 'legal_process' ? (
        <TextAreaField
          name="people"
          label={labels.people}
          state={state}
          hint={personHint[kind]}
          rows={5}
          maxLength={20000}
        />
      ) : null}
      {kind === 'protection' ? (
        <>
          <TextField
            name="people"
            label={labels.people}
            state={state}
            hint={personHint[kind]}
            maxLength={320}
          />
          <SelectField
            name="interest"
            label={labels.interest}
            state={state}
            options={Object.entries(protectedInterests)}
          />
          <TextAreaField
            name="justification"
            label={labels.justification}
            state={state}
            hint="Why the disclosure is needed now, without personal details."
            rows={4}
            maxLength={2000}
          />
        </>
      ) : null}
      {kind === 'buyer_undertaking' ? (
        <CheckboxField name="undertaking" state={state}>
          The buyer has undertaken in writing to use the data it receives only as our privacy policy
          allows
        </CheckboxField>
      ) : null}
    </ConsoleFormPage>
  );
}
