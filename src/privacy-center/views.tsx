import type { ComponentChildren } from 'preact';
import type { SiteConfig } from '../config/site.js';
import type { PrivacyRequestKind } from '../db/schema.js';
import {
  ErrorSummary,
  FieldError,
  Fieldset,
  SelectField,
  TextField,
  describedBy,
  type FieldState,
} from '../web/forms.js';
import { Layout } from '../web/layout.js';
import { choiceTexts } from './choices.js';
import { correctableFields, correctableLabels } from './fields.js';
import type { BrowserChoices } from '../privacy/signals.js';

export const requestLabels: Record<string, string> = {
  kind: 'What would you like us to do?',
  email: 'Your email address',
  correctionField: 'Which detail is wrong?',
  correctionValue: 'The correct value',
  phone: 'Your telephone number',
};

export const kindLabels: Record<PrivacyRequestKind, string> = {
  access: 'Show me the information you hold about me, with a copy I can download',
  correction: 'Correct information you hold about me',
  deletion: 'Delete the information you hold about me',
};

export function GpcHonored({ gpc }: { gpc: boolean }) {
  return gpc ? (
    <p class="notice" role="status" id="gpc-honored">
      <strong>Opt-out preference signal honored.</strong>
      {
        ' Your browser sent a Global Privacy Control signal, so we treat this browser as opted out of the sale and sharing of personal information and of advertising.'
      }
    </p>
  ) : null;
}

export interface CenterProps {
  site: SiteConfig;
  token: string;
  gpc: boolean;
  browser: BrowserChoices;
  request: FieldState & { message?: string | undefined };
  choices: FieldState & { message?: string | undefined };
}

export function PrivacyCenterPage(p: CenterProps) {
  return (
    <Layout site={p.site} title="Privacy Center" path="/privacy-center" gpc={p.gpc}>
      <section class="form-page">
        <h1>Privacy Center</h1>
        <p class="lead">
          See, correct or delete the information we hold about you, and make your privacy choices.
        </p>
        <GpcHonored gpc={p.gpc} />
        <RequestForm {...p} />
        <ChoicesForm {...p} />
        <section aria-labelledby="how-h">
          <h2 id="how-h">How we answer</h2>
          <p>
            We confirm we received your request as soon as you confirm it, and answer within 45
            days. If we need more time, we tell you why before those 45 days end, and answer within
            45 more. We keep a record of each request and our answer for 24 months after it is
            closed, and use that record for nothing else.
          </p>
          <p>
            <a href="/privacy">Read our privacy policy</a>
          </p>
        </section>
      </section>
    </Layout>
  );
}

function RequestForm(p: CenterProps) {
  const s = p.request;
  const kind = s.values.kind ?? '';
  return (
    <section aria-labelledby="request-h" id="request">
      <h2 id="request-h">Ask about your information</h2>
      <p>
        To protect you, we send a link to the email address you gave us. Open it to confirm the
        request is yours. If the address is not in our records, no email is sent.
      </p>
      <ErrorSummary state={s} labels={requestLabels} message={s.message} />
      <form class="form" method="post" action="/privacy-center/request" novalidate>
        <input type="hidden" name="formToken" value={p.token} />
        <div class="honeypot" aria-hidden="true">
          <label for="website">Leave this field empty</label>
          <input id="website" name="website" type="text" tabindex={-1} autocomplete="off" />
        </div>
        <fieldset class="fieldset" aria-describedby={describedBy('kind', s)}>
          <legend id="kind">{requestLabels.kind}</legend>
          {(Object.keys(kindLabels) as PrivacyRequestKind[]).map((k) => (
            <div class="checkbox">
              <input
                type="radio"
                name="kind"
                id={`kind-${k}`}
                value={k}
                checked={kind === k}
                required
              />
              <label for={`kind-${k}`}>{kindLabels[k]}</label>
            </div>
          ))}
          <FieldError name="kind" state={s} />
        </fieldset>
        <TextField
          name="email"
          label={requestLabels.email!}
          type="email"
          state={s}
          autocomplete="email"
          inputmode="email"
          maxLength={254}
          hint="The address you gave us. The link to confirm your request goes there."
        />
        <Fieldset legend="Only for a correction">
          <SelectField
            name="correctionField"
            label={requestLabels.correctionField!}
            state={s}
            required={false}
            options={correctableFields.map((f) => [f, correctableLabels[f]] as const)}
          />
          <TextField
            name="correctionValue"
            label={requestLabels.correctionValue!}
            state={s}
            required={false}
            maxLength={300}
            hint="To change your email address, we also send a link to the new address to confirm it."
          />
        </Fieldset>
        <button class="button" type="submit" data-submit-once>
          Send request
        </button>
      </form>
    </section>
  );
}

