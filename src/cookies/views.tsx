import type { SiteConfig } from '../config/site.js';
import type { ChoiceCategory, CookieCategory, PolicyTagVendor } from '../privacy/policy.js';
import type { BrowserChoices } from '../privacy/signals.js';
import { scriptHref } from '../web/assets.js';
import { Layout } from '../web/layout.js';
import { cookieRows, messages, type Lang, type Messages } from './messages.js';
import { snippetHash, type Tag } from './tags.js';

// One set of controls for the banner, its Choose dialog and /cookies: the same form posts to the
// same route, so the three can never disagree about what a choice means.

export interface ChoiceView {
  lang: Lang;
  choices: BrowserChoices;
  gpc: boolean;
  /** Where to go back to after choosing: the page the visitor was on. */
  back: string;
}

const choiceCategories: readonly ChoiceCategory[] = ['analytics', 'advertising'];
const other = (lang: Lang): Lang => (lang === 'en' ? 'es' : 'en');
const langHref = (lang: Lang, back: string) =>
  `/cookies/lang?to=${other(lang)}&back=${encodeURIComponent(back)}`;

function Hidden({ back, source }: { back: string; source: 'banner' | 'cookies_page' }) {
  return (
    <>
      <input type="hidden" name="back" value={back} />
      <input type="hidden" name="source" value={source} />
      {/* Filled by the script when the browser reports navigator.globalPrivacyControl. */}
      <input type="hidden" name="gpc" value="" data-gpc-field />
    </>
  );
}

function GpcNotice({ m }: { m: Messages }) {
  return (
    <p class="cookie-gpc" role="status">
      <strong>{m.gpcHonored}</strong> {m.gpcExplain}
    </p>
  );
}

