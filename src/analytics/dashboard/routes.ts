import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AccountService } from '../../accounts/service.js';
import type { Clock } from '../../adapters/clock.js';
import { blank, isoDate, optionalWholeNumber } from '../../console/input.js';
import { registerConsoleRoutes, route } from '../../console/route-table.js';
import { csvRoute } from '../../web/csv.js';
import { invalid } from '../../web/errors.js';
import type { Filters } from './repository.js';
import {
  type DashboardService,
  filterDims,
  MAX_RANGE_DAYS,
  panelIds,
  presets,
  resolveRange,
  spansOf,
  type Panel,
  type PanelId,
  type Range,
} from './service.js';
import { AnalyticsPage } from './views.js';

const filterShape = Object.fromEntries(
  filterDims.map((d) => [
    d,
    optionalWholeNumber(
      `The ${d.replace(/_/g, ' ')} filter must be a whole number (an id from a panel link).`,
      0,
      2_147_483_647,
    ),
  ]),
) as Record<(typeof filterDims)[number], ReturnType<typeof optionalWholeNumber>>;

const rangeShape = {
  range: z.preprocess(
    blank,
    z.enum(presets, { error: `Period must be one of: ${presets.join(', ')}.` }).default('30d'),
  ),
  from: z.preprocess(blank, isoDate('“from” date').optional()),
  to: z.preprocess(blank, isoDate('“to” date').optional()),
  ...filterShape,
};
const pageQuery = z.object(rangeShape);
const csvQuery = z.object({
  ...rangeShape,
  panel: z.enum(panelIds as [PanelId, ...PanelId[]], {
    error: `Choose a panel to export: ${panelIds.join(', ')}.`,
  }),
});

type Q = z.infer<typeof pageQuery>;

/** Range and filters from a validated query; a custom range must be whole and in order. */
function readQuery(q: Q, now: Date): { range: Range; filters: Filters } {
  if (q.range === 'custom') {
    if (!q.from || !q.to) throw invalid('A custom period needs both a “from” and a “to” date.');
    if (q.from > q.to) throw invalid('The “from” date must be on or before the “to” date.');
    const days = (Date.parse(q.to) - Date.parse(q.from)) / 86_400_000 + 1;
    if (days > MAX_RANGE_DAYS)
      throw invalid(
        `A custom period can span at most ${MAX_RANGE_DAYS} days; choose a shorter one.`,
      );
  }
  const filters: Filters = {};
  for (const d of filterDims) {
    const v = q[d];
    if (typeof v === 'number') filters[d] = v;
  }
  return { range: resolveRange(now, q.range, q.from, q.to), filters };
}

export async function analyticsDashboardRoutes(
  fastify: FastifyInstance,
  opts: { service: DashboardService; accounts: AccountService; clock: Clock },
) {
  const { service } = opts;
  registerConsoleRoutes(fastify, opts, [
    route({
      method: 'GET',
      url: '/console/analytics',
      access: 'analytics.read',
      query: pageQuery,
      handler: async ({ frame, query }) => {
        const now = opts.clock.now();
        const { range, filters } = readQuery(query, now);
        const o = await service.overview(range, filters, now);
        return { page: AnalyticsPage({ ...frame(), o, filters }) };
      },
    }),
    // Aggregates only: a panel's rows are counts per value, never a visit or a visitor.
    route({
      method: 'GET',
      url: '/console/analytics/export.csv',
      access: 'analytics.read',
      query: csvQuery,
      config: csvRoute,
      handler: async ({ query }) => {
        const { range, filters } = readQuery(query, opts.clock.now());
        const panel = await service.panel(query.panel, spansOf(range).current, filters, 1000);
        const filename = `analytics-${panel.id}-${range.from}-${range.to}.csv`;
        return { csv: { filename, rows: panelRows(panel) } };
      },
    }),
  ]);
}

/** A panel as CSV rows: label and measure, and the bounce rate where the panel has one. */
function panelRows(panel: Panel) {
  const withBounce = panel.rows.some((r) => r.bounceRate !== null);
  const header = [panel.title, panel.measure, ...(withBounce ? ['Bounce rate'] : [])];
  const rows = panel.rows.map((r) => [
    r.label,
    r.value,
    ...(withBounce ? [r.bounceRate === null ? '' : r.bounceRate.toFixed(4)] : []),
  ]);
  return [header, ...rows];
}
