import type { SiteConfig } from '../config/site.js';
import { telHref } from '../web/layout.js';

// Pieces several public pages share. Copy comes from the site config; these only arrange it.

export interface TitledText {
  title: string;
  text: string;
}

export function PageIntro({ title, lead }: { title: string; lead: string }) {
  return (
    <header class="page-intro">
      <h1>{title}</h1>
      <p class="lead">{lead}</p>
    </header>
  );
}

/** Columns that leave no card alone on the last row, for the common counts. */
export function columnsFor(count: number): string {
  if (count % 4 === 0 && count % 3 !== 0) return 'cols-4';
  if (count === 2) return 'cols-2';
  return 'cols-3';
}

/** Short titled blurbs as a responsive grid of cards; `level` keeps the heading outline right. */
export function Cards({ items, level = 3 }: { items: readonly TitledText[]; level?: 2 | 3 }) {
  const Heading = level === 2 ? 'h2' : 'h3';
  return (
    <ul class={`cards ${columnsFor(items.length)}`}>
      {items.map((item) => (
        <li class="card">
          <Heading>{item.title}</Heading>
          <p>{item.text}</p>
        </li>
      ))}
    </ul>
  );
}

/** Numbered steps; the numbers are drawn by CSS counters, and the list stays an <ol> for readers. */
export function Steps({ items }: { items: readonly TitledText[] }) {
  return (
    <ol class="steps">
      {items.map((item) => (
        <li>
          <h3>{item.title}</h3>
          <p>{item.text}</p>
        </li>
      ))}
    </ol>
  );
}

export function CallToAction({ site, id = 'cta-title' }: { site: SiteConfig; id?: string }) {
  return (
    <section class="cta" aria-labelledby={id}>
      <h2 id={id}>{site.cta.title}</h2>
      <p>{site.cta.text}</p>
      <p class="actions">
        <a class="button" href="/get-started">
          {site.cta.button}
        </a>
        <a class="button secondary" href={telHref(site.company.phone)}>
          {`Call ${site.company.phone}`}
        </a>
      </p>
    </section>
  );
}
