// Analytics events per second at the collector on the SQLite default, each committed before its
// 202 (group commit), against an empty Fastify route taking the same body in the same run; the
// bytes each event costs on disk; then `kill -9` during load: every acknowledged event must be
// in the database after a restart.
import SQLite from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  cpu,
  freePort,
  load,
  machine,
  measureCeiling,
  measured,
  startServerProcess,
  stop,
  tmpDir,
  reportFigure,
  writeSection,
} from './support.js';

const paths = ['/', '/services', '/about', '/partners', '/get-started', '/privacy'];
const uas = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:121.0) Gecko/20100101 Firefox/121.0',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.144 Mobile Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0',
];
const EVENTS_PER_VISIT = 4;

/** A visitor's address: spread over public IPv4 space, so geolocation varies as it would. */
const ipOf = (visitor: number) =>
  `${(visitor % 211) + 12}.${(visitor * 7) % 256}.${(visitor * 13) % 256}.${(visitor % 250) + 1}`;

/** The n-th event: a new visitor every few events, mostly page views, some custom events. */
function event(n: number, pagePath?: string) {
  const visitor = Math.floor(n / EVENTS_PER_VISIT);
  const custom = n % 5 === 0;
  return {
    body: JSON.stringify({
      type: custom ? 'event' : 'pageview',
      ...(custom ? { name: 'cta', props: { plan: 'pro' } } : {}),
      url: `http://localhost${pagePath ?? paths[n % paths.length]}?utm_source=bench&q=${n}`,
      referrer: visitor % 3 === 0 ? 'https://www.google.com/' : '',
    }),
    headers: {
      'content-type': 'text/plain;charset=UTF-8',
      // What a browser's beacon from the site's own page says (decision 015).
      'sec-fetch-site': 'same-origin',
      'user-agent': uas[visitor % uas.length]!,
      'x-forwarded-for': ipOf(visitor),
    },
  };
}

let n = 0;
const request = {
  method: 'POST' as const,
  path: '/api/event',
  setupRequest: (req: object) => ({ ...req, ...event(n++) }),
};

const duration = Number(process.env.BENCH_SECONDS ?? 10);
const loadAtStart = os.loadavg()[0]!;
// The beacons name pages of http://localhost (the collector refuses pages of any other origin).
// Every bench visitor has its own forwarded address, sending 4 events: the per-source bounds
// (ANALYTICS_EVENTS_PER_MINUTE, ANALYTICS_NEW_VISITORS_PER_MINUTE) stay at their defaults and on,
// so the figures include their cost. A load generator from one address would need them raised.
const appEnv = (port: number, dataDir: string) => ({
  PORT: String(port),
  DATA_DIR: dataDir,
  BASE_URL: 'http://localhost',
  TRUST_PROXY: 'true',
  OUTBOX_POLL_MS: '3600000',
});

// This machine's runs move by ±15% from one to the next: the empty route and the collector are
// measured in alternation, several rounds, and each row shows its median round.
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const medianOf = <T extends { rps: number }>(xs: T[]): T =>
  [...xs].sort((a, b) => a.rps - b.rps)[Math.floor(xs.length / 2)]!;
const spread = (xs: { rps: number }[]) =>
  `${Math.min(...xs.map((x) => x.rps)).toFixed(0)}–${Math.max(...xs.map((x) => x.rps)).toFixed(0)}`;

// Where the collector's time goes: the same beacons to routes that stop part way (bench/server.ts).
const stagesPort = freePort();
const stagesServer = await startServerProcess('stages', appEnv(stagesPort, tmpDir()));
const stage = (to: string) =>
  measured(stagesServer, {
    url: `http://127.0.0.1:${stagesPort}`,
    duration,
    requests: [{ ...request, path: to }],
  });
// Warmed first, so the first stage measured does not pay for the JIT alone.
await load({
  url: `http://127.0.0.1:${stagesPort}`,
  duration: 2,
  requests: [{ ...request, path: '/bench/enriched' }],
});
const parsed = await stage('/bench/parsed');
const enriched = await stage('/bench/enriched');
await stop(stagesServer);

/** The collector as `npm start` runs it, with its batches written on a thread or in line. */
async function collectorRun(writer: 'thread' | 'inline', dir: string, connections = 32) {
  const port = freePort();
  const server = await startServerProcess('app', {
    ...appEnv(port, dir),
    ANALYTICS_WRITER: writer,
  });
  // Warmed first, as the stages are, so the figures are not the JIT's first seconds.
  await load({ url: `http://127.0.0.1:${port}`, duration: 2, requests: [request] });
  const result = await measured(server, {
    url: `http://127.0.0.1:${port}`,
    duration,
    requests: [request],
    connections,
  });
  await stop(server);
  return result;
}
const inline = await collectorRun('inline', tmpDir());
// Twice the clients: a site gets beacons from many browsers at once, and batches grow with them.
const wider = await collectorRun('thread', tmpDir(), 64);
const ceilings: Awaited<ReturnType<typeof measureCeiling>>[] = [];
const collectors: (Awaited<ReturnType<typeof collectorRun>> & { dir: string })[] = [];
for (let r = 0; r < rounds; r++) {
  ceilings.push(await measureCeiling([request], duration));
  const dir = tmpDir();
  collectors.push({ ...(await collectorRun('thread', dir)), dir });
}
const ceiling = medianOf(ceilings);
const collector = medianOf(collectors);
const dataDir = collector.dir;

