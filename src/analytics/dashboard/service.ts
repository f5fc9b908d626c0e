import { channels, devices, funnelSteps, hourOf, toAt, visitorKinds, type Dim } from '../codes.js';
import type { DashboardRepository, FilterDim, Filters, Measures, Span } from './repository.js';
import { eventFilters, sessionColumns } from './repository.js';

// The dashboard as plain data: a range and filters in, numbers, series and labelled panels out.

export const presets = ['today', '7d', '30d', '12m', 'custom'] as const;
export type Preset = (typeof presets)[number];

export interface Range {
  preset: Preset;
  /** First and last UTC day shown, as YYYY-MM-DD. */
  from: string;
  to: string;
}

const DAY_MS = 86_400_000;
const ymd = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const dayStart = (s: string) => Date.parse(`${s}T00:00:00.000Z`);

/** Longest custom range: 13 months of raw data exist, rollups longer, but keep pages quick. */
export const MAX_RANGE_DAYS = 400;

/** Resolves a preset (or custom from/to) against today; the caller has validated the dates. */
export function resolveRange(now: Date, preset: Preset, from?: string, to?: string): Range {
  const today = ymd(now.getTime());
  const back = (days: number) => ymd(dayStart(today) - (days - 1) * DAY_MS);
  if (preset === 'custom' && from && to) return { preset, from, to };
  if (preset === '7d') return { preset, from: back(7), to: today };
  if (preset === '30d') return { preset, from: back(30), to: today };
  if (preset === '12m') return { preset, from: back(365), to: today };
  return { preset: 'today', from: today, to: today };
}

/** A range's hours, and the same length just before it for the comparison. */
export function spansOf(range: Range): { current: Span; previous: Span; days: number } {
  const fromHour = hourOf(toAt(dayStart(range.from)));
  const toHour = hourOf(toAt(dayStart(range.to))) + 23;
  const hours = toHour - fromHour + 1;
  return {
    current: { fromHour, toHour },
    previous: { fromHour: fromHour - hours, toHour: fromHour - 1 },
    days: hours / 24,
  };
}

export interface Summary {
  visitors: number;
  visits: number;
  pageviews: number;
  viewsPerVisit: number;
  bounceRate: number;
  avgDuration: number;
}
const summarise = (m: Measures, visitors: number): Summary => ({
  visitors,
  visits: m.visits,
  pageviews: m.pageviews,
  viewsPerVisit: m.visits ? m.pageviews / m.visits : 0,
  bounceRate: m.visits ? m.bounces / m.visits : 0,
  avgDuration: m.visits ? m.duration / m.visits : 0,
});

/** Every panel: its rollup dimension, what it ranks by, and whether a click filters by it. */
export const panels = {
  page: { title: 'Top pages', dim: 'page', order: 'pageviews' },
  entry_page: { title: 'Entry pages', dim: 'entry_page', order: 'visits' },
  exit_page: { title: 'Exit pages', dim: 'exit_page', order: 'visits' },
  channel: { title: 'Channels', dim: 'channel', order: 'visits' },
  referrer: { title: 'Referrers', dim: 'referrer', order: 'visits' },
  engine: { title: 'Search engines', dim: 'engine', order: 'visits' },
  utm_source: { title: 'UTM source', dim: 'utm_source', order: 'visits' },
  utm_medium: { title: 'UTM medium', dim: 'utm_medium', order: 'visits' },
  utm_campaign: { title: 'UTM campaign', dim: 'utm_campaign', order: 'visits' },
  country: { title: 'Countries', dim: 'country', order: 'visits' },
  region: { title: 'Regions', dim: 'region', order: 'visits' },
  city: { title: 'Cities', dim: 'city', order: 'visits' },
  browser: { title: 'Browsers', dim: 'browser', order: 'visits' },
  browser_version: { title: 'Browser versions', dim: 'browser_version', order: 'visits' },
  os: { title: 'Operating systems', dim: 'os', order: 'visits' },
  device: { title: 'Devices', dim: 'device', order: 'visits' },
  visitor_kind: { title: 'New vs returning', dim: 'visitor_kind', order: 'visits' },
  audience: { title: 'Clients vs prospects', dim: 'audience', order: 'visits' },
  event: { title: 'Custom events', dim: 'event', order: 'events' },
  outbound: { title: 'Outbound links', dim: 'outbound', order: 'events' },
  funnel: { title: 'Funnel', dim: 'funnel', order: 'visits' },
} as const satisfies Record<
  string,
  { title: string; dim: Dim; order: 'visits' | 'pageviews' | 'events' }
>;
export type PanelId = keyof typeof panels;
export const panelIds = Object.keys(panels) as PanelId[];
export const filterDims = [
  ...Object.keys(sessionColumns),
  ...Object.keys(eventFilters),
] as FilterDim[];
const isFilterDim = (id: string): id is FilterDim => (filterDims as string[]).includes(id);

/** How an active filter reads: session attributes by their panel, event filters as "visits that …". */
export const filterTitles: Record<FilterDim, string> = {
  ...(Object.fromEntries(
    Object.keys(sessionColumns).map((d) => [d, panels[d as keyof typeof sessionColumns].title]),
  ) as Record<keyof typeof sessionColumns, string>),
  page: 'Visits that viewed page',
  event: 'Visits with custom event',
};

const invert = (o: Record<string, number>) =>
  new Map(Object.entries(o).map(([k, v]) => [v, k.replace(/_/g, ' ')]));
