import type { SiteConfig } from '../config/site.js';
import { Layout } from '../web/layout.js';
import { CallToAction, Cards, columnsFor } from './parts.js';

export function HomePage({ site }: { site: SiteConfig }) {
  const { home } = site;
  return (
    <Layout site={site} title={site.company.tagline} path="/" description={home.intro} wide>
      <section class="hero">
        <div class="wrap">
          <h1>{home.headline}</h1>
          <p class="lead">{home.intro}</p>
          <p class="actions">
            <a class="button" href="/get-started">
              {site.cta.button}
            </a>
            <a class="button secondary" href="/services">
              Our services
            </a>
          </p>
        </div>
      </section>

      <section class="band" aria-labelledby="highlights-title">
        <div class="wrap">
          <h2 id="highlights-title" class="visually-hidden">
            Why practices work with us
          </h2>
          <Cards items={home.highlights} />
        </div>
      </section>

      <section class="band alt" aria-labelledby="services-title">
        <div class="wrap">
          <h2 id="services-title">What we do</h2>
          <p class="lead">{home.servicesIntro}</p>
          <ul class={`cards ${columnsFor(site.services.length)}`}>
            {site.services.map((s) => (
              <li class="card">
                <h3>
                  <a href={`/services#${s.slug}`}>{s.title}</a>
                </h3>
                <p>{s.summary}</p>
              </li>
            ))}
          </ul>
          <p>
            <a href="/services">See all services in detail</a>
          </p>
        </div>
      </section>

      <section class="band" aria-labelledby="partners-title">
        <div class="wrap split">
          <div>
            <h2 id="partners-title">{site.partners.headline}</h2>
            <p>{site.partners.intro}</p>
          </div>
          <p>
            <a class="button secondary" href="/partners">
              About the partner program
            </a>
          </p>
        </div>
      </section>

      <div class="wrap">
        <CallToAction site={site} />
      </div>
    </Layout>
  );
}