const file = path.join(dataDir, 'starspmb.db');
const db = new SQLite(file);
db.pragma('wal_checkpoint(TRUNCATE)');
db.exec('vacuum');
const count = (sql: string) => (db.prepare(sql).get() as { c: number }).c;
const events = count('select count(*) as c from analytics_events');
const sessions = count('select count(*) as c from analytics_sessions');
// The site's own tables with no analytics in them, measured the same way, are not the events'.
const emptyTables = count(
  "select count(*) as c from sqlite_master where type = 'table' and name not like 'analytics%'",
);
db.close();
const bytes = fs.statSync(file).size;
const base = await baselineBytes();

/** Size of a database with the full schema and no events, to subtract from the one above. */
async function baselineBytes(): Promise<number> {
  const dir = tmpDir();
  const port = freePort();
  await stop(await startServerProcess('app', appEnv(port, dir)));
  const f = path.join(dir, 'starspmb.db');
  const d = new SQLite(f);
  d.pragma('wal_checkpoint(TRUNCATE)');
  d.exec('vacuum');
  d.close();
  return fs.statSync(f).size;
}

// kill -9 during load: each request names its own page, and every one answered 202 must be found.
const killDir = tmpDir();
const killPort = freePort();
const victim = await startServerProcess('app', appEnv(killPort, killDir));
const acknowledged: number[] = [];
let sent = 0;
let killed = false;
const loops = Array.from({ length: 32 }, async () => {
  while (!killed) {
    const k = 1_000_000 + sent++;
    const e = event(k, `/k/${k}`);
    try {
      const res = await fetch(`http://127.0.0.1:${killPort}/api/event`, {
        method: 'POST',
        headers: e.headers,
        body: e.body,
      });
      if (res.status === 202) acknowledged.push(k);
    } catch {
      // The server is gone: anything unanswered was never acknowledged.
    }
  }
});
await new Promise((r) => setTimeout(r, Math.min(3000, duration * 500)));
const exited = new Promise((r) => victim.once('exit', r));
victim.kill('SIGKILL');
await exited;
killed = true;
await Promise.all(loops);
// Restart on the same files (SQLite recovers its log on open), then count with the server gone.
const again = await startServerProcess('app', appEnv(freePort(), killDir));
await stop(again);
const kdb = new SQLite(path.join(killDir, 'starspmb.db'), { readonly: true });
const stored = new Set(
  (
    kdb
      .prepare(
        `select d.value as p from analytics_events e join analytics_dict d on d.id = e.path
         where d.value like '/k/%'`,
      )
      .all() as { p: string }[]
  ).map((r) => Number(r.p.slice(3))),
);
kdb.close();
const missing = acknowledged.filter((k) => !stored.has(k));

const ratio = collector.rps / ceiling.rps;
const cpuRatio = collector.cpuMs !== null && ceiling.cpuMs ? collector.cpuMs / ceiling.cpuMs : null;
const perEvent = (bytes - base) / Math.max(events, 1);
const row = (r: typeof ceiling) =>
  `${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${cpu(r.cpuMs)} | ${cpu(r.mainCpuMs)}`;
const diff = (a: number | null, b: number | null) => (a === null || b === null ? null : a - b);
const share = (ms: number | null, what: string, of: typeof ceiling) =>
  ms === null || !of.cpuMs
    ? `${what} n/a`
    : `${what} ${(ms * 1000).toFixed(0)} µs (${((100 * ms) / of.cpuMs).toFixed(0)}%)`;
