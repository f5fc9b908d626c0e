import type { ComponentChildren } from 'preact';
import type { StaffUser } from '../accounts/service.js';
import { placeholderFacts, type SiteConfig } from '../config/site.js';
import { isMasked } from '../privacy/access.js';
import { assetHref } from '../web/assets.js';
import { PageExtrasSlot } from '../web/page-extras.js';
import { Icons } from '../web/site-head.js';
import { can, consoleSections } from './permissions.js';

interface ConsoleLayoutProps {
  site: SiteConfig;
  title: string;
  /** Signed-in staff member; null on the sign-in and setup pages. */
  staff: StaffUser | null;
  /** CSRF token for the sign-out form. */
  csrf?: string | undefined;
  current?: string | undefined;
  children: ComponentChildren;
}

/** What every signed-in console page is given: the site, who is signed in, and a CSRF token. */
export interface ConsoleFrame {
  site: SiteConfig;
  staff: StaffUser;
  csrf: string;
}

export const roleLabels: Record<StaffUser['role'], string> = {
  admin: 'Administrator',
  sales: 'Sales',
  marketing: 'Marketing',
  privacy: 'Privacy officer',
};

export function ConsoleLayout(p: ConsoleLayoutProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex, nofollow" />
        <title>{`${p.title} | ${p.site.company.shortName} console`}</title>
        <link rel="stylesheet" href={assetHref(p.site, 'console.css')} />
        <Icons site={p.site} />
      </head>
      <body class="console">
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header class="console-header">
          <div class="console-bar">
            <a class="console-brand" href="/console">
              {p.site.company.shortName}
              <span class="console-brand-tag"> Console</span>
            </a>
            {p.staff ? (
              // A menu button on a phone; on a wide screen the menu is always open
              // (console.css), and without that support the button still works.
              <details class="console-menu">
                <summary class="console-button secondary">Menu</summary>
                <div class="console-menu-body">
                  <StaffNav staff={p.staff} current={p.current} />
                  <StaffBox staff={p.staff} csrf={p.csrf} />
                </div>
              </details>
            ) : null}
          </div>
        </header>
        <main id="main" class="console-main" tabindex={-1}>
          {p.staff ? <PageExtrasSlot at="top" /> : null}
          {p.staff ? <PlaceholderBanner site={p.site} /> : null}
          {p.children}
        </main>
      </body>
    </html>
  );
}

