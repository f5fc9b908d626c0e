import type { ComponentChildren } from 'preact';
import type { SiteConfig } from '../config/site.js';
import type { PolicyModel } from '../privacy/policy.js';
import type { PolicyVersion } from '../privacy/policy-versions.js';
import { Layout } from '../web/layout.js';
import {
  Changes,
  Choices,
  Collect,
  CustomerData,
  Retention,
  Security,
  Sharing,
  WhoWeAre,
} from './privacy-sections.js';
import { CookiesSection, Processors, Uses } from './privacy-tables.js';
import { longDate } from './text.js';

// The privacy policy page, generated: every list on it comes from the data map (through
// policyModel) or the site config, and the version pins the model it describes. The wording
// is ours; the company's legal text is the specification, not a source to copy.

export interface PolicyPageProps {
  site: SiteConfig;
  model: PolicyModel;
  version: PolicyVersion;
  history: readonly PolicyVersion[];
}

type Section = [id: string, title: string, body: (p: PolicyPageProps) => ComponentChildren];

const sections: readonly Section[] = [
  ['who-we-are', 'Who we are', WhoWeAre],
  ['what-we-collect', 'What we collect', Collect],
  ['why', 'Why we use it', Uses],
  ['retention', 'How long we keep it', Retention],
  ['sharing', 'Who we share it with', Sharing],
  ['service-providers', 'Service providers', Processors],
  ['cookies', 'Cookies and automatic collection', CookiesSection],
  ['your-rights', 'Your choices and rights', Choices],
  ['customer-data', 'Information we handle for our clients', CustomerData],
  ['security', 'Security', Security],
  ['changes', 'Changes to this policy', Changes],
];

export function PrivacyPage(p: PolicyPageProps) {
  const c = p.site.company;
  return (
    <Layout
      site={p.site}
      title="Privacy policy"
      path="/privacy"
      description={`What ${c.name} collects through ${c.domain}, why, for how long, and your choices.`}
    >
      <article class="policy">
        <header class="page-intro">
          <h1>Privacy policy</h1>
          <p class="policy-version">
            {`Version ${p.version.version}, effective `}
            <time datetime={p.version.effective}>{longDate(p.version.effective)}</time>
          </p>
          <p class="lead">
            {`This page explains what ${c.legalName} collects through ${c.domain}, why, how long we keep it, who may receive it, and the choices you have. It is produced from the same declarations our software uses to store and protect your information, so the two stay in step.`}
          </p>
        </header>
        <nav class="toc" aria-label="Sections of this policy">
          <ol>
            {sections.map(([id, title]) => (
              <li>
                <a href={`#${id}`}>{title}</a>
              </li>
            ))}
          </ol>
        </nav>
        <div class="policy-body">
          {sections.map(([id, title, Body]) => (
            <section id={id} aria-labelledby={`${id}-title`}>
              <h2 id={`${id}-title`}>{title}</h2>
              {Body(p)}
            </section>
          ))}
        </div>
      </article>
    </Layout>
  );
}
