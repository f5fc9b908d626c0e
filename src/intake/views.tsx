import type { SiteConfig } from '../config/site.js';
import { Layout } from '../web/layout.js';
import type { ComponentChildren } from 'preact';
import {
  ErrorSummary,
  Fieldset,
  FieldError,
  Hidden,
  describedBy,
  type FieldState,
} from '../web/forms.js';
import {
  askedOf,
  campaignTags,
  practiceSizes,
  typedFields,
  usStates,
  userTypes,
  type TypedField,
  type UserType,
} from './fields.js';
import { healthKindLabels, segments, type HealthFlag } from './health-data.js';

export interface IntakeFormProps extends FieldState {
  site: SiteConfig;
  token: string;
  consent: { marketing: string; sms: string };
  message?: string | undefined;
  flags?: HealthFlag[] | undefined;
  /** The request carried a Global Privacy Control signal. */
  gpc?: boolean | undefined;
}

const userTypeLabels: Record<UserType, string> = {
  patient: 'Patient (a question about a bill)',
  provider: 'Provider or practice',
  partner: 'Partner (referring practices to us)',
};

/** The second section's heading: what its questions are about for each type. */
const sectionLegend: Record<UserType, string> = {
  patient: 'The bill',
  provider: 'Your practice',
  partner: 'Your organization and the practice you refer',
};

const chosenType = (values: Record<string, string>): UserType | undefined =>
  (userTypes as readonly string[]).includes(values.userType ?? '')
    ? (values.userType as UserType)
    : undefined;

/** Labels for the error summary, as the chosen type's form words them. */
export function summaryLabels(type: UserType | undefined): Record<string, string> {
  const labels: Record<string, string> = {
    userType: 'I am a',
    consentSms: 'Text messages',
    consentMarketing: 'Email about our services',
    confirmNoHealthInfo: 'Health information',
  };
  for (const f of typedFields)
    labels[f] = type ? askedOf[type][f].label : askedOf.provider[f].label;
  return labels;
}

/** What the page's script needs to word the form for another type without asking the server. */
const questionsJson = () =>
  JSON.stringify({ fields: askedOf, legends: sectionLegend }).replace(/</g, '\\u003c');

export function IntakeFormPage(p: IntakeFormProps) {
  const type = chosenType(p.values);
  return (
    <Layout
      site={p.site}
      title="Get started"
      path="/get-started"
      scripts={['/static/intake.js']}
      gpc={p.gpc}
    >
      <section class="form-page">
        <h1>Tell us how we can help</h1>
        <p class="lead">
          {`Send us a few details and someone from ${p.site.company.name} will get back to you. Choose who you are first: we ask each only what we need.`}
        </p>
        <ErrorSummary state={p} labels={summaryLabels(type)} message={p.message} />
        {p.gpc ? (
          <p class="notice" role="status" id="gpc-honored">
            <strong>Opt-out preference signal honored.</strong>
            {
              ' Your browser sent a Global Privacy Control signal: we will not sell or share what you send, or use it for advertising.'
            }
          </p>
        ) : null}
        {p.flags?.length ? <HealthWarning needs={p.values.needs ?? ''} flags={p.flags} /> : null}
        <form class="form" method="post" action="/get-started" novalidate>
          <input type="hidden" name="formToken" value={p.token} />
          <Hidden name="referrer" value={p.values.referrer} />
          {campaignTags.map((t) => (
            <Hidden name={t} value={p.values[t]} />
          ))}
          <div class="honeypot" aria-hidden="true">
            <label for="website">Leave this field empty</label>
            <input id="website" name="website" type="text" tabindex={-1} autocomplete="off" />
          </div>
          <script
            type="application/json"
            id="intake-questions"
            dangerouslySetInnerHTML={{ __html: questionsJson() }}
          />
          <TypeChoice {...p} type={type} />
          <div id="intake-details" hidden={!type}>
            <AboutYou {...p} type={type ?? 'provider'} />
            <PatientHelp site={p.site} hidden={type !== 'patient'} />
            <YourPractice {...p} type={type ?? 'provider'} />
            <YourNeeds {...p} type={type ?? 'provider'} />
            <Choices {...p} />
            <p class="notice" id="collection-notice">
              {`We use these details to answer your request. We do not share what you send through this form with third parties. `}
              <a href="/privacy#what-we-collect">Read our privacy policy</a>
              {
                ' to see what we keep from each of patients, providers and partners, why, and for how long.'
              }
            </p>
            <button class="button" type="submit" data-submit-once>
              Send
            </button>
          </div>
        </form>
      </section>
    </Layout>
  );
}

