import { useContext } from 'preact/hooks';
import type { SiteConfig } from '../config/site.js';
import { assetHref, logoHref } from './assets.js';
import { SiteOriginContext } from './page-extras.js';

// What a public page says about itself to browsers, search engines and link previews: one
// stylesheet (the theme bundled in, decision 028), icons, the canonical address, Open Graph and
// Twitter card tags, and on the home page the organization as JSON-LD. All from the site config.

interface SiteHeadProps {
  site: SiteConfig;
  /** The whole title, as in <title>. */
  title: string;
  description: string;
  path?: string | undefined;
}

/** The stylesheet, favicon and touch icon: every page links them, the console too. */
export function Icons({ site }: { site: SiteConfig }) {
  const logo = logoHref(site);
  return (
    <>
      {logo ? <link rel="icon" href={logo} type="image/svg+xml" /> : null}
      <link rel="apple-touch-icon" href={assetHref(site, 'apple-touch-icon.png')} />
    </>
  );
}

export function SiteHead({ site, title, description, path }: SiteHeadProps) {
  const origin = useContext(SiteOriginContext);
  const url = origin && path ? new URL(path, origin).href : null;
  const image = origin ? new URL(assetHref(site, 'apple-touch-icon.png'), origin).href : null;
  return (
    <>
      <link rel="stylesheet" href={assetHref(site, 'site.css')} />
      <Icons site={site} />
      {url ? <link rel="canonical" href={url} /> : null}
      <meta property="og:type" content="website" />
      <meta property="og:site_name" content={site.company.name} />
      <meta property="og:title" content={title} />
      <meta property="og:description" content={description} />
      {url ? <meta property="og:url" content={url} /> : null}
      {image ? <meta property="og:image" content={image} /> : null}
      <meta property="og:locale" content="en_US" />
      <meta name="twitter:card" content="summary" />
      <meta name="twitter:title" content={title} />
      <meta name="twitter:description" content={description} />
      {path === '/' ? <OrganizationData site={site} origin={origin} /> : null}
    </>
  );
}

/** schema.org Organization: name, address, phone and services, for search engines. */
export function organizationData(site: SiteConfig, origin: string | null) {
  const c = site.company;
  const abs = (p: string) => (origin ? new URL(p, origin).href : undefined);
  const logo = logoHref(site);
  return {
    '@context': 'https://schema.org',
    '@type': 'Organization',
    name: c.name,
    legalName: c.legalName,
    description: c.tagline,
    url: abs('/'),
    logo: logo ? abs(logo) : undefined,
    email: c.email,
    telephone: c.phone,
    address: {
      '@type': 'PostalAddress',
      streetAddress: c.address.street,
      addressLocality: c.address.city,
      addressRegion: c.address.state,
      postalCode: c.address.zip,
      addressCountry: 'US',
    },
    hasOfferCatalog: {
      '@type': 'OfferCatalog',
      name: 'Services',
      itemListElement: site.services.map((s) => ({
        '@type': 'Offer',
        itemOffered: {
          '@type': 'Service',
          name: s.title,
          description: s.summary,
          url: abs(`/services#${s.slug}`),
        },
      })),
    },
  };
}

function OrganizationData({ site, origin }: { site: SiteConfig; origin: string | null }) {
  // Data, not script: CSP's script-src does not apply to it. `<` is escaped so no text in the
  // site config can close the element.
  const json = JSON.stringify(organizationData(site, origin)).replace(/</g, '\\u003c');
  return <script type="application/ld+json" dangerouslySetInnerHTML={{ __html: json }} />;
}
