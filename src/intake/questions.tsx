import type { ComponentChildren } from 'preact';
import type { SiteConfig } from '../config/site.js';
import { FieldError, Fieldset } from '../web/forms.js';
import { askedOf, practiceSizes, usStates, type TypedField, type UserType } from './fields.js';
import { healthKindLabels, segments, type HealthFlag } from './health-data.js';
import type { IntakeFormProps } from './views.js';

// The intake form's questions, each worded for the chosen type of user from `askedOf`; the
// page's script rewords them in place when the choice changes (public/intake.js).

/** The second section's heading: what its questions are about for each type. */
export const sectionLegend: Record<UserType, string> = {
  patient: 'The bill',
  provider: 'Your practice',
  partner: 'Your organization and the practice you refer',
};

export type Typed = IntakeFormProps & { type: UserType };

/** One question, worded for the chosen type; the script rewords it in place for another. */
function Question(
  p: Typed & {
    name: TypedField;
    children?: (describedBy: string | undefined) => ComponentChildren;
    autocomplete?: string;
    inputmode?: 'numeric' | 'tel' | 'email' | 'text';
    inputType?: string;
    maxLength?: number;
    options?: readonly (readonly [string, string])[];
  },
) {
  const q = askedOf[p.type][p.name];
  const asked = q.need !== 'not_asked';
  const ids = [q.hint ? `${p.name}-hint` : '', p.errors[p.name] ? `${p.name}-error` : '']
    .filter(Boolean)
    .join(' ');
  const described = ids || undefined;
  const common = {
    id: p.name,
    name: p.name,
    required: q.need === 'required',
    disabled: !asked,
    'aria-invalid': p.errors[p.name] ? ('true' as const) : undefined,
    'aria-describedby': described,
    autocomplete: p.autocomplete,
  };
  const value = asked ? (p.values[p.name] ?? '') : '';
  return (
    <div class="field" data-question={p.name} hidden={!asked}>
      <label for={p.name}>
        <span data-label>{q.label}</span>
        <span class="muted" data-optional hidden={q.need !== 'optional'}>
          {' (optional)'}
        </span>
      </label>
      <p class="hint" id={`${p.name}-hint`} data-hint hidden={!q.hint}>
        {q.hint ?? ''}
      </p>
      {p.children ? (
        p.children(described)
      ) : p.options ? (
        <select {...common}>
          <option value="">Choose…</option>
          {p.options.map(([v, label]) => (
            <option value={v} selected={v === value}>
              {label}
            </option>
          ))}
        </select>
      ) : (
        <input
          {...common}
          type={p.inputType ?? 'text'}
          value={value}
          inputMode={p.inputmode}
          maxLength={p.maxLength}
        />
      )}
      <FieldError name={p.name} state={p} />
    </div>
  );
}

export function AboutYou(p: Typed) {
  return (
    <Fieldset legend="About you">
      <Question {...p} name="name" autocomplete="name" maxLength={120} />
      <div class="grid-2">
        <Question
          {...p}
          name="email"
          inputType="email"
          autocomplete="email"
          inputmode="email"
          maxLength={254}
        />
        <Question
          {...p}
          name="phone"
          inputType="tel"
          autocomplete="tel"
          inputmode="tel"
          maxLength={40}
        />
      </div>
    </Fieldset>
  );
}

/** Patients reach a billing company, not their doctor: say plainly what we can and cannot do. */
export function PatientHelp({ site, hidden }: { site: SiteConfig; hidden: boolean }) {
  const p = site.patients;
  return (
    <div class="notice" id="patient-help" data-for="patient" hidden={hidden}>
      <h2>{`What ${site.company.name} can do for patients`}</h2>
      <p>{p.intro}</p>
      <p>We can:</p>
      <ul>
        {p.can.map((c) => (
          <li>{c}</li>
        ))}
      </ul>
      <p>We cannot:</p>
      <ul>
        {p.cannot.map((c) => (
          <li>{c}</li>
        ))}
      </ul>
    </div>
  );
}

export function YourPractice(p: Typed) {
  return (
    <fieldset class="fieldset">
      <legend id="practice-legend">{sectionLegend[p.type]}</legend>
      <Question {...p} name="organization" autocomplete="organization" maxLength={200} />
      <Question
        {...p}
        name="practiceSize"
        options={practiceSizes.map((s) => [s, `${s} provider${s === '1' ? '' : 's'}`] as const)}
      />
      <Question {...p} name="address" autocomplete="street-address" maxLength={200} />
      <div class="grid-3">
        <Question {...p} name="city" autocomplete="address-level2" maxLength={100} />
        <Question
          {...p}
          name="state"
          autocomplete="address-level1"
          options={Object.entries(usStates)}
        />
        <Question {...p} name="zip" autocomplete="postal-code" inputmode="numeric" maxLength={10} />
      </div>
    </fieldset>
  );
}

export function YourNeeds(p: Typed) {
  return (
    <Fieldset legend="What you need">
      {/* Everyone, not only patients: a practice must not send its patients' details either. */}
      <p class="warning" id="phi-warning">
        <strong>No medical information, please:</strong>
        {
          ' please do not enter medical information here, yours or a patient’s: no dates of birth, insurance member numbers, diagnoses or treatment details. We will ask for what we need through a secure channel.'
        }
      </p>
      <Question {...p} name="needs">
        {(described) => (
          <textarea
            id="needs"
            name="needs"
            rows={6}
            maxLength={2000}
            required
            aria-invalid={p.errors.needs || p.flags?.length ? 'true' : undefined}
            aria-describedby={['phi-warning', described].filter(Boolean).join(' ')}
          >
            {p.values.needs ?? ''}
          </textarea>
        )}
      </Question>
      {p.flags?.length ? (
        <div class="checkbox">
          <input type="checkbox" id="confirmNoHealthInfo" name="confirmNoHealthInfo" value="on" />
          <label for="confirmNoHealthInfo">
            The marked passages are not health information about a patient. Send it as it is.
          </label>
        </div>
      ) : null}
    </Fieldset>
  );
}

export function HealthWarning({ needs, flags }: { needs: string; flags: HealthFlag[] }) {
  const kinds = [...new Set(flags.map((f) => f.kind))];
  return (
    <div class="warning" role="alert" id="health-warning">
      <h2>This may contain health information</h2>
      <p>
        {`Part of what you wrote ${kinds.map((k) => healthKindLabels[k]).join(', ')}. Please remove it, or tick the box under your message if it is not health information.`}
      </p>
      <blockquote class="flagged-text">
        {segments(needs, flags).map((s) =>
          s.flag ? <mark title={healthKindLabels[s.flag]}>{s.text}</mark> : s.text,
        )}
      </blockquote>
    </div>
  );
}
