import { longDate } from '../adapters/dates.js';
import type { SiteConfig } from '../config/site.js';
import { secretLink } from '../privacy/secret-paths.js';
import type { AccessReport } from '../privacy/subject-data.js';
import type { RequestRow } from './repository.js';
import { CenterMessagePage, kindLabels } from './views.js';

const day = (iso: string | null) => (iso ? longDate(iso) : '—');

export function SentPage({ site, gpc }: { site: SiteConfig; gpc: boolean }) {
  return (
    <CenterMessagePage site={site} title="Check your email" gpc={gpc}>
      <p>
        If the address you entered is in our records, we have sent it a link to confirm your
        request. The link works for 24 hours. If no email arrives, check the address and your spam
        folder, or call us.
      </p>
    </CenterMessagePage>
  );
}

export function ChoicesSavedPage({ site, gpc }: { site: SiteConfig; gpc: boolean }) {
  return (
    <CenterMessagePage site={site} title="Your choices are saved" gpc={gpc}>
      <p>
        They took effect at once. An opt-out for an email address or phone number stays in force
        even if you later ask us to delete your information.
      </p>
    </CenterMessagePage>
  );
}

export function InvalidLinkPage({ site, gpc }: { site: SiteConfig; gpc: boolean }) {
  return (
    <CenterMessagePage site={site} title="This link does not work" gpc={gpc}>
      <p role="alert">
        The link has expired, was already used, or was copied incompletely. Please make your request
        again.
      </p>
    </CenterMessagePage>
  );
}

export function ConfirmPage(p: {
  site: SiteConfig;
  gpc: boolean;
  token: string;
  request: RequestRow;
  newEmail: boolean;
}) {
  const what = p.newEmail ? 'Confirm your new email address' : 'Confirm your request';
  return (
    <CenterMessagePage site={p.site} title={what} gpc={p.gpc}>
      <p>
        {p.newEmail
          ? 'Press the button to confirm this is your new address.'
          : `Your request: ${kindLabels[p.request.kind]}.`}
      </p>
      <form method="post" action={secretLink('privacyRequest', p.token)}>
        <button class="button" type="submit">
          Confirm
        </button>
      </form>
    </CenterMessagePage>
  );
}

export function StatusPage({
  site,
  gpc,
  request,
}: {
  site: SiteConfig;
  gpc: boolean;
  request: RequestRow;
}) {
  const closed = request.status === 'completed' || request.status === 'denied';
  return (
    <CenterMessagePage site={site} title="Your request" gpc={gpc}>
      <p>{`${kindLabels[request.kind]}. Received ${day(request.created_at)}.`}</p>
      {closed ? (
        <p>{`Answered ${day(request.responded_at)}. We sent the answer to your email address.`}</p>
      ) : (
        <p>{`We have confirmed it came from you and will answer by ${day(request.due_at)}.`}</p>
      )}
    </CenterMessagePage>
  );
}

export function ReportPage(p: {
  site: SiteConfig;
  gpc: boolean;
  token: string;
  report: AccessReport;
  until: string | null;
}) {
  const r = p.report;
  return (
    <CenterMessagePage site={p.site} title="The information we hold about you" gpc={p.gpc}>
      <p>{`As of ${day(r.generatedAt)}. This page works until ${day(p.until)}.`}</p>
      <p>
        <a
          href={secretLink('privacyRequest', p.token, '/report.json')}
          download="my-information.json"
        >
          Download a copy (JSON)
        </a>
      </p>
      {r.sections.length === 0 ? <p>We hold no records about you.</p> : null}
      {r.sections.map((s, i) => (
        <section aria-labelledby={`sec-${i}`}>
          <h2 id={`sec-${i}`}>{s.title}</h2>
          {s.rows.length === 0 ? (
            <p>Nothing.</p>
          ) : (
            s.rows.map((row) => <Fields row={row} labels={s.labels ?? {}} />)
          )}
        </section>
      ))}
      <section aria-labelledby="consents-h">
        <h2 id="consents-h">Your choices about being contacted</h2>
        {r.consents.length === 0 ? (
          <p>None recorded.</p>
        ) : (
          <ul>
            {r.consents.map((c) => (
              <li>{`${day(c.at)}: ${c.granted ? 'agreed' : 'withdrew'} (${c.purpose}, ${c.channel}). Text shown: “${c.textShown}”`}</li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="disclosures-h">
        <h2 id="disclosures-h">Who received your information</h2>
        {r.disclosures.length === 0 ? (
          <p>No one outside our company.</p>
        ) : (
          <ul>
            {r.disclosures.map((d) => (
              <li>{`${day(d.at)}: ${d.recipient} received ${d.categories.join(', ')}, ${d.basis}, ${d.purpose}.`}</li>
            ))}
          </ul>
        )}
      </section>
    </CenterMessagePage>
  );
}

function Fields({
  row,
  labels,
}: {
  row: Record<string, string | number | null>;
  labels: Record<string, string>;
}) {
  return (
    <dl class="facts">
      {Object.entries(row).map(([k, v]) => [
        <dt>{labels[k] ?? k}</dt>,
        <dd>{v === null || v === '' ? '—' : String(v)}</dd>,
      ])}
    </dl>
  );
}
