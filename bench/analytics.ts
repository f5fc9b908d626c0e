// Analytics events per second at the collector on the SQLite default, each committed before its
// 202 (group commit), against an empty Fastify route taking the same body in the same run; then
// the bytes each event costs on disk (database file over events stored, indexes and rollups in).
import SQLite from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { freePort, load, machine, startServerProcess, stop, tmpDir, writeSection } from './support.js';

const paths = ['/', '/services', '/about', '/partners', '/get-started', '/privacy'];
const uas = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:121.0) Gecko/20100101 Firefox/121.0',
];
let n = 0;
// Many visitors (distinct forwarded IPs are not used: the hash varies with the user agent and
// the loopback IP, so each connection's sequence reads as a few long visits).
const request = {
  method: 'POST' as const,
  path: '/api/event',
  headers: { 'content-type': 'text/plain;charset=UTF-8' },
  setupRequest: (req: object) => {
    n++;
    const body = JSON.stringify({
      type: n % 5 === 0 ? 'event' : 'pageview',
      ...(n % 5 === 0 ? { name: 'cta', props: { plan: 'pro' } } : {}),
      url: `http://localhost${paths[n % paths.length]}?utm_source=bench&q=${n}`,
      referrer: n % 3 === 0 ? 'https://www.google.com/' : '',
    });
    return { ...req, body, headers: { ...request.headers, 'user-agent': `${uas[n % uas.length]} b${n % 500}` } };
  },
};

const duration = Number(process.env.BENCH_SECONDS ?? 10);
const emptyPort = freePort();
const empty = await startServerProcess('empty', { PORT: String(emptyPort) });
const ceiling = await load({ url: `http://127.0.0.1:${emptyPort}`, duration, requests: [request] });
await stop(empty);

const dataDir = tmpDir();
const appPort = freePort();
const app = await startServerProcess('app', { PORT: String(appPort), DATA_DIR: dataDir, OUTBOX_POLL_MS: '3600000' });
const collector = await load({ url: `http://127.0.0.1:${appPort}`, duration, requests: [request] });
await stop(app);

const file = path.join(dataDir, 'starspmb.db');
const db = new SQLite(file);
db.pragma('wal_checkpoint(TRUNCATE)');
db.exec('vacuum');
const events = (db.prepare('select count(*) as c from analytics_events').get() as { c: number }).c;
const sessions = (db.prepare('select count(*) as c from analytics_sessions').get() as { c: number }).c;
db.close();
const bytes = fs.statSync(file).size;

const ratio = collector.rps / ceiling.rps;
const md = `## Analytics collector (\`npm run bench:analytics\`)

Ran ${new Date().toISOString().slice(0, 16)}Z on ${machine()}. 32 connections, ${duration} s each, load generator in a separate process. **The machine was shared with other engineers' test runs: figures are noisy.**

| what | events/s | p50 ms | p99 ms |
|---|---|---|---|
| empty route (ceiling) | ${ceiling.rps.toFixed(0)} | ${ceiling.p50} | ${ceiling.p99} |
| \`POST /api/event\`, SQLite, 202 after commit | ${collector.rps.toFixed(0)} | ${collector.p50} | ${collector.p99} |

Collector is **${(ratio * 100).toFixed(0)}%** of the ceiling. Targets: 15,000 events/s (**${collector.rps >= 15000 ? 'met' : 'not met'}**), ≥ 60% of the ceiling (**${ratio >= 0.6 ? 'met' : 'not met'}**), p99 < 25 ms (**${collector.p99 < 25 ? 'met' : 'not met'}**).
Answered 202: ${collector.ok}; events stored: ${events} in ${sessions} visits (${events >= collector.ok ? 'every acknowledged event committed' : 'MISSING ACKNOWLEDGED EVENTS'}); errors ${collector.errors}, 4xx/5xx ${collector.non2xx3xx}.
Disk: ${(bytes / 2 ** 20).toFixed(1)} MiB after vacuum for the whole database, **${(bytes / Math.max(events, 1)).toFixed(0)} bytes per event** including indexes, sessions, rollups and the (small) rest of the schema.
Not measured yet: \`kill -9\` during load, and panel query times at 1 and 10 million events.`;

console.log(md);
writeSection('analytics', md);