/** Each cookie of a category: name, purpose, lifetime and who sets it. */
function CookieTable({
  lang,
  category,
  id,
  open,
}: {
  lang: Lang;
  category: CookieCategory;
  id: string;
  open: boolean;
}) {
  const m = messages[lang];
  const rows = cookieRows(lang).filter((c) => c.category === category);
  return (
    <details class="cookie-details" open={open}>
      <summary>{m.cookiesIn}</summary>
      <div class="table-wrap">
        <table class="stack cookie-table">
          <caption
            class="visually-hidden"
            id={id}
          >{`${m.categories[category].label}: ${m.cookie}`}</caption>
          <thead>
            <tr>
              <th scope="col">{m.cookie}</th>
              <th scope="col">{m.purpose}</th>
              <th scope="col">{m.lifetime}</th>
              <th scope="col">{m.party}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((c) => (
              <tr>
                <th scope="row">
                  <code>{c.name}</code>
                </th>
                <td data-label={m.purpose}>{c.purpose}</td>
                <td data-label={m.lifetime}>{c.lifetime}</td>
                <td data-label={m.party}>{c.party === 'first' ? m.first : m.third}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}

/** The per-category switches; `prefix` keeps ids unique when the banner and a page both show them. */
export function ChoiceForm(
  p: ChoiceView & {
    source: 'banner' | 'cookies_page';
    prefix: string;
    vendors?: PolicyTagVendor[];
  },
) {
  const m = messages[p.lang];
  return (
    <form method="post" action="/cookies" class="cookie-form" data-no-track>
      <Hidden back={p.back} source={p.source} />
      <input type="hidden" name="choice" value="custom" />
      <section class="cookie-category" aria-labelledby={`${p.prefix}-necessary`}>
        <h3 id={`${p.prefix}-necessary`}>{m.categories.strictly_necessary.label}</h3>
        <p>{m.categories.strictly_necessary.text}</p>
        <p class="cookie-always">{m.alwaysOn}</p>
        <CookieTable
          lang={p.lang}
          category="strictly_necessary"
          id={`${p.prefix}-necessary-table`}
          open={p.source === 'cookies_page'}
        />
      </section>
      {choiceCategories.map((category) => {
        const id = `${p.prefix}-${category}`;
        const forcedOff = category === 'advertising' && p.gpc;
        const vendors = (p.vendors ?? []).filter((v) => v.category === category);
        return (
          <section class="cookie-category" aria-labelledby={`${id}-title`}>
            <h3 id={`${id}-title`}>{m.categories[category].label}</h3>
            <p id={`${id}-text`}>{m.categories[category].text}</p>
            <div class="cookie-switch">
              <input
                type="checkbox"
                role="switch"
                id={id}
                name={category}
                value="on"
                checked={!forcedOff && p.choices[category] === 'granted'}
                disabled={forcedOff}
                aria-describedby={`${id}-text`}
              />
              <label for={id}>{`${m.on}: ${m.categories[category].label}`}</label>
            </div>
            {forcedOff ? <GpcNotice m={m} /> : null}
            {category === 'analytics' ? (
              <CookieTable
                lang={p.lang}
                category="analytics"
                id={`${id}-table`}
                open={p.source === 'cookies_page'}
              />
            ) : null}
            {vendors.length > 0 ? (
              <>
                <p>{m.vendors}:</p>
                <ul>
                  {vendors.map((v) => (
                    <li>{`${v.vendor}: ${v.receives}`}</li>
                  ))}
                </ul>
              </>
            ) : null}
          </section>
        );
      })}
      <button class="button" type="submit">
        {m.save}
      </button>
    </form>
  );
}

/** The notice on a first visit: Accept all and Reject all side by side, Choose beside them. */
export function CookieBanner(p: ChoiceView) {
  const m = messages[p.lang];
  return (
    <section
      class="cookie-banner"
      lang={p.lang}
      aria-labelledby="cookie-banner-title"
      data-cookie-banner
    >
      <div class="wrap">
        <h2 id="cookie-banner-title">{m.title}</h2>
        <p>{m.intro}</p>
        {p.gpc ? <GpcNotice m={m} /> : null}
        <form method="post" action="/cookies" class="cookie-actions" data-no-track>
          <Hidden back={p.back} source="banner" />
          <button class="button" type="submit" name="choice" value="accept">
            {m.acceptAll}
          </button>
          <button class="button" type="submit" name="choice" value="reject">
            {m.rejectAll}
          </button>
          <a
            class="button secondary"
            href={`/cookies?back=${encodeURIComponent(p.back)}`}
            data-cookie-choose
          >
            {m.choose}
          </a>
        </form>
        <p class="cookie-links">
          <a href="/privacy#cookies">{m.policyLink}</a>
          <a href={langHref(p.lang, p.back)} lang={other(p.lang)} hrefLang={other(p.lang)}>
            {m.switchTo}
          </a>
        </p>
      </div>
      {/* Opened by the script as a modal dialog; without it, Choose is a link to /cookies. */}
      <dialog class="cookie-dialog" id="cookie-dialog" aria-labelledby="cookie-dialog-title">
        <div class="cookie-dialog-head">
          <h2 id="cookie-dialog-title">{m.dialogTitle}</h2>
          <button type="button" class="button secondary small" data-cookie-close>
            {m.close}
          </button>
        </div>
        <ChoiceForm {...p} source="banner" prefix="dlg" />
      </dialog>
      <script src={scriptHref('cookies.js')} defer />
    </section>
  );
}

/** The consented tags of a page, at the end of its body. */
export function TagScripts({ tags }: { tags: readonly Tag[] }) {
  return (
    <>
      {tags.map((t) =>
        t.script_url ? (
          <script src={t.script_url} async data-tag={t.id} />
        ) : (
          // The snippet's hash is in this page's CSP; the console refused any `</script` in it.
          <script
            data-tag={t.id}
            data-hash={snippetHash(t.inline_snippet ?? '')}
            dangerouslySetInnerHTML={{ __html: t.inline_snippet ?? '' }}
          />
        ),
      )}
    </>
  );
}

export function CookiesPage(
  p: ChoiceView & { site: SiteConfig; saved: boolean; vendors: PolicyTagVendor[] },
) {
  const m = messages[p.lang];
  const state = (c: ChoiceCategory) => {
    const v = p.choices[c];
    return v === 'granted' ? m.granted : v === 'denied' ? m.denied : m.none;
  };
  return (
    <Layout site={p.site} title={m.pageTitle} path="/cookies" gpc={p.gpc}>
      <article class="cookies-page" lang={p.lang}>
        <header class="page-intro">
          <h1>{m.pageTitle}</h1>
          <p>{m.pageIntro}</p>
          <p>
            <a href={langHref(p.lang, '/cookies')} lang={other(p.lang)} hrefLang={other(p.lang)}>
              {m.switchTo}
            </a>
          </p>
        </header>
        {p.saved ? (
          <p class="notice success" role="status">
            {m.saved}
          </p>
        ) : null}
        {p.gpc ? <GpcNotice m={m} /> : null}
        <h2>{m.current}</h2>
        <ul>
          {choiceCategories.map((c) => (
            <li>{`${m.categories[c].label}: ${state(c)}`}</li>
          ))}
        </ul>
        <form method="post" action="/cookies" class="cookie-actions" data-no-track>
          <Hidden back="/cookies?saved=1" source="cookies_page" />
          <button class="button" type="submit" name="choice" value="accept">
            {m.acceptAll}
          </button>
          <button class="button" type="submit" name="choice" value="reject">
            {m.rejectAll}
          </button>
        </form>
        <h2>{m.dialogTitle}</h2>
        <ChoiceForm
          {...p}
          back="/cookies?saved=1"
          source="cookies_page"
          prefix="page"
          vendors={p.vendors}
        />
      </article>
    </Layout>
  );
}
