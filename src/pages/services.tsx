import type { SiteConfig } from '../config/site.js';
import { Layout } from '../web/layout.js';
import { CallToAction, PageIntro } from './parts.js';

export function ServicesPage({ site }: { site: SiteConfig }) {
  return (
    <Layout site={site} title="Services" path="/services" description={site.servicesPage.intro}>
      <PageIntro title="Our services" lead={site.servicesPage.intro} />
      <nav class="toc" aria-label="Services on this page">
        <ul>
          {site.services.map((s) => (
            <li>
              <a href={`#${s.slug}`}>{s.title}</a>
            </li>
          ))}
        </ul>
      </nav>
      {site.services.map((s) => (
        <section class="service" id={s.slug} aria-labelledby={`${s.slug}-title`}>
          <div>
            <h2 id={`${s.slug}-title`}>{s.title}</h2>
            <p class="service-summary">{s.summary}</p>
          </div>
          {s.points.length > 0 ? (
            <ul class="ticks">
              {s.points.map((p) => (
                <li>{p}</li>
              ))}
            </ul>
          ) : null}
        </section>
      ))}
      <CallToAction site={site} />
    </Layout>
  );
}
