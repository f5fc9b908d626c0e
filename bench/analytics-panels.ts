// Every console-dashboard panel's query time at 1 and 10 million events (issue 4: under 150 ms
// each), through the dashboard's own repository and service on the SQLite default, against a
// ceiling measured in the same run (a primary-key lookup through the same Kysely instance).
//   npm run bench:analytics-panels                   1M and 10M events
//   BENCH_EVENTS=1000000 BENCH_RUNS=3 npm run bench:analytics-panels
//   BENCH_KEEP=1 keeps the generated databases (paths printed) for EXPLAIN sessions.
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { toAt } from '../src/analytics/codes.js';
import { compactRollups } from '../src/analytics/compactor.js';
import { buildSegments } from '../src/analytics/segments/build.js';
import { createDashboardRepository, type Filters } from '../src/analytics/dashboard/repository.js';
import {
  createDashboardService,
  panelIds,
  resolveRange,
  spansOf,
  type Preset,
} from '../src/analytics/dashboard/service.js';
import { createDb, type Db } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { generate, type Generated } from './analytics-data.js';
import { copyToPostgres } from './analytics-pg.js';
import { machine, reportFigure, tmpDir, writeSection } from './support.js';

const pgUrl = process.env.BENCH_PG_URL;
const engine = pgUrl ? 'PostgreSQL' : 'SQLite (the default), WAL';
const sizes = (process.env.BENCH_EVENTS ?? '1000000,10000000').split(',').map(Number);
const runs = Number(process.env.BENCH_RUNS ?? 5);
const TARGET_MS = 150;
const presets: Exclude<Preset, 'custom'>[] = ['today', '7d', '30d', '12m'];
const extras = ['totals', 'visitors', 'series', 'props', 'realtime'] as const;
type Query = (typeof extras)[number] | (typeof panelIds)[number];
const queries: Query[] = [...extras, ...panelIds];
const isExtra = (q: Query): q is (typeof extras)[number] =>
  (extras as readonly string[]).includes(q);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));

/**
 * Wall-clock and CPU milliseconds of each run. SQLite runs in this process, so CPU time is the
 * query's own work and moves far less than wall time with other people's load on the machine.
 * The first run starts with no decoded segment column in memory (`cold`: read from the database
 * and decoded; the database's own page cache stays warm); the others reuse them.
 */
async function time(
  f: () => Promise<unknown>,
  clear: () => void,
): Promise<{ wall: number[]; cpu: number[]; cold: { wall: number; cpu: number } }> {
  const wall: number[] = [];
  const cpu: number[] = [];
  clear();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await f();
  const cold = { wall: performance.now() - t0, cpu: cpuMs(process.cpuUsage(c0)) };
  for (let i = 0; i < runs; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    await f();
    wall.push(performance.now() - t);
    cpu.push(cpuMs(process.cpuUsage(c)));
    // A query this slow tells its story in a few runs; keep the whole benchmark within minutes.
    if (wall.reduce((x, y) => x + y, 0) > 3000) break;
  }
  return { wall, cpu, cold };
}
const cpuMs = (d: NodeJS.CpuUsage) => (d.user + d.system) / 1000;

interface Result {
  filter: string;
  preset: string;
  query: Query;
  median: number;
  max: number;
  cpu: number;
  coldWall: number;
  coldCpu: number;
  /** The first run after the cache was emptied and warmed as the hourly job does (`repo.warm`). */
  warmedWall: number;
  warmedCpu: number;
}

async function measure(db: Db, now: Date, filterSets: [string, Filters][]) {
  const repo = createDashboardRepository(db);
  const service = createDashboardService(repo);
  const results: Result[] = [];
  for (const [filter, filters] of filterSets) {
    for (const preset of presets) {
      const range = resolveRange(now, preset);
      const { current, days } = spansOf(range);
      const bucket = days <= 1 ? 1 : days <= 92 ? 24 : 24 * 7;
      const page: Record<(typeof extras)[number], () => Promise<unknown>> = {
        totals: () => repo.totals(current, filters),
        visitors: () => repo.visitors(current, filters),
        series: () => repo.series(current, filters, bucket),
        props: () => repo.props(current, filters, 20),
        realtime: () => repo.realtime(toAt(now.getTime())),
      };
      const runOf = (query: Query) =>
        isExtra(query) ? page[query] : () => service.panel(query, current, filters);
      // As after a start or a new day: the hourly job has warmed the cache, and the page's
      // reads then run in order, each the first of its kind under these filters.
      repo.clearCache();
      await repo.warm(now);
      const warmed = new Map<Query, { wall: number; cpu: number }>();
      for (const query of queries) {
        const [c, t] = [process.cpuUsage(), performance.now()];
        await runOf(query)();
        warmed.set(query, { wall: performance.now() - t, cpu: cpuMs(process.cpuUsage(c)) });
      }
      for (const query of queries) {
        const xs = await time(runOf(query), () => repo.clearCache());
        results.push({
          filter,
          preset,
          query,
          median: median(xs.wall),
          max: Math.max(...xs.wall),
          cpu: median(xs.cpu),
          coldWall: xs.cold.wall,
          coldCpu: xs.cold.cpu,
          warmedWall: warmed.get(query)!.wall,
          warmedCpu: warmed.get(query)!.cpu,
        });
      }
      const slowest = results.filter((r) => r.filter === filter && r.preset === preset);
      const worst = slowest.reduce((a, b) => (b.median > a.median ? b : a));
      console.log(`  ${filter} / ${preset}: slowest ${worst.query} ${ms(worst.median)} ms`);
    }
  }
  return results;
}

