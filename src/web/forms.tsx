import type { ComponentChildren } from 'preact';
import type { FieldErrors } from './errors.js';

// Small pieces every form on the site shares: a labelled field with its hint and error tied to
// the input by aria-describedby, and the error summary that links to each field.

export interface FieldState {
  values: Record<string, string>;
  errors: FieldErrors;
}

export function describedBy(name: string, state: FieldState, hint?: boolean): string | undefined {
  const ids = [hint ? `${name}-hint` : '', state.errors[name] ? `${name}-error` : ''].filter(
    Boolean,
  );
  return ids.length ? ids.join(' ') : undefined;
}

export function FieldError({ name, state }: { name: string; state: FieldState }) {
  const msg = state.errors[name];
  return msg ? (
    <p class="field-error" id={`${name}-error`}>
      {msg}
    </p>
  ) : null;
}

interface InputProps {
  name: string;
  label: string;
  state: FieldState;
  type?: string;
  autocomplete?: string;
  hint?: string;
  required?: boolean;
  inputmode?: 'numeric' | 'tel' | 'email' | 'text';
  maxLength?: number;
}

/** A field's frame: its label (marked optional when it is), its hint and its error. */
export function Field(p: {
  name: string;
  label: string;
  state: FieldState;
  hint?: string | undefined;
  required?: boolean | undefined;
  children: ComponentChildren;
}) {
  return (
    <div class="field">
      <label for={p.name}>
        {p.label}
        {p.required === false ? <span class="muted"> (optional)</span> : null}
      </label>
      {p.hint ? (
        <p class="hint" id={`${p.name}-hint`}>
          {p.hint}
        </p>
      ) : null}
      {p.children}
      <FieldError name={p.name} state={p.state} />
    </div>
  );
}

/** What every control in a Field carries: its name, whether it is required, and its hint and error. */
function controlProps(p: Pick<InputProps, 'name' | 'state' | 'hint' | 'required'>) {
  return {
    id: p.name,
    name: p.name,
    required: p.required !== false,
    'aria-invalid': p.state.errors[p.name] ? ('true' as const) : undefined,
    'aria-describedby': describedBy(p.name, p.state, Boolean(p.hint)),
  };
}

export function TextField(p: InputProps) {
  return (
    <Field {...p}>
      <input
        {...controlProps(p)}
        type={p.type ?? 'text'}
        value={p.state.values[p.name] ?? ''}
        autocomplete={p.autocomplete}
        inputMode={p.inputmode}
        maxLength={p.maxLength}
      />
    </Field>
  );
}

export function SelectField(
  p: Omit<InputProps, 'type' | 'inputmode'> & { options: readonly (readonly [string, string])[] },
) {
  const current = p.state.values[p.name] ?? '';
  return (
    <Field {...p}>
      <select {...controlProps(p)} autocomplete={p.autocomplete}>
        <option value="">Choose…</option>
        {p.options.map(([value, label]) => (
          <option value={value} selected={value === current}>
            {label}
          </option>
        ))}
      </select>
    </Field>
  );
}

export function ErrorSummary({
  state,
  labels,
  message,
}: {
  state: FieldState;
  labels: Record<string, string>;
  message?: string | undefined;
}) {
  const entries = Object.entries(state.errors);
  if (!message && entries.length === 0) return null;
  return (
    <div class="error-summary" role="alert" tabindex={-1} id="error-summary">
      <h2>{message ?? 'Please correct the following'}</h2>
      {entries.length > 0 ? (
        <ul>
          {entries.map(([field, msg]) => (
            <li>
              <a href={`#${field}`}>{`${labels[field] ?? field}: ${msg}`}</a>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

export function Hidden({ name, value }: { name: string; value: string | undefined }) {
  return value ? <input type="hidden" name={name} value={value} /> : null;
}

export function Fieldset({ legend, children }: { legend: string; children: ComponentChildren }) {
  return (
    <fieldset class="fieldset">
      <legend>{legend}</legend>
      {children}
    </fieldset>
  );
}

/** A multi-line text field, framed like TextField. */
export function TextAreaField(
  p: Omit<InputProps, 'type' | 'inputmode' | 'autocomplete'> & { rows: number },
) {
  return (
    <Field {...p}>
      <textarea {...controlProps(p)} rows={p.rows} maxLength={p.maxLength}>
        {p.state.values[p.name] ?? ''}
      </textarea>
    </Field>
  );
}

/** One box a person ticks ("on" when ticked), its label and its error. */
export function CheckboxField(p: { name: string; state: FieldState; children: ComponentChildren }) {
  return (
    <div class="checkbox">
      <input
        type="checkbox"
        id={p.name}
        name={p.name}
        value="on"
        checked={p.state.values[p.name] === 'on'}
        aria-describedby={describedBy(p.name, p.state)}
      />
      <label for={p.name}>{p.children}</label>
      <FieldError name={p.name} state={p.state} />
    </div>
  );
}

/** Several boxes sent under one name (a form sends one value per ticked box), with a hint. */
export function CheckboxGroup(p: {
  name: string;
  legend: string;
  hint: string;
  state: FieldState;
  options: readonly (readonly [string, string])[];
  checked?: readonly string[] | undefined;
}) {
  const id = (value: string) => `${p.name}-${value.replace('.', '-')}`;
  return (
    <fieldset class="fieldset" id={p.name} aria-describedby={describedBy(p.name, p.state, true)}>
      <legend>{p.legend}</legend>
      <p class="hint" id={`${p.name}-hint`}>
        {p.hint}
      </p>
      {p.options.map(([value, label]) => (
        <div class="checkbox">
          <input
            type="checkbox"
            id={id(value)}
            name={p.name}
            value={value}
            checked={p.checked?.includes(value) ?? false}
          />
          <label for={id(value)}>{label}</label>
        </div>
      ))}
      <FieldError name={p.name} state={p.state} />
    </fieldset>
  );
}
