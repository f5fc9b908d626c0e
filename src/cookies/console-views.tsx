import { ConsoleLayout, Time, type ConsoleFrame } from '../console/layout.js';
import { ConsoleForm } from '../console/form-page.js';
import { DataTable } from '../console/table.js';
import {
  CheckboxGroup,
  SelectField,
  TextAreaField,
  TextField,
  type FieldState,
} from '../web/forms.js';
import type { DayRates } from './consent-records.js';
import { categories as categoryLabels } from '../privacy/vocabulary.js';
import { tagCategories } from '../privacy/tag-disclosures.js';
import type { Tag, TagProvider } from './tags.js';

const pct = (part: number, whole: number) =>
  whole === 0 ? '–' : `${Math.round((part / whole) * 100)}%`;

/** Consent rates by day: how many chose, and what share allowed each category. */
export function ConsentRatesPage(
  p: ConsoleFrame & { from: string; to: string; days: DayRates[]; error?: string | undefined },
) {
  const total = p.days.reduce(
    (t, d) => ({
      choices: t.choices + d.choices,
      analytics: t.analytics + d.analytics,
      advertising: t.advertising + d.advertising,
      gpc: t.gpc + d.gpc,
    }),
    { choices: 0, analytics: 0, advertising: 0, gpc: 0 },
  );
  return (
    <ConsoleLayout
      site={p.site}
      title="Cookie consent"
      staff={p.staff}
      csrf={p.csrf}
      current="/console/consent"
    >
      <h1>Cookie consent</h1>
      <p>
        Every cookie choice made in the banner, on /cookies or in the Privacy Center is a consent
        record. These are their counts: no one is named. A choice made under Global Privacy Control
        never allows advertising.
      </p>
      {p.error ? (
        <div class="error-summary" role="alert">
          <p>{p.error}</p>
        </div>
      ) : null}
      <form method="get" action="/console/consent" class="filter-form">
        <div class="field">
          <label for="from">From</label>
          <input id="from" name="from" type="date" value={p.from} />
        </div>
        <div class="field">
          <label for="to">To</label>
          <input id="to" name="to" type="date" value={p.to} />
        </div>
        <button class="console-button" type="submit">
          Show
        </button>
      </form>
      <p>{`${total.choices} choices from ${p.from} to ${p.to}: analytics allowed ${pct(total.analytics, total.choices)}, advertising allowed ${pct(total.advertising, total.choices)}, GPC applied ${pct(total.gpc, total.choices)}.`}</p>
      {p.days.length === 0 ? (
        <p>No choices were recorded in this period.</p>
      ) : (
        <DataTable
          caption="Consent rates by category and day (UTC)"
          captionId="rates-caption"
          headings={['Day', 'Choices', 'Analytics allowed', 'Advertising allowed', 'GPC applied']}
        >
          {p.days.map((d) => (
            <tr>
              <th scope="row">{d.day}</th>
              <td>{d.choices}</td>
              <td>{`${pct(d.analytics, d.choices)} (${d.analytics})`}</td>
              <td>{`${pct(d.advertising, d.choices)} (${d.advertising})`}</td>
              <td>{`${pct(d.gpc, d.choices)} (${d.gpc})`}</td>
            </tr>
          ))}
        </DataTable>
      )}
    </ConsoleLayout>
  );
}

const here = '/console/settings/tags';
const labels = {
  name: 'Name',
  category: 'Category',
  provider: 'Service provider',
  categories: 'Data it sends the provider',
  scriptUrl: 'Script URL',
  inlineSnippet: 'Inline snippet',
  origin: 'Vendor origin',
};

/** Registered tags, with a form to register another. */
export function TagsPage(
  p: ConsoleFrame & {
    tags: Tag[];
    providers: TagProvider[];
    form: FieldState;
    message?: string | undefined;
  },
) {
  const s = p.form;
  return (
    <ConsoleLayout site={p.site} title="Tags" staff={p.staff} csrf={p.csrf} current={here}>
      <h1>Third-party tags</h1>
      <p>
        A tag loads only for visitors who allowed its category, never under Global Privacy Control,
        and never on the contact form, partner applications, the Privacy Center, the portals or this
        console. The site&apos;s Content Security Policy names a vendor&apos;s origin only on the
        pages where an active tag of theirs loads. A vendor is a service provider like any other:
        register it first under Settings, Service providers, with its contract reference and the
        kinds of data it receives; a tag is refused for anything else. Every vendor registered here
        is named in the public privacy policy, and each activation and deactivation is recorded in
        the disclosure ledger.
      </p>
      {p.tags.length === 0 ? (
        <p>No tag is registered: no other company&apos;s code loads on the site.</p>
      ) : (
        <DataTable
          caption="Registered tags"
          captionId="tags-caption"
          headings={[
            'Name',
            'Vendor',
            'Category',
            'Loads from',
            'Receives',
            'State',
            'Changed',
            '',
          ]}
        >
          {p.tags.map((t) => (
            <tr>
              <th scope="row">{t.name}</th>
              <td>{t.vendor}</td>
              <td>{t.category}</td>
              <td>
                <code>{t.script_url ?? `${t.origin} (inline)`}</code>
              </td>
              <td>{t.data_received}</td>
              <td>{t.active ? 'Active' : 'Inactive'}</td>
              <td>
                <Time iso={t.updated_at} />
              </td>
              <td>
                <form
                  method="post"
                  action={`${here}/${t.id}/${t.active ? 'deactivate' : 'activate'}`}
                >
                  <input type="hidden" name="_csrf" value={p.csrf} />
                  <button class="console-button" type="submit">
                    {t.active ? `Deactivate ${t.name}` : `Activate ${t.name}`}
                  </button>
                </form>
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      <h2>Register a tag</h2>
      <ConsoleForm
        action={here}
        csrf={p.csrf}
        state={s}
        labels={labels}
        message={p.message}
        submit="Register tag"
      >
        <TextField name="name" label={labels.name} state={s} maxLength={120} />
        <SelectField
          name="category"
          label={labels.category}
          state={s}
          options={[
            ['analytics', 'Analytics'],
            ['advertising', 'Advertising'],
          ]}
        />
        <SelectField
          name="provider"
          label={labels.provider}
          state={s}
          options={p.providers.map((r) => [r.key, `${r.name} (${r.key})`] as [string, string])}
        />
        <CheckboxGroup
          name="categories"
          legend={labels.categories}
          hint="Only what a browser reveals; the provider must be registered for each."
          state={s}
          options={tagCategories.map((c) => [c, `${c}: ${categoryLabels[c]}`] as const)}
        />
        <TextField
          name="scriptUrl"
          label={labels.scriptUrl}
          state={s}
          required={false}
          maxLength={500}
          hint="https://… ; or leave empty and paste an inline snippet."
        />
        <TextAreaField
          name="inlineSnippet"
          label={labels.inlineSnippet}
          state={s}
          required={false}
          rows={4}
          maxLength={5000}
        />
        <TextField
          name="origin"
          label={labels.origin}
          state={s}
          required={false}
          maxLength={200}
          hint="Needed for an inline snippet: where it loads from, e.g. https://px.vendor.example."
        />
      </ConsoleForm>
    </ConsoleLayout>
  );
}