function ChoicesForm(p: CenterProps) {
  const s = p.choices;
  const adOn = p.browser.advertising === 'granted' && !p.gpc;
  return (
    <section aria-labelledby="choices-h" id="choices">
      <h2 id="choices-h">Your privacy choices</h2>
      <p>
        These take effect at once. We do not need to confirm who you are to stop using your
        information.
      </p>
      <ErrorSummary
        state={s}
        labels={{ ...requestLabels, email: 'Email address', phone: 'Telephone' }}
        message={s.message}
      />
      <form class="form" method="post" action="/privacy-center/choices" novalidate>
        <fieldset class="fieldset">
          <legend>This browser</legend>
          <BrowserRadio
            name="analyticsCookies"
            legend="Analytics cookies"
            current={p.browser.analytics}
          />
          {p.gpc ? (
            <p class="hint">
              Advertising cookies: off. Your browser’s opt-out preference signal is honored.
            </p>
          ) : (
            <BrowserRadio
              name="advertisingCookies"
              legend="Advertising cookies and sharing"
              current={adOn ? 'granted' : p.browser.advertising}
            />
          )}
        </fieldset>
        <Fieldset legend="Your email address or phone number">
          <p class="hint">
            Give the address or number you gave us, so your choice follows you and not only this
            browser.
          </p>
          <div class="grid-2">
            <TextField
              name="email"
              label="Email address"
              type="email"
              state={s}
              autocomplete="email"
              inputmode="email"
              required={false}
              maxLength={254}
            />
            <TextField
              name="phone"
              label="Telephone"
              type="tel"
              state={s}
              autocomplete="tel"
              inputmode="tel"
              required={false}
              maxLength={40}
            />
          </div>
          {(['marketing', 'sms', 'advertising', 'sensitive'] as const).map((k) => (
            <div class="checkbox">
              <input
                type="checkbox"
                id={`choice-${k}`}
                name={k}
                value="on"
                checked={s.values[k] === 'on'}
              />
              <label for={`choice-${k}`}>{choiceTexts[k]}</label>
            </div>
          ))}
        </Fieldset>
        <button class="button" type="submit">
          Save my choices
        </button>
      </form>
    </section>
  );
}

function BrowserRadio({
  name,
  legend,
  current,
}: {
  name: string;
  legend: string;
  current: string | undefined;
}) {
  return (
    <fieldset class="fieldset">
      <legend>{legend}</legend>
      <div class="checkbox">
        <input
          type="radio"
          id={`${name}-allow`}
          name={name}
          value="allow"
          checked={current === 'granted'}
        />
        <label for={`${name}-allow`}>Allow</label>
      </div>
      <div class="checkbox">
        <input
          type="radio"
          id={`${name}-deny`}
          name={name}
          value="deny"
          checked={current === 'denied'}
        />
        <label for={`${name}-deny`}>Do not allow</label>
      </div>
    </fieldset>
  );
}

/** A short page: what happened and where to go next. */
export function CenterMessagePage(p: {
  site: SiteConfig;
  title: string;
  gpc: boolean;
  children: ComponentChildren;
}) {
  return (
    <Layout site={p.site} title={p.title} path="/privacy-center" gpc={p.gpc}>
      <section class="message">
        <h1>{p.title}</h1>
        <GpcHonored gpc={p.gpc} />
        {p.children}
        <p>
          <a href="/privacy-center">Back to the Privacy Center</a>
        </p>
      </section>
    </Layout>
  );
}
