// Paging for the console's lists: the links to the neighbouring pages and the count line above
// a numbered list. Each list builds its own addresses so its filters stay on the links.

export interface PageLink {
  href: string;
  label: string;
}

/** Links to the pages before and after this one; nothing when there is neither. */
export function Pager({
  prev,
  next,
  position,
}: {
  prev?: PageLink | undefined;
  next?: PageLink | undefined;
  /** Where this page stands, shown between the links ("Page 2 of 5"). */
  position?: string | undefined;
}) {
  if (!prev && !next) return null;
  return (
    <nav class="console-pager" aria-label="Pages">
      {prev ? (
        <a href={prev.href} rel="prev">
          {prev.label}
        </a>
      ) : null}
      {position ? <span>{position}</span> : null}
      {next ? (
        <a href={next.href} rel="next">
          {next.label}
        </a>
      ) : null}
    </nav>
  );
}

/** The pager of a numbered list; `url(n)` is the address of page n with the list's filters. */
export function NumberedPager({
  page,
  pageCount,
  url,
}: {
  page: number;
  pageCount: number;
  url: (page: number) => string;
}) {
  return (
    <Pager
      prev={
        page > 1 ? { href: url(Math.min(page - 1, pageCount)), label: 'Previous page' } : undefined
      }
      position={`Page ${page} of ${pageCount}`}
      next={page < pageCount ? { href: url(page + 1), label: 'Next page' } : undefined}
    />
  );
}

/** "Showing 51–100 of 230" for a page of a numbered list, or `none` when nothing matches. */
export function shownRange(
  list: { page: number; total: number; rows: readonly unknown[] },
  pageSize: number,
  none: string,
): string {
  if (list.total === 0) return none;
  const first = (list.page - 1) * pageSize + 1;
  const last = Math.min(list.total, first + list.rows.length - 1);
  return `Showing ${first}–${last} of ${list.total}`;
}

/** The address of a filtered list: its non-empty filters, then the page number after the first. */
export function listUrl(
  path: string,
  filters: Record<string, string | undefined>,
  page = 1,
): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) if (value) params.set(key, value);
  if (page > 1) params.set('page', String(page));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}
