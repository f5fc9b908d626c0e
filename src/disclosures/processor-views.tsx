import { ConsoleLayout, Time, type ConsoleFrame } from '../console/layout.js';
import { ConsoleFormPage } from '../console/form-page.js';
import { DataTable } from '../console/table.js';
import type { Recipient } from '../privacy/disclosure-store.js';
import { intakeCategories } from '../privacy/disclosures.js';
import { recipientKindLabels, recipientKinds } from '../privacy/recipients.js';
import { categories, type Category } from '../privacy/vocabulary.js';
import {
  CheckboxField,
  CheckboxGroup,
  SelectField,
  TextField,
  type FieldState,
} from '../web/forms.js';

// The processor registry screens: the list, and one form for registering and editing.

const here = '/console/settings/processors';
const kindShort = { processor: 'Service provider', third_party: 'Third party' } as const;

export function ProcessorsPage(p: ConsoleFrame & { recipients: Recipient[] }) {
  return (
    <ConsoleLayout
      site={p.site}
      title="Service providers"
      staff={p.staff}
      csrf={p.csrf}
      current={here}
    >
      <h1>Service providers and other recipients</h1>
      <p>
        Every outside party that may receive personal data is registered here. Active service
        providers are listed on the public privacy policy with what they receive and why. The email
        relay must be registered under the key <code>smtp-relay</code>, and the SMS gateway under{' '}
        <code>sms-gateway</code>, before either may carry personal data.
      </p>
      <p>
        <a class="console-link-button" href={`${here}/new`}>
          Register a recipient
        </a>
      </p>
      {p.recipients.length === 0 ? (
        <p>No recipient is registered: no personal data can leave the system.</p>
      ) : (
        <DataTable
          caption="Registered recipients"
          captionId="recipients-caption"
          headings={['Name', 'Key', 'Kind', 'Receives', 'Contract', 'State', 'Changed', '']}
        >
          {p.recipients.map((r) => (
            <RecipientRow r={r} csrf={p.csrf} />
          ))}
        </DataTable>
      )}
    </ConsoleLayout>
  );
}

function RecipientRow({ r, csrf }: { r: Recipient; csrf: string }) {
  return (
    <tr>
      <th scope="row" data-label="Name">
        <a href={`${here}/${r.id}`}>{r.name}</a>
        {r.relatedEntity ? <span class="console-note"> (related company)</span> : null}
      </th>
      <td data-label="Key">
        <code>{r.key}</code>
      </td>
      <td data-label="Kind">{kindShort[r.kind]}</td>
      <td data-label="Receives">
        {r.kind === 'processor' ? r.categories.join(', ') : 'per disclosure'}
      </td>
      <td data-label="Contract">{r.contractRef ?? '—'}</td>
      <td data-label="State">{r.active ? 'Active' : 'Deactivated'}</td>
      <td data-label="Changed">
        <Time iso={r.updatedAt} date />
      </td>
      <td>
        <form method="post" action={`${here}/${r.id}/${r.active ? 'deactivate' : 'activate'}`}>
          <input type="hidden" name="_csrf" value={csrf} />
          <button
            class="console-button secondary"
            type="submit"
            aria-label={`${r.active ? 'Deactivate' : 'Reactivate'} ${r.name}`}
          >
            {r.active ? 'Deactivate' : 'Reactivate'}
          </button>
        </form>
      </td>
    </tr>
  );
}

const labels = {
  kind: 'Kind of recipient',
  key: 'Key',
  name: 'Organisation name',
  categories: 'Data it receives',
  purpose: 'What it does for us',
  contractRef: 'Contract reference',
  relatedEntity: 'Related company',
};

export interface ProcessorForm extends FieldState {
  /** Ticked categories (a form sends several values under one name). */
  checked: readonly string[];
  message?: string | undefined;
}

/** Registering (no `existing`) or editing; kind and key never change once registered. */
export function ProcessorFormPage(
  p: ConsoleFrame & ProcessorForm & { existing?: Recipient | undefined },
) {
  return (
    <ConsoleFormPage
      {...p}
      title={p.existing ? `Edit ${p.existing.name}` : 'Register a recipient'}
      current={here}
      back={{ href: here, label: 'Back to service providers' }}
      action={p.existing ? `${here}/${p.existing.id}` : here}
      state={p}
      labels={labels}
      submit={p.existing ? 'Save changes' : 'Register'}
    >
      {p.existing ? (
        <p>
          {`${kindShort[p.existing.kind]}, key `}
          <code>{p.existing.key}</code>
          {'. The kind and key cannot change: adapters and the ledger refer to them.'}
        </p>
      ) : (
        <>
          <SelectField
            name="kind"
            label={labels.kind}
            state={p}
            options={recipientKinds.map((k) => [k, recipientKindLabels[k]] as const)}
          />
          <TextField
            name="key"
            label={labels.key}
            state={p}
            maxLength={40}
            hint="A short fixed name such as smtp-relay or sms-gateway; adapters look themselves up by it."
          />
        </>
      )}
      <TextField
        name="name"
        label={labels.name}
        state={p}
        maxLength={120}
        hint="The company or authority. Do not enter a private person's name."
      />
      <CheckboxGroup
        name="categories"
        legend={labels.categories}
        hint="For service providers only: tick every kind of data it receives. Third parties are not registered for categories; each disclosure to them names its own."
        state={p}
        checked={p.checked}
        options={(Object.keys(categories) as Category[]).map(
          (c) =>
            [
              c,
              `${c}: ${categories[c]}${intakeCategories.has(c) ? ' (intake form)' : ''}`,
            ] as const,
        )}
      />
      <TextField
        name="purpose"
        label={labels.purpose}
        state={p}
        maxLength={200}
        required={false}
        hint="Required for service providers: printed on the privacy policy, such as “delivers the emails we send”."
      />
      <TextField
        name="contractRef"
        label={labels.contractRef}
        state={p}
        maxLength={200}
        required={false}
        hint="Required for service providers: the contract or data processing agreement that binds them."
      />
      <CheckboxField name="relatedEntity" state={p}>
        A related company (parent, sister or affiliate): it receives nothing for business purposes,
        so it is never a service provider
      </CheckboxField>
    </ConsoleFormPage>
  );
}
