import type { PolicyPageProps } from './privacy-page.js';
import { groupBy, listJoin, sentence } from './text.js';

// The sections of the generated privacy policy that are mostly tables: what each kind of
// information is for, who processes it for us, and which cookies exist. On a phone each
// table row becomes a block (table.stack in site.css).

export function Uses({ model }: PolicyPageProps) {
  return (
    <>
      <p>We use the information above only for these purposes:</p>
      <ul>
        {model.purposes.map((p) => (
          <li>{sentence(p.text)}.</li>
        ))}
      </ul>
      {model.smsOnly.length > 0 ? (
        <p class="notice">
          <strong>{`${sentence(listJoin(model.smsOnly))}: `}</strong>
          used only to send you text messages you agreed to receive, and never shared with anyone
          else.
        </p>
      ) : null}
      <p>Each kind of information is limited to its own purposes:</p>
      <div class="table-wrap">
        <table class="stack">
          <caption class="visually-hidden">What each kind of information is used for</caption>
          <thead>
            <tr>
              <th scope="col">Information</th>
              <th scope="col">Used for</th>
            </tr>
          </thead>
          <tbody>
            {/* Kinds with the same purposes share a row, which keeps the table short on a phone. */}
            {groupBy(model.categories, (cat) => cat.purposes.join('|')).map(([, cats]) => (
              <tr>
                <th scope="row">
                  <Lines items={cats.map((cat) => sentence(cat.label))} />
                </th>
                <td data-label="Used for">
                  <Lines items={cats[0]!.purposes.map(sentence)} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

/** One item as text, several as a compact list. */
function Lines({ items }: { items: readonly string[] }) {
  if (items.length === 1) return <>{items[0]}</>;
  return (
    <ul class="compact">
      {items.map((i) => (
        <li>{i}</li>
      ))}
    </ul>
  );
}

export function Processors({ model }: PolicyPageProps) {
  if (model.processors.length === 0) {
    return (
      <p>
        No outside company processes personal information on our behalf at present. If that changes,
        each one will be listed here, with what it receives and why, in a new version of this
        policy. Service providers may use what they receive only to do their work for us.
      </p>
    );
  }
  return (
    <>
      <p>These companies process information on our behalf and may use it only to do that work:</p>
      <div class="table-wrap">
        <table class="stack">
          <thead>
            <tr>
              <th scope="col">Provider</th>
              <th scope="col">Receives</th>
              <th scope="col">Why</th>
            </tr>
          </thead>
          <tbody>
            {model.processors.map((p) => (
              <tr>
                <th scope="row">{p.name}</th>
                <td data-label="Receives">{sentence(listJoin(p.receives))}</td>
                <td data-label="Why">{sentence(p.purpose)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

const cookieCategoryLabels = {
  strictly_necessary: 'Strictly necessary',
  analytics: 'Analytics, only if you agree',
  advertising: 'Advertising, only if you agree',
} as const;

export function CookiesSection({ model }: PolicyPageProps) {
  return (
    <>
      <p>
        Our website sets the cookies below. Strictly necessary ones run the site and remember your
        choices; analytics cookies are set only after you agree to them, and advertising
        partners&apos; code loads only after you agree to advertising. Until you choose, only
        strictly necessary cookies are set. If your browser sends a Global Privacy Control signal,
        advertising stays off. You can change your choice at any time on the{' '}
        <a href="/cookies">cookie choices</a> page.
      </p>
      <div class="table-wrap">
        <table class="stack">
          <caption class="visually-hidden">Cookies this website sets</caption>
          <thead>
            <tr>
              <th scope="col">Cookie</th>
              <th scope="col">What it does</th>
              <th scope="col">Kind</th>
              <th scope="col">Kept for</th>
              <th scope="col">Set by</th>
            </tr>
          </thead>
          <tbody>
            {model.cookies.map((c) => (
              <tr>
                <th scope="row">
                  <code>{c.name}</code>
                </th>
                <td data-label="What it does">{sentence(c.purpose)}.</td>
                <td data-label="Kind">{cookieCategoryLabels[c.category]}</td>
                <td data-label="Kept for">{c.lifetime}</td>
                <td data-label="Set by">{c.party === 'first' ? 'Us' : 'Another company'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <TagVendors model={model} />
      {model.capabilities.analytics ? <AutomaticCollection model={model} /> : null}
      <p>
        Like every web server, ours receives your IP address and your browser&apos;s description of
        itself with each request. We use them to deliver pages and to protect the site from abuse.
        {` Code from other companies never loads on pages where you type personal information or are signed in: ${listJoin(sensitivePages(model))}.`}
      </p>
    </>
  );
}

/** The pages where no other company's code loads, as far as they exist (src/cookies/tags.ts). */
function sensitivePages({ capabilities: can }: PolicyPageProps['model']): string[] {
  return [
    'the intake form',
    ...(can.partnerLeads ? ['partner applications and the partner area'] : []),
    ...(can.privacyCenter ? ['the Privacy Center'] : []),
    ...(can.clientPortal ? ['the client portal'] : []),
    'the staff console',
  ];
}

/** What our own analytics records on a visit, what the IP address is used for, and why. */
function AutomaticCollection({ model }: Pick<PolicyPageProps, 'model'>) {
  return (
    <>
      <h3>What our website records when you visit</h3>
      <p>
        Our own analytics, run by us and shared with no one, records the pages you view, the website
        or search engine that sent you and any campaign tags in the link, the buttons and features
        you use, your browser and its version, your operating system and the kind of device. Your IP
        address is used for a moment to estimate your approximate location (country, region and
        city) and, when you have not agreed to analytics cookies, to compute a visitor code from a
        random value that is replaced every day and then deleted; the IP address itself is not
        stored with your visit. If your browser sends a Global Privacy Control or Do Not Track
        signal, no visitor code or cookie is kept at all.
      </p>
      <p>We use these records to:</p>
      <ul>
        <li>see how visitors move through the website, and improve it where they struggle;</li>
        <li>learn which features people use, to decide what to build next;</li>
        <li>learn which kinds of devices our visitors have, so the site works well on them;</li>
        {model.capabilities.clientPortal ? (
          <li>
            tell visits by our existing clients apart from visits by prospective clients, for our
            marketing and sales;
          </li>
        ) : null}
        <li>see how people find us, so that our advertising works better.</li>
      </ul>
    </>
  );
}

/** Every company whose tag may load after consent, with what it receives. */
function TagVendors({ model }: Pick<PolicyPageProps, 'model'>) {
  if (model.tagVendors.length === 0)
    return <p>No other company&apos;s code loads on our website at present.</p>;
  return (
    <>
      <p>
        These companies are our service providers, bound by a contract with us. After you agree to
        their category, their code may load on our public pages, and each receives only what is
        listed here:
      </p>
      <ul>
        {model.tagVendors.map((v) => (
          <li>{`${v.vendor} (${v.category}): receives ${v.receives}`}</li>
        ))}
      </ul>
    </>
  );
}