async function ceiling(db: Db, sessions: number): Promise<{ select1: number; point: number }> {
  const s1: number[] = [];
  const pk: number[] = [];
  for (let i = 0; i < 200; i++) {
    let t = performance.now();
    await sql`select 1`.execute(db);
    s1.push(performance.now() - t);
    t = performance.now();
    await db
      .selectFrom('analytics_sessions')
      .select(['id', 'started_at', 'device'])
      .where('id', '=', 1 + ((i * 7919) % sessions))
      .executeTakeFirst();
    pk.push(performance.now() - t);
  }
  return { select1: median(s1), point: median(pk) };
}

/**
 * The hourly job's cache warming from empty (what a start does): its wall and CPU time, the
 * days and bytes it keeps, and the longest the event loop waited meanwhile.
 */
async function warmOnce(db: Db, now: Date) {
  const repo = createDashboardRepository(db);
  const lag = monitorEventLoopDelay({ resolution: 5 });
  lag.enable();
  const c = process.cpuUsage();
  const t = performance.now();
  const days = await repo.warm(now);
  const wall = performance.now() - t;
  const cpu = cpuMs(process.cpuUsage(c));
  lag.disable();
  return { days, wall, cpu, bytes: repo.cachedBytes(), maxLagMs: lag.max / 1e6 };
}

/** Bytes on disk per table and index (SQLite's dbstat), largest first. */
function footprint(file: string): { name: string; bytes: number }[] {
  const raw = new SQLite(file, { readonly: true });
  try {
    return raw
      .prepare(
        `select name, sum(pgsize) as bytes from dbstat group by name order by bytes desc limit 12`,
      )
      .all() as { name: string; bytes: number }[];
  } finally {
    raw.close();
  }
}

function vacuum(file: string): number {
  const t = performance.now();
  const raw = new SQLite(file);
  raw.pragma('wal_checkpoint(TRUNCATE)');
  raw.exec('vacuum');
  raw.exec('analyze');
  raw.close();
  return (performance.now() - t) / 1000;
}

async function one(target: number) {
  const dir = tmpDir();
  const file = path.join(dir, 'analytics.db');
  const now = new Date(Math.floor(Date.now() / 60_000) * 60_000);
  const setup = createDb(`sqlite:${file}`);
  await migrateToLatest(setup);
  await setup.destroy();
  const raw = new SQLite(file);
  console.log(`generating ${target.toLocaleString('en-US')} events in ${file}`);
  const gen: Generated = generate(raw, target, now.getTime());
  raw.close();
  const vacuumS = vacuum(file);
  const hourlyBytes = fs.statSync(file).size;
  console.log(
    `  ${gen.events} events, ${gen.sessions} visits: rows ${gen.seconds.rows.toFixed(0)} s, rollups ${gen.seconds.rollups.toFixed(0)} s, vacuum+analyze ${vacuumS.toFixed(0)} s, ${(hourlyBytes / gen.events).toFixed(0)} B/event`,
  );
  let db = createDb(`sqlite:${file}`);
  // Before compaction: unfiltered panels over hourly rollups only, as the writer leaves them.
  const hourly = pgUrl ? [] : await measure(db, now, [['none', {}]]);
  let t = performance.now();
  await compactRollups(db, now);
  const compactS = (performance.now() - t) / 1000;
  // The hourly job's second half (decision 014): closed days' rows into segments.
  t = performance.now();
  const segments = await buildSegments(db, now);
  const segmentS = (performance.now() - t) / 1000;
  console.log(
    `  folded rollups in ${compactS.toFixed(0)} s, built ${segments} day segments in ${segmentS.toFixed(0)} s`,
  );
  await db.destroy();
  vacuum(file);
  let bytes = fs.statSync(file).size;
  let parts = footprint(file);
  // PostgreSQL: the same compacted rows, copied over, measured through the same code.
  const copy = pgUrl ? await copyToPostgres(file, pgUrl) : null;
  if (copy) {
    console.log(`  copied to PostgreSQL in ${copy.seconds.toFixed(0)} s`);
    [bytes, parts] = [copy.bytes, []];
  }
  db = copy ? copy.db : createDb(`sqlite:${file}`);
  const filterSets: [string, Filters][] = [
    ['none', {}],
    ['device=mobile', { device: 2 }],
    ['device=mobile, region=Texas', { device: 2, region: gen.ids.texas }],
    ['page=/pricing', { page: gen.ids.pricing }],
  ];
  const ceil = await ceiling(db, gen.sessions);
  const warming = await warmOnce(db, now);
  t = performance.now();
  const results = await measure(db, now, filterSets);
  console.log(`  measured in ${((performance.now() - t) / 1000).toFixed(0)} s`);
  if (copy) await copy.drop();
  else await db.destroy();
  if (!process.env.BENCH_KEEP) fs.rmSync(dir, { recursive: true, force: true });
  return {
    target,
    gen,
    vacuumS,
    hourlyBytes,
    compactS,
    segments,
    segmentS,
    hourly,
    bytes,
    parts,
    ceil,
    warming,
    results,
    filterSets,
  };
}

