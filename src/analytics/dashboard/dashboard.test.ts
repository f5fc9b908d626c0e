import { CompiledQuery, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, testDbKind, type TestApp } from '../../test-support/app.js';
import { getAs, staffSessions } from '../../test-support/staff.js';
import { hourOf, toAt } from '../codes.js';
import { createWriter } from '../writer.js';
import { seedAnalytics } from './fixture.js';
import { createDashboardRepository } from './repository.js';
import { propRollupSums } from './rows.js';
import { createDashboardService, resolveRange, spansOf } from './service.js';

const NOW = new Date('2026-03-15T12:00:00Z');
const at = (s: string) => Date.parse(`2026-03-${s}Z`);
const texas = { country: 'US', region: 'Texas, US', city: 'Austin, Texas, US' };

let t: TestApp;
let staff: Awaited<ReturnType<typeof staffSessions>>;
let ids: { texas: number; pricing: number; cta: number };

beforeAll(async () => {
  t = await createTestApp({ clock: { now: () => NOW } });
  staff = await staffSessions(t, ['admin', 'marketing', 'sales', 'privacy']);
  await seedAnalytics(t.db, [
    // Last 7 days (9–15 March).
    {
      visitor: 'aaa',
      start: at('15T10:00:00'),
      pages: ['/', '/pricing'],
      ...texas,
      channel: 1,
      browser: 'Chrome',
      browserVersion: 'Chrome 120',
      os: 'Windows 10',
      device: 1,
      funnel: 2,
      events: [{ name: 'cta', props: { where: 'hero' } }],
    },
    {
      visitor: 'bbb',
      start: at('14T09:00:00'),
      pages: ['/pricing'],
      ...texas,
      browser: 'Safari',
      os: 'iOS 17',
      device: 2,
    },
    {
      visitor: 'aaa',
      start: at('14T15:00:00'),
      pages: ['/', '/contact', '/thanks'],
      country: 'US',
      region: 'California, US',
      device: 1,
      funnel: 3,
      client: 1,
      visitorKind: 2,
    },
    { visitor: null, start: at('13T08:00:00'), pages: ['/'], ...texas, channel: 3, device: 2 },
    {
      visitor: 'eee',
      start: at('15T11:50:00'),
      pages: ['/blog'],
      ...texas,
      device: 2,
      events: [{ name: 'cta', props: { where: 'footer' } }],
    },
    // The week before (2–8 March).
    { visitor: 'ppp', start: at('05T10:00:00'), pages: ['/'], device: 1 },
    { visitor: 'qqq', start: at('06T10:00:00'), pages: ['/', '/pricing'], device: 1 },
  ]);
  const dict = await t.db.selectFrom('analytics_dict').select(['id', 'value']).execute();
  const idOf = (v: string) => Number(dict.find((d) => d.value === v)!.id);
  ids = { texas: idOf('Texas, US'), pricing: idOf('/pricing'), cta: idOf('cta') };
});
afterAll(async () => t.close());

const service = () => createDashboardService(createDashboardRepository(t.db));
const week = () => resolveRange(NOW, '7d');
const get = (role: string, url: string) => getAs(t, staff[role]!.jar, url);