type Typed = IntakeFormProps & { type: UserType };

function TypeChoice(p: IntakeFormProps & { type: UserType | undefined }) {
  return (
    <Fieldset legend="Who you are">
      <div
        class="field"
        role="radiogroup"
        aria-labelledby="userType-label"
        aria-describedby={describedBy('userType', p)}
      >
        <p class="label" id="userType-label">
          I am a
        </p>
        {userTypes.map((t, i) => (
          <div class="checkbox">
            <input
              type="radio"
              name="userType"
              id={i === 0 ? 'userType' : `userType-${t}`}
              value={t}
              checked={p.type === t}
              required
            />
            <label for={i === 0 ? 'userType' : `userType-${t}`}>{userTypeLabels[t]}</label>
          </div>
        ))}
        <FieldError name="userType" state={p} />
      </div>
      {/* Without JavaScript the choice is sent to the server, which shows its questions. */}
      <button
        class="button secondary"
        type="submit"
        name="show"
        value="questions"
        formnovalidate
        id="show-questions"
      >
        {p.type ? 'Show the questions for this choice' : 'Continue'}
      </button>
    </Fieldset>
  );
}

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

function AboutYou(p: Typed) {
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
function PatientHelp({ site, hidden }: { site: SiteConfig; hidden: boolean }) {
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

function YourPractice(p: Typed) {
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

function YourNeeds(p: Typed) {
  return (
    <Fieldset legend="What you need">
      <p class="warning" id="phi-warning">
        <strong>Patients:</strong>
        {
          ' please do not enter medical information here: no dates of birth, insurance member numbers, diagnoses or treatment details. We will ask for what we need through a secure channel.'
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

function Choices(p: IntakeFormProps) {
  return (
    <Fieldset legend="Staying in touch (optional)">
      <div class="checkbox">
        <input
          type="checkbox"
          id="consentMarketing"
          name="consentMarketing"
          value="on"
          checked={p.values.consentMarketing === 'on'}
        />
        <label for="consentMarketing">{p.consent.marketing}</label>
      </div>
      <div class="checkbox">
        <input
          type="checkbox"
          id="consentSms"
          name="consentSms"
          value="on"
          checked={p.values.consentSms === 'on'}
          aria-invalid={p.errors.consentSms ? 'true' : undefined}
          aria-describedby={describedBy('consentSms', p)}
        />
        <label for="consentSms">
          {p.consent.sms} <a href="/privacy">Privacy policy</a>.
        </label>
        <FieldError name="consentSms" state={p} />
      </div>
    </Fieldset>
  );
}

function HealthWarning({ needs, flags }: { needs: string; flags: HealthFlag[] }) {
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

export function ThanksPage({ site }: { site: SiteConfig }) {
  return (
    <Layout site={site} title="Thank you" path="/get-started/thanks">
      <section class="message">
        <h1>Thank you, we have your request</h1>
        <p>{`Someone from ${site.company.name} will be in touch soon, usually within one business day.`}</p>
        <p>
          A short confirmation is on its way to the email address you gave, unless we sent you one
          earlier today. It says how to reach our privacy officer.
        </p>
        <p>
          {`If it is urgent, call us at `}
          <a href={`tel:${site.company.phone.replace(/[^0-9+]/g, '')}`}>{site.company.phone}</a>
          {`, ${site.company.hours}.`}
        </p>
        <p>
          <a href="/">Back to the home page</a>
        </p>
      </section>
    </Layout>
  );
}
