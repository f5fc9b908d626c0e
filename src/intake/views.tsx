import type { SiteConfig } from '../config/site.js';
import { Layout } from '../web/layout.js';
import {
  ErrorSummary,
  Field,
  Fieldset,
  FieldError,
  Hidden,
  SelectField,
  TextField,
  describedBy,
  type FieldState,
} from '../web/forms.js';
import { campaignTags, practiceSizes, usStates, userTypes } from './fields.js';
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

const labels: Record<string, string> = {
  userType: 'I am a',
  name: 'Your name',
  organization: 'Practice or organization name',
  practiceSize: 'Practice size',
  address: 'Street address',
  city: 'City',
  state: 'State',
  zip: 'ZIP code',
  email: 'Email address',
  phone: 'Telephone, for text messages',
  needs: 'What do you need help with?',
};

const userTypeLabels: Record<(typeof userTypes)[number], string> = {
  patient: 'Patient (a question about a bill)',
  provider: 'Provider or practice',
  partner: 'Partner (referring practices to us)',
};

export function IntakeFormPage(p: IntakeFormProps) {
  return (
    <Layout
      site={p.site}
      title="Get started"
      path="/get-started"
      scripts={['/static/intake.js']}
      gpc={p.gpc}
    >
      <section class="form-page">
        <h1>Tell us about your practice</h1>
        <p class="lead">
          {`Send us a few details and someone from ${p.site.company.name} will get back to you.`}
        </p>
        <ErrorSummary state={p} labels={labels} message={p.message} />
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
          <AboutYou {...p} />
          <YourPractice {...p} />
          <YourNeeds {...p} />
          <Choices {...p} />
          <p class="notice" id="collection-notice">
            {`We use these details to answer your request. We do not share what you send through this form with third parties. `}
            <a href="/privacy">Read our privacy policy</a>
            {' to see what we keep, why, and for how long.'}
          </p>
          <button class="button" type="submit" data-submit-once>
            Send
          </button>
        </form>
      </section>
    </Layout>
  );
}

function AboutYou(p: IntakeFormProps) {
  const current = p.values.userType ?? '';
  return (
    <Fieldset legend="About you">
      <div
        class="field"
        role="radiogroup"
        aria-labelledby="userType-label"
        aria-describedby={describedBy('userType', p)}
      >
        <p class="label" id="userType-label">
          {labels.userType}
        </p>
        {userTypes.map((t, i) => (
          <div class="checkbox">
            <input
              type="radio"
              name="userType"
              id={i === 0 ? 'userType' : `userType-${t}`}
              value={t}
              checked={current === t}
              required
            />
            <label for={i === 0 ? 'userType' : `userType-${t}`}>{userTypeLabels[t]}</label>
          </div>
        ))}
        <FieldError name="userType" state={p} />
      </div>
      <TextField name="name" label={labels.name!} state={p} autocomplete="name" maxLength={120} />
      <div class="grid-2">
        <TextField
          name="email"
          label={labels.email!}
          type="email"
          state={p}
          autocomplete="email"
          inputmode="email"
          maxLength={254}
        />
        <TextField
          name="phone"
          label={labels.phone!}
          type="tel"
          state={p}
          autocomplete="tel"
          inputmode="tel"
          required={false}
          hint="Optional, only if you want text messages (tick the box below too). A US number, used for texts and nothing else, never shared."
          maxLength={40}
        />
      </div>
    </Fieldset>
  );
}

function YourPractice(p: IntakeFormProps) {
  return (
    <Fieldset legend="Your practice">
      <p class="hint">Patients can leave the practice name and size empty.</p>
      <TextField
        name="organization"
        label={labels.organization!}
        state={p}
        autocomplete="organization"
        required={false}
        maxLength={200}
      />
      <SelectField
        name="practiceSize"
        label={labels.practiceSize!}
        state={p}
        required={false}
        options={practiceSizes.map((s) => [s, `${s} provider${s === '1' ? '' : 's'}`] as const)}
      />
      <TextField
        name="address"
        label={labels.address!}
        state={p}
        autocomplete="street-address"
        maxLength={200}
      />
      <div class="grid-3">
        <TextField
          name="city"
          label={labels.city!}
          state={p}
          autocomplete="address-level2"
          maxLength={100}
        />
        <SelectField
          name="state"
          label={labels.state!}
          state={p}
          autocomplete="address-level1"
          options={Object.entries(usStates)}
        />
        <TextField
          name="zip"
          label={labels.zip!}
          state={p}
          autocomplete="postal-code"
          inputmode="numeric"
          maxLength={10}
        />
      </div>
    </Fieldset>
  );
}

function YourNeeds(p: IntakeFormProps) {
  return (
    <Fieldset legend="What you need">
      <p class="warning" id="phi-warning">
        <strong>Patients:</strong>
        {
          ' please do not enter medical information here: no dates of birth, insurance member numbers, diagnoses or treatment details. We will ask for what we need through a secure channel.'
        }
      </p>
      <Field
        name="needs"
        label={labels.needs!}
        state={p}
        hint="For example: denied claims, coding, credentialing, a question about a bill."
      >
        <textarea
          id="needs"
          name="needs"
          rows={6}
          maxLength={2000}
          required
          aria-invalid={p.errors.needs || p.flags?.length ? 'true' : undefined}
          aria-describedby={['phi-warning', describedBy('needs', p, true)]
            .filter(Boolean)
            .join(' ')}
        >
          {p.values.needs ?? ''}
        </textarea>
      </Field>
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
        />
        <label for="consentSms">
          {p.consent.sms} <a href="/privacy">Privacy policy</a>.
        </label>
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
