import type { StaffUser } from '../accounts/service.js';
import type { SiteConfig } from '../config/site.js';
import { ConsoleLayout } from '../console/layout.js';
import type { Recipient } from '../privacy/disclosure-store.js';
import { disclosureBases } from '../privacy/vocabulary.js';
import {
  ErrorSummary,
  FieldError,
  Hidden,
  SelectField,
  TextField,
  describedBy,
  type FieldState,
} from '../web/forms.js';
import { exportColumns, exportPurposes, type ExportPurpose } from './export-service.js';

const labels = {
  recipient: 'Recipient',
  basis: 'Legal basis',
  purpose: 'Purpose',
  reference: 'Reference',
};

export function ExportPage(p: {
  site: SiteConfig;
  staff: StaffUser;
  csrf: string;
  recipients: Recipient[];
  state: FieldState;
  message?: string | undefined;
}) {
  const v = p.state.values;
  const filter = [
    v.status && `status ${v.status}`,
    v.type && `type ${v.type}`,
    v.q && `matching “${v.q}”`,
  ].filter(Boolean);
  return (
    <ConsoleLayout
      site={p.site}
      title="Export leads"
      staff={p.staff}
      csrf={p.csrf}
      current="/console/leads"
    >
      <p>
        <a href="/console/leads">Back to leads</a>
      </p>
      <h1>Export leads as CSV</h1>
      <p>
        A file that leaves the console is a disclosure: it is recorded in the disclosure ledger with
        its recipient and legal basis, and refused when the policy does not allow it. Telephone
        numbers are never exported: the policy reserves them for text messages.
      </p>
      <p>Leads: {filter.length ? filter.join(', ') : 'all leads'}.</p>
      <ErrorSummary state={p.state} labels={labels} message={p.message} />
      {p.recipients.length === 0 ? (
        <p class="notice">
          No recipient is registered, so nothing can be exported. An administrator registers service
          providers under <a href="/console/settings/processors">Service providers</a>.
        </p>
      ) : (
        <form method="post" action="/console/leads/export" novalidate>
          <Hidden name="_csrf" value={p.csrf} />
          <Hidden name="status" value={v.status} />
          <Hidden name="type" value={v.type} />
          <Hidden name="q" value={v.q} />
          <SelectField
            name="recipient"
            label={labels.recipient}
            state={p.state}
            hint="Who receives the file. Service providers receive only the categories they are registered for."
            options={p.recipients.map(
              (r) =>
                [
                  r.id,
                  `${r.name} (${r.kind === 'processor' ? 'service provider' : 'third party'})`,
                ] as const,
            )}
          />
          <fieldset class="fieldset" aria-describedby={describedBy('purpose', p.state)}>
            <legend>{labels.purpose}</legend>
            {(Object.keys(exportPurposes) as ExportPurpose[]).map((key) => (
              <div class="choice">
                <input
                  type="radio"
                  id={`purpose-${key}`}
                  name="purpose"
                  value={key}
                  checked={v.purpose === key}
                />
                <label for={`purpose-${key}`}>
                  {exportPurposes[key]}
                  <span class="hint"> Columns: {exportColumns(key).join(', ')}.</span>
                </label>
              </div>
            ))}
            <FieldError name="purpose" state={p.state} />
          </fieldset>
          <SelectField
            name="basis"
            label={labels.basis}
            state={p.state}
            options={Object.entries(disclosureBases).map(
              ([k, text]) => [k, `${k.replace(/_/g, ' ')}: ${text}`] as const,
            )}
          />
          <TextField
            name="reference"
            label={labels.reference}
            state={p.state}
            required={false}
            maxLength={200}
            hint="Contract, agreement or case number, kept in the ledger. A third party receives only the rows a privacy officer has recorded evidence for; a reference typed here is not evidence."
          />
          <button type="submit" class="console-button">
            Record the disclosure and download
          </button>
        </form>
      )}
    </ConsoleLayout>
  );
}
