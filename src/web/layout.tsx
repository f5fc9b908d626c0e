import type { ComponentChildren } from 'preact';
import type { SiteConfig } from '../config/site.js';
import { logoHref } from './assets.js';
import { PageExtrasSlot, useGpcNotice } from './page-extras.js';
import { SiteHead } from './site-head.js';

interface LayoutProps {
  site: SiteConfig;
  title: string;
  path?: string;
  description?: string;
  children: ComponentChildren;
  scripts?: string[];
  /** Full-width bands (home page hero): the page wraps its own content in `.wrap`. */
  wide?: boolean;
  /** The request carried a Global Privacy Control signal: the footer says it was honored. */
  gpc?: boolean | undefined;
}

const nav = [
  ['/', 'Home'],
  ['/services', 'Services'],
  ['/about', 'About'],
  ['/partners', 'Partners'],
] as const;

const footerLinks = (site: SiteConfig) =>
  [
    ['/services', 'Services'],
    ['/partners', site.partners.headline],
    ['/get-started', 'Contact us'],
    ['/privacy', 'Privacy policy'],
    ['/privacy-center#choices', 'Your privacy choices'],
    ['/cookies', 'Cookie choices'],
  ] as const;

export const telHref = (phone: string) => `tel:${phone.replace(/[^0-9+]/g, '')}`;

export function Layout({
  site,
  title,
  path,
  description,
  children,
  scripts = [],
  wide,
  gpc,
}: LayoutProps) {
  const c = site.company;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} | ${c.name}`}</title>
        <meta name="description" content={description ?? c.tagline} />
        <SiteHead
          site={site}
          title={`${title} | ${c.name}`}
          description={description ?? c.tagline}
          path={path}
        />
        {/* First-party analytics on every public page (the console has its own layout). */}
        <script src="/a.js" defer />
        {scripts.map((src) => (
          <script src={src} defer />
        ))}
      </head>
      <body class="site">
        <a class="skip" href="#main">
          Skip to content
        </a>
        {/* The cookie notice, in the page's flow: it covers nothing, so the page stays usable. */}
        <PageExtrasSlot at="top" />
        <header class="site-header">
          <div class="wrap header-row">
            <a class="brand" href="/" aria-current={path === '/' ? 'page' : undefined}>
              {/* Decorative: the company name beside it is the link text. */}
              {c.logo ? (
                <img
                  class="brand-mark"
                  src={logoHref(site) ?? c.logo}
                  alt=""
                  width={36}
                  height={36}
                />
              ) : null}
              <span>{c.name}</span>
            </a>
            <nav aria-label="Main">
              <ul class="nav">
                {nav.map(([href, label]) => (
                  <li>
                    <a href={href} aria-current={path === href ? 'page' : undefined}>
                      {label}
                    </a>
                  </li>
                ))}
              </ul>
            </nav>
            {/* Outside the nav list so that, on a phone, it can sit beside the name. */}
            <a
              class="button small header-cta"
              href="/get-started"
              aria-current={path === '/get-started' ? 'page' : undefined}
            >
              Get started
            </a>
          </div>
        </header>
        {/* tabindex lets the skip link move keyboard focus, not just scroll, in every browser. */}
        <main id="main" class={wide ? 'main' : 'main wrap'} tabindex={-1}>
          {children}
        </main>
        <Footer site={site} path={path} gpc={gpc} />
        <PageExtrasSlot at="end" />
      </body>
    </html>
  );
}

function Footer({
  site,
  path,
  gpc,
}: {
  site: SiteConfig;
  path?: string | undefined;
  gpc?: boolean | undefined;
}) {
  const c = site.company;
  const honored = useGpcNotice() || gpc;
  return (
    <footer class="site-footer">
      <div class="wrap footer-grid">
        <div>
          <p class="footer-name">{c.legalName}</p>
          <address>
            {c.address.street}
            <br />
            {`${c.address.city}, ${c.address.state} ${c.address.zip}`}
          </address>
        </div>
        <div>
          <p>
            <a href={telHref(c.phone)}>{c.phone}</a>
            <br />
            <a href={`mailto:${c.email}`}>{c.email}</a>
          </p>
          <p>{c.hours}</p>
        </div>
        <nav aria-label="Footer">
          <ul class="footer-links">
            {footerLinks(site).map(([href, label]) => (
              <li>
                <a href={href} aria-current={path === href ? 'page' : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      </div>
      <div class="wrap footer-base">
        <p>{`© ${c.legalName}`}</p>
        {honored ? <p>Opt-out preference signal honored</p> : null}
      </div>
    </footer>
  );
}