function StaffNav({ staff, current }: { staff: StaffUser; current?: string | undefined }) {
  const items = consoleSections.filter((n) => can(staff, n.needs));
  if (items.length === 0) return null;
  return (
    <nav class="console-nav" aria-label="Console">
      <ul>
        {items.map((n) => (
          <li>
            <a href={n.href} aria-current={current === n.href ? 'page' : undefined}>
              {n.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

const placeholderWords: Record<string, string> = {
  'company.address.street': 'street address',
  'company.phone': 'phone number',
};

/** Until the shipped placeholder address and phone are replaced, every console page says so. */
function PlaceholderBanner({ site }: { site: SiteConfig }) {
  const facts = placeholderFacts(site).map((f) => placeholderWords[f] ?? f);
  if (facts.length === 0) return null;
  return (
    <p class="console-alert" role="status">
      {`Every public page shows the example ${facts.join(' and ')} shipped with this software. An administrator replaces them in the site config file (SITE_CONFIG) and restarts the server.`}
    </p>
  );
}

function StaffBox({ staff, csrf }: { staff: StaffUser; csrf?: string | undefined }) {
  return (
    <div class="console-user">
      <p class="console-user-id">
        <span class="console-user-email">{staff.email}</span>
        <span class="console-role">{roleLabels[staff.role]}</span>
      </p>
      <a href="/console/account">Your account</a>
      <form method="post" action="/console/logout">
        {csrf ? <input type="hidden" name="_csrf" value={csrf} /> : null}
        <button class="console-button secondary" type="submit">
          Sign out
        </button>
      </form>
    </div>
  );
}

/** A message in the console's own frame: errors, and pages for roles with nothing to show yet. */
export function ConsoleMessagePage(p: {
  site: SiteConfig;
  staff: StaffUser | null;
  csrf?: string | undefined;
  title: string;
  message: string;
  back?: { href: string; label: string } | undefined;
}) {
  return (
    <ConsoleLayout site={p.site} title={p.title} staff={p.staff} csrf={p.csrf}>
      <h1>{p.title}</h1>
      <p class="console-alert" role="alert">
        {p.message}
      </p>
      {p.back ? (
        <p>
          <a href={p.back.href}>{p.back.label}</a>
        </p>
      ) : null}
    </ConsoleLayout>
  );
}

const dateTime = new Intl.DateTimeFormat('en-US', {
  dateStyle: 'medium',
  timeStyle: 'short',
  timeZone: 'UTC',
});
const dateOnly = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeZone: 'UTC' });

/** A stored ISO time shown in UTC, with the machine-readable value alongside. */
export function Time({ iso, date }: { iso: unknown; date?: boolean }) {
  if (typeof iso !== 'string') return <span>{show(iso)}</span>;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return <span>{iso}</span>;
  return <time dateTime={iso}>{date ? dateOnly.format(d) : `${dateTime.format(d)} UTC`}</time>;
}

/** Any stored value as text: masked values by their hint, empty ones as a dash. */
export function show(v: unknown): string {
  if (isMasked(v)) return v.hint;
  if (v === null || v === undefined || v === '') return '—';
  return typeof v === 'string' || typeof v === 'number' ? String(v) : '—';
}

export function StatusBadge({ status }: { status: unknown }) {
  const s = show(status);
  return <span class={`status status-${s.replace(/[^a-z]/g, '')}`}>{s}</span>;
}

export const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

// How a stored record is shown: the privacy kernel has already masked what the purpose refuses.
type Row = Record<string, unknown>;
const fieldLabels: [string, string][] = [
  ['user_type', 'Type'],
  ['organization', 'Organization'],
  ['practice_size', 'Practice size'],
  ['email', 'Email'],
  ['address', 'Street address'],
  ['city', 'City'],
  ['state', 'State'],
  ['zip', 'ZIP code'],
  ['needs', 'What they need'],
  ['created_at', 'First contact'],
  ['updated_at', 'Last updated'],
  ['last_activity_at', 'Last activity'],
  ['form_id', 'Form'],
  ['form_version', 'Form version'],
  ['health_confirmed', 'Confirmed no health information'],
];

export function Fields({ row }: { row: Row }) {
  return (
    <dl class="console-fields">
      {fieldLabels
        .filter(([k]) => k in row)
        .map(([k, label]) => [
          <dt>{label}</dt>,
          <dd>
            <Value name={k} value={row[k]} />
          </dd>,
        ])}
    </dl>
  );
}

function Value({ name, value }: { name: string; value: unknown }) {
  // The kernel leaves the phone number out entirely: the policy keeps it for text messages.
  if (isMasked(value)) return <span class="masked">{value.hint}</span>;
  if (name.endsWith('_at')) return <Time iso={value} />;
  if (name === 'email' && typeof value === 'string') return <a href={`mailto:${value}`}>{value}</a>;
  if (name === 'health_confirmed') return <>{value === 1 ? 'Yes' : 'No'}</>;
  if (name === 'user_type') return <>{cap(show(value))}</>;
  return <span class="console-pre">{show(value)}</span>;
}

const tags = [
  'referrer',
  'utm_source',
  'utm_medium',
  'utm_campaign',
  'utm_term',
  'utm_content',
  'gclid',
  'msclkid',
];

export function Acquisition({ row }: { row: Row }) {
  return (
    <dl class="console-fields console-tags" aria-label="How they found us">
      {tags.map((t) => [<dt>{t === 'referrer' ? 'Referrer' : t}</dt>, <dd>{show(row[t])}</dd>])}
    </dl>
  );
}