const md = `## Analytics collector (\`npm run bench:analytics\`)

Ran ${new Date().toISOString().slice(0, 16)}Z on ${machine()}. 32 connections, ${duration} s each, load generator (autocannon) in a separate process on the same 2 cores. Load average at start: ${loadAtStart.toFixed(1)}. Traffic: a new visitor (own IP, one of ${uas.length} browsers) every ${EVENTS_PER_VISIT} events, one event in five a custom event with a prop, a third of visits from Google.

| what | events/s | p50 ms | p99 ms | server CPU ms/event | of which main thread |
|---|---|---|---|---|---|
| empty route (ceiling): parse the JSON body, answer 202 (median of ${rounds} rounds: ${spread(ceilings)}) | ${row(ceiling)} |
| the site's request hooks and the body's validation, nothing stored | ${row(parsed)} |
| … and bot check, visitor hash, geolocation, channel; nothing stored | ${row(enriched)} |
| \`POST /api/event\`, SQLite, 202 after commit, batches written in line (\`ANALYTICS_WRITER=inline\`) | ${row(inline)} |
| \`POST /api/event\`, SQLite, 202 after commit, batches written on the writer thread (the default; median of ${rounds} rounds, alternated with the ceiling's: ${spread(collectors)}) | ${row(collector)} |
| the same with 64 connections | ${row(wider)} |

Where an event's server CPU goes with the writer in line, from the rows above: ${share(ceiling.cpuMs, 'HTTP and JSON (the empty route)', inline)}, ${share(diff(parsed.cpuMs, ceiling.cpuMs), "the site's hooks and validation", inline)}, ${share(diff(enriched.cpuMs, parsed.cpuMs), 'enrichment', inline)}, ${share(diff(inline.cpuMs, enriched.cpuMs), 'writing', inline)}. With the writer thread, the main thread spends ${cpu(collector.mainCpuMs)} ms per event and the other threads (the writer, SQLite's checkpointer, libuv) ${cpu(diff(collector.cpuMs, collector.mainCpuMs))} ms: the main thread, which alone serves HTTP, caps the rate at about ${collector.mainCpuMs ? (1000 / collector.mainCpuMs).toFixed(0) : 'n/a'} events/s where the other core is free.

The load generator itself used ${cpu(ceiling.loadCpuMs)} ms of CPU per request against the empty route (${cpu(collector.loadCpuMs)} against the collector), on the same two cores.

Round by round, the collector was ${collectors.map((c, i) => `${((c.rps / ceilings[i]!.rps) * 100).toFixed(0)}%`).join(', ')} of the ceiling measured just before it. The collector is **${(ratio * 100).toFixed(0)}%** of the ceiling${cpuRatio === null ? '' : ` and costs ${cpuRatio.toFixed(1)}× its CPU per request`}. Targets: 15,000 events/s (**${collector.rps >= 15000 ? 'met' : 'not met'}**), ≥ 60% of the ceiling (**${ratio >= 0.6 ? 'met' : 'not met'}**), p99 < 25 ms (**${collector.p99 < 25 ? 'met' : 'not met'}**). With 64 connections the collector answers ${wider.rps.toFixed(0)} events/s (15,000: **${wider.rps >= 15000 ? 'met' : 'not met'}**) at p99 ${wider.p99} ms, ${((wider.rps / ceiling.rps) * 100).toFixed(0)}% of the 32-connection ceiling.
Answered 202: ${collector.ok}; events stored: ${events} in ${sessions} visits (${events >= collector.ok ? 'every acknowledged event committed' : 'MISSING ACKNOWLEDGED EVENTS'}); errors ${collector.errors}, 4xx/5xx ${collector.non2xx3xx}.

**Disk:** ${(bytes / 2 ** 20).toFixed(1)} MiB after \`VACUUM\`; less the same schema empty (${(base / 2 ** 10).toFixed(0)} KiB, ${emptyTables} other tables), **${perEvent.toFixed(0)} bytes per event** (target < 100), counting the event row and its index, its share of visits, visitor days, props, dictionary and rollups.

**\`kill -9\` during load:** 32 clients posting events, each naming its own page; the server was killed with SIGKILL after ${Math.min(3000, duration * 500) / 1000} s, restarted on the same files and stopped. Acknowledged (202): ${acknowledged.length}; found after restart: ${acknowledged.length - missing.length}; **missing: ${missing.length}**${missing.length === 0 ? '' : ` (${missing.slice(0, 5).join(', ')}…)`}. Stored but never acknowledged (in flight at the kill): ${stored.size - (acknowledged.length - missing.length)}.`;

console.log(md);
writeSection('analytics', md);
reportFigure({
  figure: 'analytics events committed, SQLite',
  value: collector.rps,
  unit: 'events/s',
  target: '≥ 15,000/s and ≥ 60% of the ceiling',
  met: collector.rps >= 15000 && ratio >= 0.6,
  ceiling: ceiling.rps,
});
reportFigure({
  figure: 'analytics collector p99',
  value: collector.p99,
  unit: 'ms',
  target: '< 25 ms',
  met: collector.p99 < 25,
});
reportFigure({
  figure: 'analytics bytes per event on disk',
  value: perEvent,
  unit: 'bytes',
  target: '< 100',
  met: perEvent < 100,
});
reportFigure({
  figure: 'acknowledged events missing after kill -9',
  value: missing.length,
  unit: 'events',
  target: '0',
  met: missing.length === 0,
});
if (missing.length > 0) process.exitCode = 1;
