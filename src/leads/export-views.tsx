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
  describedBy,
  type FieldState,
} from '../web/forms.js';
import { evidenceAnchor, evidenceHere } from '../disclosures/evidence.js';
import {
  exportColumns,
  exportPurposes,
  processorBases,
  purposesFor,
  type ExportService,
} from './export-service.js';

const labels = {
  recipient: 'Recipient',
  basis: 'Legal basis',
  purpose: 'Purpose',
  evidence: 'Evidence',
};

type ExportOptions = Awaited<ReturnType<ExportService['optionsFor']>>;

export function ExportPage(p: {
  site: SiteConfig;
  staff: StaffUser;
  csrf: string;
  recipients: Recipient[];
  options?: ExportOptions | undefined;
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
        <form method="get" action="/console/leads/export" novalidate>
          <Hidden name="status" value={v.status} />
          <Hidden name="type" value={v.type} />
          <Hidden name="q" value={v.q} />
          <SelectField
            name="recipient"
            label={labels.recipient}
            state={p.state}
            hint="Who receives the file. Service providers receive only the categories they are registered for; a third party only what a privacy officer's evidence covers."
            options={p.recipients.map(
              (r) =>
                [
                  r.id,
                  `${r.name} (${r.kind === 'processor' ? 'service provider' : 'third party'})`,
                ] as const,
            )}
          />
          <button type="submit" class="console-button secondary">
            Show what may be sent
          </button>
        </form>
      )}
      {p.options?.recipient ? <DisclosureForm {...p} options={p.options} /> : null}
    </ConsoleLayout>
  );
}

function DisclosureForm(p: Parameters<typeof ExportPage>[0] & { options: ExportOptions }) {
  const v = p.state.values;
  const r = p.options.recipient!;
  const evidence = p.options.evidence;
  if (r.kind === 'third_party' && evidence.length === 0)
    return (
      <p class="notice" id="no-evidence">
        {`${r.name} is a third party, and no evidence is recorded for it, so it may receive nothing from the intake forms. A privacy officer records a legal process, a protection justification or a buyer's undertaking under `}
        <a href={evidenceHere}>Disclosure evidence</a>.
      </p>
    );
  return (
    <form method="post" action="/console/leads/export" novalidate>
      <Hidden name="_csrf" value={p.csrf} />
      <Hidden name="recipient" value={r.id} />
      <Hidden name="status" value={v.status} />
      <Hidden name="type" value={v.type} />
      <Hidden name="q" value={v.q} />
      <fieldset class="fieldset" aria-describedby={describedBy('purpose', p.state)}>
        <legend>{labels.purpose}</legend>
        {purposesFor[r.kind].map((key) => (
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
      {r.kind === 'processor' ? (
        <SelectField
          name="basis"
          label={labels.basis}
          state={p.state}
          options={processorBases.map(
            (k) => [k, `${k.replace(/_/g, ' ')}: ${disclosureBases[k]}`] as const,
          )}
        />
      ) : (
        <fieldset class="fieldset" aria-describedby={describedBy('evidence', p.state)}>
          <legend>{labels.evidence}</legend>
          <p class="hint">
            {`The basis is the evidence's own. Every lead in the file must be covered by it: your filter matches ${p.options.matched ?? 0}; if any is not covered, nothing is sent.`}
          </p>
          {evidence.map((e) => (
            <div class="choice">
              <input
                type="radio"
                id={`evidence-${e.id}`}
                name="evidence"
                value={e.id}
                checked={v.evidence === e.id}
              />
              <label for={`evidence-${e.id}`}>
                {`${e.basis.replace(/_/g, ' ')}: ${e.issuer}, ${e.reference}, ${e.issued_on}. `}
                {e.kind === 'buyer_undertaking'
                  ? 'Undertaking to use the data only as the policy allows. '
                  : `Covers ${e.covers} of the ${p.options.matched ?? 0} leads matched. `}
                <a href={evidenceAnchor(e.id)}>See the record</a>
              </label>
            </div>
          ))}
          <FieldError name="evidence" state={p.state} />
        </fieldset>
      )}
      <button type="submit" class="console-button">
        Record the disclosure and download
      </button>
    </form>
  );
}
