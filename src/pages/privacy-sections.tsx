import { telHref } from '../web/layout.js';
import type { PolicyPageProps } from './privacy-page.js';
import { groupBy, listJoin, longDate, sentence } from './text.js';

// The sections of the generated privacy policy, in page order. Lists come from the model;
// sentences around them are plain, fixed commitments that the code already keeps.

const Email = ({ to }: { to: string }) => <a href={`mailto:${to}`}>{to}</a>;

export function WhoWeAre({ site }: PolicyPageProps) {
  const c = site.company;
  return (
    <>
      <p>
        {`${c.legalName} ("${c.shortName}", "we", "us") runs the website ${c.domain}. This policy covers that website and any place offline that points to it. Other websites we link to have their own privacy practices, which we do not control.`}
      </p>
      <dl class="facts">
        <dt>Postal address</dt>
        <dd>
          <address>
            {c.legalName}
            <br />
            {c.address.street}
            <br />
            {`${c.address.city}, ${c.address.state} ${c.address.zip}`}
          </address>
        </dd>
        <dt>Phone</dt>
        <dd>
          <a href={telHref(c.phone)}>{c.phone}</a>
        </dd>
        <dt>General questions</dt>
        <dd>
          <Email to={c.email} />
        </dd>
        <dt>Privacy questions and requests</dt>
        <dd>
          <Email to={c.privacyEmail} />
        </dd>
      </dl>
    </>
  );
}

export function Collect({ model }: PolicyPageProps) {
  const can = model.capabilities;
  // Grouped by whom it concerns, so each reader finds their own part quickly.
  const groups = groupBy(model.categories, (cat) => listJoin(cat.subjects));
  return (
    <>
      <p>
        {can.analytics
          ? 'We collect what you type into our forms, what our staff need to sign in, and some details our website records by itself when you visit (see cookies and automatic collection below).'
          : 'We collect what you type into our forms and what our staff need to sign in.'}
      </p>
      {groups.map(([people, cats]) => (
        <div class="policy-group">
          <h3>{`Information about ${people}`}</h3>
          <ul>
            {cats.map((cat) => (
              <li>{sentence(cat.label)}</li>
            ))}
          </ul>
        </div>
      ))}
      {can.clientPortal ? (
        <p>
          If your practice is our client and you have an account, we keep your username and your
          practice&apos;s Practice ID so that you can sign in.
        </p>
      ) : null}
      {can.partnerLeads ? (
        <p>
          When a partner refers an organization to us, the partner sends us about it: who it is and
          where, how to reach its contact person, what it needs, what it has bought before and how
          it prefers to buy. We also keep the partner&apos;s own details.
        </p>
      ) : null}
      <p>
        We do not ask for health information on this website. Please do not send us any through it:
        see <a href="#customer-data">information we handle for our clients</a>.
      </p>
    </>
  );
}

export function Retention({ model }: PolicyPageProps) {
  const rules = [...new Set(model.categories.flatMap((c) => c.retention))];
  return (
    <>
      <p>
        We keep information only as long as its purpose needs, or longer where the law requires it.
        When the period ends, we delete it or remove everything that could identify you.
      </p>
      <dl class="retention">
        {rules.map((rule) => (
          <>
            <dt>{sentence(rule)}</dt>
            <dd>
              {sentence(
                listJoin(
                  model.categories.filter((c) => c.retention.includes(rule)).map((c) => c.label),
                ),
              )}
              .
            </dd>
          </>
        ))}
      </dl>
    </>
  );
}