describe('numbers', () => {
  it('sums the period from rollups and compares with the period before', async () => {
    const o = await service().overview(week(), {}, NOW);
    expect(o.range).toEqual({ preset: '7d', from: '2026-03-09', to: '2026-03-15' });
    expect(o.previousRange).toEqual({ from: '2026-03-02', to: '2026-03-08' });
    expect(o.current).toEqual({
      visitors: 3,
      visits: 5,
      pageviews: 8,
      viewsPerVisit: 1.6,
      bounceRate: 0.6,
      avgDuration: 60,
    });
    expect(o.previous).toMatchObject({ visitors: 2, visits: 2, pageviews: 3, bounceRate: 0.5 });
    expect(o.bucket).toBe('day');
    expect(o.series.map((s) => s.visits)).toEqual([0, 0, 0, 0, 1, 2, 2]);
  });

  it('ranks panels and labels coded values', async () => {
    const o = await service().overview(week(), {}, NOW);
    const panel = (id: string) =>
      o.panels.find((p) => p.id === id)!.rows.map((r) => [r.label, r.value]);
    expect(panel('page').slice(0, 2)).toEqual([
      ['/', 3],
      ['/pricing', 2],
    ]);
    expect(panel('region')).toEqual([
      ['Texas, US', 4],
      ['California, US', 1],
    ]);
    expect(panel('device')).toEqual([
      ['mobile', 3],
      ['desktop', 2],
    ]);
    expect(panel('funnel')).toEqual([
      ['landing', 5],
      ['form start', 2],
      ['intake submitted', 1],
    ]);
    expect(panel('audience')).toEqual([
      ['prospect', 4],
      ['existing client', 1],
    ]);
    expect(panel('event')).toEqual([['cta', 2]]);
    expect(o.props).toEqual([
      { event: 'cta', key: 'where', value: 'hero', events: 1 },
      { event: 'cta', key: 'where', value: 'footer', events: 1 },
    ]);
    expect(o.realtime.visits).toBe(1);
    expect(o.realtime.pages).toEqual([{ label: '/blog', value: 1 }]);
  });

  it('filters every panel by session attributes (mobile visitors from Texas)', async () => {
    const o = await service().overview(week(), { device: 2, region: ids.texas }, NOW);
    expect(o.current).toMatchObject({ visitors: 2, visits: 3, pageviews: 3, bounceRate: 1 });
    const pages = o.panels.find((p) => p.id === 'page')!.rows.map((r) => r.label);
    expect(pages.sort()).toEqual(['/', '/blog', '/pricing']);
    expect(o.panels.find((p) => p.id === 'channel')!.rows.map((r) => [r.label, r.value])).toEqual([
      ['direct', 2],
      ['social', 1],
    ]);
    expect(o.filterLabels.map((f) => f.label).sort()).toEqual(['Texas, US', 'mobile']);
  });

  it('filters every panel to the visits that viewed a page', async () => {
    const o = await service().overview(week(), { page: ids.pricing }, NOW);
    const rows = (id: string) =>
      o.panels.find((p) => p.id === id)!.rows.map((r) => [r.label, r.value]);
    // aaa on the 15th and bbb on the 14th; aaa's California visit never opened /pricing.
    expect(o.current).toMatchObject({ visitors: 2, visits: 2, pageviews: 3, bounceRate: 0.5 });
    expect(o.previous).toMatchObject({ visits: 1, pageviews: 2 });
    expect(rows('country')).toEqual([['US', 2]]);
    expect(rows('region')).toEqual([['Texas, US', 2]]);
    expect(rows('page')).toEqual([
      ['/pricing', 2],
      ['/', 1],
    ]);
    expect(o.filterLabels).toEqual([{ dim: 'page', key: ids.pricing, label: '/pricing' }]);
    const both = await service().overview(week(), { page: ids.pricing, device: 2 }, NOW);
    expect(both.current).toMatchObject({ visits: 1, pageviews: 1 });
  });

  it('filters to the visits that sent a custom event', async () => {
    const o = await service().overview(week(), { event: ids.cta }, NOW);
    expect(o.current).toMatchObject({ visits: 2, pageviews: 3 });
    expect(
      o.panels
        .find((p) => p.id === 'device')!
        .rows.map((r) => r.label)
        .sort(),
    ).toEqual(['desktop', 'mobile']);
  });

  it('counts event properties of the filtered visits only', async () => {
    const mobile = await service().overview(week(), { device: 2 }, NOW);
    expect(mobile.props).toEqual([{ event: 'cta', key: 'where', value: 'footer', events: 1 }]);
    const desktop = await service().overview(week(), { device: 1 }, NOW);
    expect(desktop.props).toEqual([{ event: 'cta', key: 'where', value: 'hero', events: 1 }]);
    const none = await service().overview(week(), { page: ids.pricing, device: 2 }, NOW);
    expect(none.props).toEqual([]);
  });
});

describe('how the props panel reads', () => {
  it('sums unfiltered props in the order of an index, not by sorting the span', async () => {
    const q = propRollupSums(t.db, spansOf(resolveRange(NOW, '12m')).current).compile();
    if (testDbKind === 'sqlite') {
      const plan = await t.db.executeQuery<{ detail: string }>(
        CompiledQuery.raw(`explain query plan ${q.sql}`, [...q.parameters]),
      );
      const steps = plan.rows.map((r) => r.detail).join('\n');
      expect(steps).toMatch(/COVERING INDEX analytics_prop_rollup_key_idx/);
      expect(steps).not.toMatch(/TEMP B-TREE FOR GROUP BY/);
    } else {
      // PostgreSQL picks by its statistics, not worth a plan assertion: the index must exist.
      const idx = await sql<{ indexdef: string }>`
        select indexdef from pg_indexes
        where indexname = 'analytics_prop_rollup_key_idx'`.execute(t.db);
      expect(idx.rows[0]?.indexdef).toMatch(/\(name, prop_key, prop_value, hour, events\)/);
    }
  });
});