type Run = Awaited<ReturnType<typeof one>>;

const header =
  '| filter | range | slowest query (warm) | median ms | max ms | its CPU ms | × PK lookup | over 150 ms (wall) | over 150 ms (CPU) | slowest cold: query, wall ms | over 150 ms (cold wall) | slowest after warming: query, wall ms | over 150 ms (after warming) | all queries, sum of medians ms |';
const rule = '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|';

function section(all: Run[], load: string): string {
  const lines: string[] = [];
  for (const r of all) {
    const millions = r.target / 1e6;
    const summary = (results: Result[], filter: string, preset: string) => {
      const rows = results.filter((x) => x.filter === filter && x.preset === preset);
      const worst = rows.reduce((a, b) => (b.median > a.median ? b : a));
      const over = rows.filter((x) => x.median > TARGET_MS).map((x) => x.query);
      const sum = rows.reduce((a, b) => a + b.median, 0);
      const overCpu = rows.filter((x) => x.cpu > TARGET_MS).length;
      const coldest = rows.reduce((a, b) => (b.coldWall > a.coldWall ? b : a));
      const overCold = rows.filter((x) => x.coldWall > TARGET_MS).length;
      const firstAfter = rows.reduce((a, b) => (b.warmedWall > a.warmedWall ? b : a));
      const overWarmed = rows.filter((x) => x.warmedWall > TARGET_MS).length;
      const overWarmedCpu = rows.filter((x) => x.warmedCpu > TARGET_MS).length;
      const overColdCpu = rows.filter((x) => x.coldCpu > TARGET_MS).length;
      return `${worst.query} | ${ms(worst.median)} | ${ms(worst.max)} | ${ms(worst.cpu)} | ${(worst.median / r.ceil.point).toFixed(0)} | ${over.length ? `${over.length}: ${over.join(', ')}` : 'none'} | ${overCpu} | ${coldest.query} ${ms(coldest.coldWall)} (CPU ${ms(coldest.coldCpu)}) | ${overCold} (CPU ${overColdCpu}) | ${firstAfter.query} ${ms(firstAfter.warmedWall)} (CPU ${ms(firstAfter.warmedCpu)}) | ${overWarmed} (CPU ${overWarmedCpu}) | ${ms(sum)}`;
    };
    lines.push(
      `### ${millions}M events (${r.gen.events.toLocaleString('en-US')} events, ${r.gen.sessions.toLocaleString('en-US')} visits, ${r.gen.props.toLocaleString('en-US')} props)`,
      '',
      `Generated in ${r.gen.seconds.rows.toFixed(0)} s (rows) + ${r.gen.seconds.rollups.toFixed(0)} s (rollups) + ${r.vacuumS.toFixed(0)} s (vacuum, analyze). ` +
        `${pgUrl ? 'PostgreSQL database after VACUUM ANALYZE (pg_database_size, catalog included)' : 'Disk after vacuum'}: ${(r.bytes / 2 ** 20).toFixed(0)} MiB, **${(r.bytes / r.gen.events).toFixed(0)} bytes per event** including indexes, visits and rollups` +
        (r.parts.length
          ? ` (largest: ${r.parts
              .slice(0, 7)
              .map((p) => `${p.name} ${(p.bytes / r.gen.events).toFixed(1)}`)
              .join(', ')} B/event). `
          : '. ') +
        `Ceiling: \`select 1\` ${r.ceil.select1.toFixed(3)} ms, primary-key lookup ${r.ceil.point.toFixed(3)} ms (median of 200). ` +
        `Warming the empty cache as the hourly job does at start: ${r.warming.days} days, ${(r.warming.bytes / 2 ** 20).toFixed(0)} MiB, ${(r.warming.wall / 1000).toFixed(1)} s (CPU ${(r.warming.cpu / 1000).toFixed(1)} s), the event loop held up ${ms(r.warming.maxLagMs)} ms at most. ` +
        `Before compaction (hourly rollups only, as the writer leaves them) the SQLite file was ${(r.hourlyBytes / r.gen.events).toFixed(0)} B/event; folding every closed day's rollups took ${r.compactS.toFixed(0)} s, and moving ${r.segments} closed days' rows into segments (\`src/analytics/segments/build.ts\`, the same hourly job) ${r.segmentS.toFixed(0)} s.`,
      '',
      ...(r.hourly.length
        ? [
            'Unfiltered, hourly rollups (before compaction):',
            '',
            header,
            rule,
            ...presets.map((p) => `| none | ${p} | ${summary(r.hourly, 'none', p)} |`),
            '',
          ]
        : []),
      "After compaction (closed days' rollups in daily rows, their raw rows in day segments):",
      '',
      header,
      rule,
    );
    for (const [filter] of r.filterSets) {
      for (const preset of presets)
        lines.push(`| ${filter} | ${preset} | ${summary(r.results, filter, preset)} |`);
    }
    lines.push('');
  }
  const last = all.at(-1)!;
  lines.push(
    `#### Every query at ${last.target / 1e6}M events: median (max) wall ms · median CPU ms · cold wall ms (CPU) · first after warming, wall ms (CPU)`,
    '',
    `| query | ${last.filterSets.flatMap(([f]) => [`${f}, 30d`, `${f}, 12m`]).join(' | ')} |`,
    `|---|${last.filterSets.flatMap(() => ['---', '---']).join('|')}|`,
  );
  for (const q of queries) {
    const cells = last.filterSets.flatMap(([f]) =>
      (['30d', '12m'] as const).map((p) => {
        const x = last.results.find((y) => y.filter === f && y.preset === p && y.query === q)!;
        const v = `${ms(x.median)} (${ms(x.max)}) · ${ms(x.cpu)} · ${ms(x.coldWall)} (${ms(x.coldCpu)}) · ${ms(x.warmedWall)} (${ms(x.warmedCpu)})`;
        return x.median > TARGET_MS ? `**${v}**` : v;
      }),
    );
    lines.push(`| ${q} | ${cells.join(' | ')} |`);
  }
  return `## Analytics dashboard panels${pgUrl ? ' on PostgreSQL' : ''} (\`${pgUrl ? 'BENCH_PG_URL=… ' : ''}npm run bench:analytics-panels\`)

Ran ${new Date().toISOString().slice(0, 16)}Z on ${machine()}; load average before the run: ${load}. ${engine}${pgUrl ? ' (CPU ms is this client process, not the server: read wall time)' : ''}, through the dashboard's own repository and service (\`src/analytics/dashboard\`), ${runs} runs per query (fewer once a query's runs add up to 3 s). Data: ~2.65 events per visit over 13 months ending now, traffic by US office hours and growing over the year, 300 paths (Zipf), 200 countries, US states with Texas the largest, 6 browsers, 9 systems; rollups built from the raw rows as the writer keeps them, then the hourly compactor: closed days' rollups folded into daily rows (decision 013) and closed days' visits, events and props moved into columnar day segments (decision 014), so filtered panels read a few days of rows plus segments. Cold: a query's first run with no decoded segment column in memory (read from the database and decoded; the database's own page cache is warm), as right after a start before the hourly job has warmed the cache; after warming: the cache emptied and warmed as that job does (the year's most read columns, \`warm\` in \`src/analytics/dashboard/segment-reader.ts\`), then each query of the page once, in order, so each is the first of its kind under its filters; warm: the runs after a query's cold run. "today", "7d", "30d", "12m" are the dashboard's presets; \`props\`, \`totals\`, \`visitors\`, \`series\`, \`realtime\` are the non-panel reads of the page; each panel includes its label lookup. Target: every query under ${TARGET_MS} ms.

${lines.join('\n')}`;
}

const load = os
  .loadavg()
  .map((l) => l.toFixed(2))
  .join(', ');
const all: Run[] = [];
for (const target of sizes) all.push(await one(target));
const md = section(all, load);
console.log(md);
writeSection(pgUrl ? 'analytics-panels-postgres' : 'analytics-panels', md);
for (const r of all) {
  const worst = r.results.reduce((a, b) => (b.median > a.median ? b : a));
  reportFigure({
    figure: `slowest dashboard query (warm median) at ${r.target / 1e6}M events, ${pgUrl ? 'PostgreSQL' : 'SQLite'}: ${worst.query}`,
    value: worst.median,
    unit: 'ms',
    target: `< ${TARGET_MS} ms`,
    met: worst.median < TARGET_MS,
    ceiling: r.ceil.point,
  });
}
