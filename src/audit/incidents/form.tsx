import {
  Fieldset,
  ErrorSummary,
  Field,
  FieldError,
  TextField,
  describedBy,
  type FieldState,
} from '../../web/forms.js';
import { categories } from '../../privacy/vocabulary.js';
import { LEGAL_NOTICE_DAYS } from './deadline.js';

/** The incident form as posted: every field a string, categories a list. */
export interface IncidentFormValues {
  summary?: string;
  discoveredOn?: string;
  windowStart?: string;
  windowEnd?: string;
  contractDays?: string;
  categories?: string[];
}

export const fieldLabels: Record<string, string> = {
  summary: 'What happened',
  discoveredOn: 'Discovered on',
  categories: 'Data involved',
  windowStart: 'Window start',
  windowEnd: 'Window end',
  contractDays: 'Contract deadline (days)',
};

export function IncidentForm(p: {
  action: string;
  csrf: string;
  submit: string;
  values: IncidentFormValues;
  errors: Record<string, string>;
  message?: string | undefined;
}) {
  const { categories: chosen = [], ...text } = p.values;
  const state: FieldState = { values: text, errors: p.errors };
  return (
    <form class="console-form" method="post" action={p.action} noValidate>
      <input type="hidden" name="_csrf" value={p.csrf} />
      <ErrorSummary state={state} labels={fieldLabels} message={p.message} />
      <Field
        name="summary"
        label={fieldLabels.summary!}
        state={state}
        hint="What was exposed, how, and what has been done. Refer to records by their ids; do not write names, emails or other personal details here."
      >
        <textarea
          id="summary"
          name="summary"
          rows={5}
          maxLength={4000}
          required
          aria-invalid={p.errors.summary ? 'true' : undefined}
          aria-describedby={describedBy('summary', state, true)}
        >
          {text.summary ?? ''}
        </textarea>
      </Field>
      <TextField name="discoveredOn" label={fieldLabels.discoveredOn!} type="date" state={state} />
      <Fieldset legend={fieldLabels.categories!}>
        <p class="hint" id="categories-hint">
          The kinds of personal data involved; the tables that hold them are listed from the data
          map.
        </p>
        {Object.entries(categories).map(([key, label]) => (
          <div class="checkbox">
            <input
              type="checkbox"
              id={`cat-${key}`}
              name="categories"
              value={key}
              checked={chosen.includes(key)}
              aria-describedby={p.errors.categories ? 'categories-error' : undefined}
            />
            <label for={`cat-${key}`}>{`${key}: ${label}`}</label>
          </div>
        ))}
        <FieldError name="categories" state={state} />
      </Fieldset>
      <TextField
        name="windowStart"
        label={fieldLabels.windowStart!}
        type="date"
        required={false}
        hint="When the exposure began, if known. Records read, exported or disclosed in the window are listed as affected; with no window, every such record is."
        state={state}
      />
      <TextField
        name="windowEnd"
        label={fieldLabels.windowEnd!}
        type="date"
        required={false}
        state={state}
      />
      <TextField
        name="contractDays"
        label={fieldLabels.contractDays!}
        inputmode="numeric"
        required={false}
        hint={`Only when a contract requires notice sooner than the legal ${LEGAL_NOTICE_DAYS} days: 1 to ${LEGAL_NOTICE_DAYS - 1}.`}
        state={state}
      />
      <button class="console-button" type="submit">
        {p.submit}
      </button>
    </form>
  );
}