describe('the page', () => {
  it('shows the summary, an accessible chart with a table, and filter links', async () => {
    const res = await get('marketing', '/console/analytics?range=7d');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<title id="chart-title">');
    expect(res.body).toContain('<desc id="chart-desc">');
    expect(res.body).toContain('The chart as a table');
    expect(res.body).toContain('▲ up 150.0%');
    expect(res.body).toContain(`region=${ids.texas}`);
  });

  it('shows active filters with a remove link', async () => {
    const res = await get('admin', `/console/analytics?range=7d&device=2&region=${ids.texas}`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Active filters');
    expect(res.body).toContain(`href="/console/analytics?range=7d&amp;region=${ids.texas}"`);
  });

  it('links top pages to a page filter, shown as a chip that can be removed', async () => {
    const all = await get('marketing', '/console/analytics?range=7d');
    expect(all.body).toContain(`href="/console/analytics?range=7d&amp;page=${ids.pricing}"`);
    const res = await get('marketing', `/console/analytics?range=7d&device=2&page=${ids.pricing}`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Visits that viewed page: <strong>/pricing</strong>');
    expect(res.body).toContain('href="/console/analytics?range=7d&amp;device=2"');
  });

  it.each([
    ['range=forever', 'Period must be one of'],
    ['range=custom&from=2026-03-01', 'needs both'],
    ['range=custom&from=2026-03-10&to=2026-03-01', 'on or before'],
    ['range=custom&from=2026-02-30&to=2026-03-01', 'not a real calendar date'],
    ['range=custom&from=2020-01-01&to=2026-03-01', 'at most 400 days'],
    ['device=phone', 'device filter must be a whole number'],
    ['page=/pricing', 'page filter must be a whole number'],
  ])('refuses %s with a 400 that says why', async (qs, message) => {
    const res = await get('admin', `/console/analytics?${qs}`);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain(message);
  });

  it('accepts a custom range', async () => {
    const res = await get('admin', '/console/analytics?range=custom&from=2026-03-14&to=2026-03-14');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('2026-03-14 to 2026-03-14');
  });
});

describe('CSV export', () => {
  it('exports a panel as aggregates, respecting filters', async () => {
    const res = await get(
      'marketing',
      `/console/analytics/export.csv?panel=page&range=7d&device=2&region=${ids.texas}`,
    );
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    const lines = res.body.trim().split('\n').sort();
    expect(lines).toEqual(['/,1', '/blog,1', '/pricing,1', 'Top pages,Page views'].sort());
    expect(res.body).not.toMatch(/aaa|bbb|eee/);
  });

  it('exports a panel under a page filter', async () => {
    const res = await get(
      'marketing',
      `/console/analytics/export.csv?panel=region&range=7d&page=${ids.pricing}`,
    );
    expect(res.body.trim().split('\n')).toEqual([
      'Regions,Visits,Bounce rate',
      '"Texas, US",2,0.5000',
    ]);
  });

  it('exports a visit panel with bounce rates', async () => {
    const res = await get('admin', '/console/analytics/export.csv?panel=device&range=7d');
    expect(res.body.trim().split('\n')).toEqual([
      'Devices,Visits,Bounce rate',
      'mobile,3,1.0000',
      'desktop,2,0.0000',
    ]);
  });

  it('refuses an unknown panel', async () => {
    const res = await get('admin', '/console/analytics/export.csv?panel=visitors&range=7d');
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Choose a panel to export');
  });
});

describe('who may open it', () => {
  it.each(['admin', 'marketing', 'sales'])('%s may', async (role) => {
    expect((await get(role, '/console/analytics')).statusCode).toBe(200);
    expect((await get(role, '/console/analytics/export.csv?panel=page')).statusCode).toBe(200);
  });
  it('privacy staff may not', async () => {
    expect((await get('privacy', '/console/analytics')).statusCode).toBe(403);
    expect((await get('privacy', '/console/analytics/export.csv?panel=page')).statusCode).toBe(403);
  });
  it('anyone signed out is sent to sign in', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/console/analytics' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toContain('/console/login');
  });
});

describe('exit pages', () => {
  it('lists no page a visit moved on from', async () => {
    // A day of its own, far from the fixture's, written the way the collector writes.
    const start = toAt(Date.parse('2025-06-01T10:00:00Z'));
    const visit = { channel: 0, device: 1, client: 0 as const, strings: {} };
    const writer = createWriter(t.db);
    // Two batches: the second moves the visit's exit, leaving '/first' a row that nets to zero.
    await writer.write([
      { at: start, visitor: 'exit-test', type: 'pageview', path: '/first', visit },
    ]);
    await writer.write([
      { at: start + 60, visitor: 'exit-test', type: 'pageview', path: '/last', visit },
    ]);
    const repo = createDashboardRepository(t.db);
    const span = { fromHour: hourOf(start), toHour: hourOf(start) };
    const rows = await repo.ranked('exit_page', span, {}, 'visits', 10);
    const labels = await repo.labels(rows.map((r) => r.key));
    expect(rows.map((r) => [labels.get(r.key), r.visits])).toEqual([['/last', 1]]);
  });
});