/** Labels of the coded dimensions; the others are dictionary ids. */
const codeLabels: Partial<Record<Dim, Map<number, string>>> = {
  channel: invert(channels),
  device: invert(devices),
  visitor_kind: new Map([
    [visitorKinds.unknown, 'no visitor id'],
    [visitorKinds.new, 'new'],
    [visitorKinds.returning, 'returning'],
  ]),
  audience: new Map([
    [0, 'prospect'],
    [1, 'existing client'],
  ]),
  funnel: new Map([
    [funnelSteps.landing, 'landing'],
    [funnelSteps.form_start, 'form start'],
    [funnelSteps.intake_submitted, 'intake submitted'],
  ]),
};

const unrated = new Set<Dim>(['exit_page', 'funnel', 'page', 'event', 'outbound']);
const rated = new Set(
  (Object.keys(panels) as PanelId[]).map((id) => panels[id].dim).filter((d) => !unrated.has(d)),
);

export interface PanelRow {
  key: number;
  label: string;
  /** The number the panel ranks by. */
  value: number;
  visits: number;
  bounceRate: number | null;
}
export interface Panel {
  id: PanelId;
  title: string;
  measure: string;
  filterable: boolean;
  rows: PanelRow[];
}

export function createDashboardService(repo: DashboardRepository) {
  async function labelRows(dim: Dim, rows: { key: number }[]): Promise<Map<number, string>> {
    const coded = codeLabels[dim];
    if (coded) return coded;
    return repo.labels(rows.map((r) => r.key));
  }

  async function panel(id: PanelId, span: Span, filters: Filters, limit = 10): Promise<Panel> {
    const def = panels[id];
    const rows = await repo.ranked(def.dim, span, filters, def.order, limit);
    const labels = await labelRows(def.dim, rows);
    // The funnel is ordered by step, not by size, and shows every step.
    const ordered = def.dim === 'funnel' ? [...rows].sort((a, b) => a.key - b.key) : rows;
    return {
      id,
      title: def.title,
      measure:
        def.order === 'visits' ? 'Visits' : def.order === 'pageviews' ? 'Page views' : 'Events',
      filterable: isFilterDim(id),
      rows: ordered.map((r) => ({
        key: r.key,
        label: labels.get(r.key) ?? `#${r.key}`,
        value: r[def.order],
        visits: r.visits,
        // Exit and funnel rows count visits only; a bounce rate there would read as 0%.
        bounceRate: rated.has(def.dim) && r.visits ? r.bounces / r.visits : null,
      })),
    };
  }

  return {
    panel,

    async overview(range: Range, filters: Filters, now: Date) {
      const { current, previous, days } = spansOf(range);
      const [m, v, pm, pv] = await Promise.all([
        repo.totals(current, filters),
        repo.visitors(current, filters),
        repo.totals(previous, filters),
        repo.visitors(previous, filters),
      ]);
      // Hourly for a day, daily up to ~3 months, else weekly buckets.
      const bucketHours = days <= 1 ? 1 : days <= 92 ? 24 : 24 * 7;
      const buckets = Math.ceil((current.toHour - current.fromHour + 1) / bucketHours);
      const raw = await repo.series(current, filters, bucketHours);
      // Literal integers make SQL divide whole, but sum again in case a driver returns a fraction.
      const byBucket = new Map<number, { visits: number; pageviews: number }>();
      for (const r of raw) {
        const b = byBucket.get(r.bucket) ?? { visits: 0, pageviews: 0 };
        byBucket.set(r.bucket, {
          visits: b.visits + r.visits,
          pageviews: b.pageviews + r.pageviews,
        });
      }
      const series = Array.from({ length: buckets }, (_, i) => ({
        start: new Date(Date.parse(`${range.from}T00:00:00Z`) + i * bucketHours * 3_600_000),
        visits: byBucket.get(i)?.visits ?? 0,
        pageviews: byBucket.get(i)?.pageviews ?? 0,
      }));
      const list: Panel[] = [];
      for (const id of panelIds) list.push(await panel(id, current, filters));
      const props = await repo.props(current, filters, 20);
      const propLabels = await repo.labels(props.flatMap((p) => [p.name, p.propKey, p.propValue]));
      const rt = await repo.realtime(toAt(now.getTime()));
      const rtLabels = await repo.labels(rt.pages.map((p) => p.key));
      return {
        range,
        previousRange: {
          from: new Date(Date.parse(`${range.from}T00:00:00Z`) - days * 86_400_000)
            .toISOString()
            .slice(0, 10),
          to: new Date(Date.parse(`${range.from}T00:00:00Z`) - 86_400_000)
            .toISOString()
            .slice(0, 10),
        },
        bucket: bucketHours === 1 ? 'hour' : bucketHours === 24 ? 'day' : 'week',
        current: summarise(m, v),
        previous: summarise(pm, pv),
        series,
        panels: list,
        props: props.map((p) => ({
          event: propLabels.get(p.name) ?? '',
          key: propLabels.get(p.propKey) ?? '',
          value: propLabels.get(p.propValue) ?? '',
          events: p.events,
        })),
        realtime: {
          visits: rt.visits,
          pages: rt.pages.map((p) => ({
            label: rtLabels.get(p.key) ?? `#${p.key}`,
            value: p.pageviews,
          })),
        },
        filterLabels: await filterLabels(filters),
      };
    },
  };

  async function filterLabels(filters: Filters) {
    const out: { dim: FilterDim; key: number; label: string }[] = [];
    for (const [dim, key] of Object.entries(filters) as [FilterDim, number][]) {
      const labels = await labelRows(dim, [{ key }]);
      out.push({ dim, key, label: labels.get(key) ?? `#${key}` });
    }
    return out;
  }
}
export type DashboardService = ReturnType<typeof createDashboardService>;
export type Overview = Awaited<ReturnType<DashboardService['overview']>>;
