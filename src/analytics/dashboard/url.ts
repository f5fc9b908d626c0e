import type { FilterDim, Filters } from './repository.js';
import type { Range } from './service.js';

/** The dashboard's query string for a range and filters (what every link on the page keeps). */
export function dashboardQuery(range: Range, filters: Filters): URLSearchParams {
  const q = new URLSearchParams({ range: range.preset });
  if (range.preset === 'custom') {
    q.set('from', range.from);
    q.set('to', range.to);
  }
  for (const [dim, key] of Object.entries(filters)) q.set(dim, String(key));
  return q;
}

export const dashboardUrl = (range: Range, filters: Filters, path = '/console/analytics') =>
  `${path}?${dashboardQuery(range, filters).toString()}`;

export const withFilter = (range: Range, filters: Filters, dim: FilterDim, key: number) =>
  dashboardUrl(range, { ...filters, [dim]: key });

export function withoutFilter(range: Range, filters: Filters, dim: FilterDim) {
  const rest = { ...filters };
  delete rest[dim];
  return dashboardUrl(range, rest);
}
