import type { SiteConfig } from '../config/site.js';
import { Layout } from '../web/layout.js';
import { Cards, PageIntro, Steps } from './parts.js';

export function PartnersPage({ site }: { site: SiteConfig }) {
  const p = site.partners;
  return (
    <Layout site={site} title={p.headline} path="/partners" description={p.intro}>
      <PageIntro title={p.headline} lead={p.intro} />
      <p class="actions">
        {/* Applications go through the intake form until the partner portal exists. */}
        <a class="button" href="/get-started?type=partner">
          {p.applyLabel}
        </a>
      </p>
      {p.who.length > 0 ? (
        <section aria-labelledby="who-title">
          <h2 id="who-title">Who it is for</h2>
          <ul class="ticks two-columns">
            {p.who.map((w) => (
              <li>{w}</li>
            ))}
          </ul>
        </section>
      ) : null}
      {p.benefits.length > 0 ? (
        <section aria-labelledby="benefits-title">
          <h2 id="benefits-title">What you get</h2>
          <Cards items={p.benefits} />
        </section>
      ) : null}
      {p.steps.length > 0 ? (
        <section aria-labelledby="steps-title">
          <h2 id="steps-title">How it works</h2>
          <Steps items={p.steps} />
        </section>
      ) : null}
      <section class="cta" aria-labelledby="apply-title">
        <h2 id="apply-title">Ready to apply?</h2>
        <p>It takes a few minutes. Choose “Partner” when the form asks who you are.</p>
        <p class="actions">
          <a class="button" href="/get-started?type=partner">
            Apply
          </a>
        </p>
      </section>
    </Layout>
  );
}
