import type { SiteConfig } from '../config/site.js';
import { Layout, telHref } from '../web/layout.js';
import { CallToAction, Cards, PageIntro } from './parts.js';

export function AboutPage({ site }: { site: SiteConfig }) {
  const c = site.company;
  return (
    <Layout site={site} title="About us" path="/about" description={site.about.intro}>
      <PageIntro title={`About ${c.name}`} lead={site.about.intro} />
      <div class="prose">
        {site.about.paragraphs.map((p) => (
          <p>{p}</p>
        ))}
      </div>
      {site.about.approach.length > 0 ? (
        <section aria-labelledby="approach-title">
          <h2 id="approach-title">How we work</h2>
          <Cards items={site.about.approach} />
        </section>
      ) : null}
      <section aria-labelledby="contact-title" class="contact">
        <h2 id="contact-title">Contact us</h2>
        <dl class="facts">
          <dt>Address</dt>
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
          <dt>Email</dt>
          <dd>
            <a href={`mailto:${c.email}`}>{c.email}</a>
          </dd>
          <dt>Hours</dt>
          <dd>{c.hours}</dd>
        </dl>
      </section>
      <CallToAction site={site} />
    </Layout>
  );
}