export function Sharing({ model }: PolicyPageProps) {
  return (
    <>
      <ul>
        <li>
          Nothing you send us through our intake form is given to any third party. Service providers
          that work for us (listed below) are not third parties in this sense: they handle
          information only on our instructions and may not pass it on.
        </li>
        {model.smsOnly.length > 0 ? (
          <li>{`${sentence(listJoin(model.smsOnly))} ${model.smsOnly.length > 1 ? 'are' : 'is'} used only for text messages and never shared.`}</li>
        ) : null}
        <li>
          We do not share information with related companies, such as a parent or sister company,
          for their business or commercial purposes.
        </li>
        {model.capabilities.partnerReviews ? (
          <li>
            Reviews of partners that appear publicly on our website are not handed to anyone else by
            us for their own purposes.
          </li>
        ) : null}
      </ul>
      <p>Information leaves us only in these situations:</p>
      <ol class="bases">
        {model.disclosures.map((d) => (
          <li>{sentence(d.text)}.</li>
        ))}
      </ol>
    </>
  );
}

export function Choices({ site, model }: PolicyPageProps) {
  const c = site.company;
  const can = model.capabilities;
  return (
    <>
      <ul>
        {can.privacyCenter ? (
          <li>
            Use our <a href="/privacy-center">Privacy Center</a> to ask what we hold about you, or
            to correct or delete it. So that no one else can see or change your information, we
            email a confirmation link to the address you give, and the request covers only what we
            hold under that address. We answer within 45 days; if we need longer, we tell you why
            before those days are over.
          </li>
        ) : null}
        <li>
          You can also write to <Email to={c.privacyEmail} /> with any of these requests. We may ask
          you to confirm it is you before we act.
        </li>
        <li>
          {can.privacyCenter
            ? 'To stop marketing email or text messages, make that choice in the Privacy Center or write to us, at any time.'
            : 'To stop marketing email or text messages, write to us at any time.'}
          {can.marketingEmail ? ' Every marketing email also has an unsubscribe link.' : ''}
        </li>
        {can.sms ? (
          <li>
            {`Text messages from ${site.sms.programName} (${site.sms.frequency}): reply STOP to stop them, or HELP for help. Agreeing to texts is never a condition of working with us.`}
          </li>
        ) : null}
        {can.clientPortal ? (
          <li>
            Client practice users can change which messages they receive at any time in the client
            portal.
          </li>
        ) : null}
        <li>
          Choose which cookies we may use on the <a href="/cookies">cookie choices</a> page. If your
          browser sends a Global Privacy Control signal, we treat it as a request not to sell or
          share your information or use it for advertising.
        </li>
      </ul>
      <p>{`You can also reach us by post at the address above or by phone at ${c.phone}.`}</p>
    </>
  );
}

export function CustomerData({ site }: PolicyPageProps) {
  return (
    <>
      <p>
        {`When a practice hires ${site.company.name}, we process its patients' information on the practice's behalf, under our agreement with it, including a Business Associate Agreement as HIPAA requires. That information is governed by those agreements and by the practice's own privacy notice, not by this policy. If you are a patient, your practice can tell you how it handles your information.`}
      </p>
      <p class="warning">
        <strong>This website is not the place for patient health information.</strong> Please do not
        enter dates of birth, insurance member numbers, diagnoses or treatment details in our forms.
        We will arrange a secure channel for anything we need.
      </p>
    </>
  );
}

export function Security() {
  return (
    <p>
      We protect information with administrative, physical and technical measures: access only for
      staff who need it, passwords stored only as one-way hashes, and records of staff sign-ins. No
      way of sending or storing information over the internet is perfectly secure, so we cannot
      promise that it never will be exposed, but we work to prevent it and will tell you if the law
      requires us to.
    </p>
  );
}

export function Changes({ version, history }: PolicyPageProps) {
  return (
    <>
      <p>
        When what we collect or how we use it changes, this page changes with it and gets a new
        version number and date. If a change is significant and we relied on your consent, we will
        ask for it again.
      </p>
      <ul class="history">
        {[...history].reverse().map((v) => (
          <li aria-current={v === version ? 'true' : undefined}>
            <strong>{`Version ${v.version}`}</strong>
            {`, effective ${longDate(v.effective)}: ${v.summary}`}
          </li>
        ))}
      </ul>
    </>
  );
}
