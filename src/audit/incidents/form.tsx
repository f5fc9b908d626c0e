import { ConsoleForm } from '../../console/form-page.js';
import { CheckboxGroup, TextAreaField, TextField, type FieldState } from '../../web/forms.js';
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
    <ConsoleForm
      action={p.action}
      csrf={p.csrf}
      state={state}
      labels={fieldLabels}
      message={p.message}
      submit={p.submit}
    >
      <TextAreaField
        name="summary"
        label={fieldLabels.summary!}
        state={state}
        hint="What was exposed, how, and what has been done. Refer to records by their ids; do not write names, emails or other personal details here."
        rows={5}
        maxLength={4000}
      />
      <TextField name="discoveredOn" label={fieldLabels.discoveredOn!} type="date" state={state} />
      <CheckboxGroup
        name="categories"
        legend={fieldLabels.categories!}
        hint="The kinds of personal data involved; the tables that hold them are listed from the data map."
        state={state}
        checked={chosen}
        options={Object.entries(categories).map(
          ([key, label]) => [key, `${key}: ${label}`] as const,
        )}
      />
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
    </ConsoleForm>
  );
}
