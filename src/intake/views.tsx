import type { SiteConfig } from '../config/site.js';
import { Layout } from '../web/layout.js';
import {
  ErrorSummary,
  Fieldset,
  FieldError,
  Hidden,
  describedBy,
  type FieldState,
} from '../web/forms.js';
import { askedOf, campaignTags, typedFields, userTypes, type UserType } from './fields.js';
import type { HealthFlag } from './health-data.js';
import {
  AboutYou,
  HealthWarning,
  PatientHelp,
  sectionLegend,
  YourNeeds,
  YourPractice,
} from './questions.js';

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
