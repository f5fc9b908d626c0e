// Public pages with the cookie notice: the home page for a first visit (notice rendered), after
// Reject all (no notice, no tag lookup) and after Accept all (one tag looked up and served, CSP
// widened), on the SQLite default. Target for public pages: at least 5,000 requests/s.
import { randomBytes } from 'node:crypto';
import SQLite from 'better-sqlite3';
import path from 'node:path';
import {
  freePort,
  load,
  machine,
  startServerProcess,
  stop,
  tmpDir,
  reportFigure,
  writeSection,
} from './support.js';

const duration = Number(process.env.BENCH_SECONDS ?? 10);
const dataDir = tmpDir();
const port = freePort();
const env = {
  PORT: String(port),
  DATA_DIR: dataDir,
  APP_SECRET: randomBytes(32).toString('base64url'),
};

// First start migrates the database; then one active advertising tag is registered.
await stop(await startServerProcess('app', env));
const db = new SQLite(path.join(dataDir, 'starspmb.db'));
const now = new Date().toISOString();
// Its vendor is a registered service provider with a contract, or the tag would not load.
db.prepare(
  `insert into recipients (id, kind, key, name, categories, purpose, contract_ref, related_entity, active, created_at, updated_at)
   values ('bench-vendor', 'processor', 'bench-ads', 'Bench Ads', '["online.activity"]', 'measures our advertising', 'DPA-BENCH', 0, 1, ?, ?)`,
).run(now, now);
db.prepare(
  `insert into tags (id, name, category, vendor, origin, script_url, inline_snippet, data_received, active, created_at, updated_at, updated_by, recipient_id, categories)
   values ('bench-tag', 'Bench pixel', 'advertising', 'Bench Ads', 'https://ads.bench.example', 'https://ads.bench.example/p.js', null, 'pages visited', 1, ?, ?, 'bench', 'bench-vendor', '["online.activity"]')`,
).run(now, now);
db.close();

const app = await startServerProcess('app', env);
const url = `http://127.0.0.1:${port}/`;
const cases = [
  ['first visit (notice shown)', {}],
  ['after Reject all', { cookie: 'spmb_choices=a:d.d:d.v:1_2' }],
  ['after Accept all (tag served)', { cookie: 'spmb_choices=a:g.d:g.v:1_2' }],
] as const;
const rows: string[] = [];
let slowest = Infinity;
for (const [label, headers] of cases) {
  const r = await load({ url, duration, headers });
  slowest = Math.min(slowest, r.rps);
  rows.push(`| ${label} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.errors + r.non2xx3xx} |`);
}
await stop(app);

const md = `## Public pages with the cookie notice (\`npm run bench:cookies\`)

Ran ${new Date().toISOString().slice(0, 16)}Z on ${machine()}. \`GET /\`, 32 connections, ${duration} s each, load generator in a separate process, SQLite.

| visitor | req/s | p50 ms | p99 ms | errors |
|---|---|---|---|---|
${rows.join('\n')}

Target ≥ 5,000 requests/s for public pages: **${slowest >= 5000 ? 'met' : 'not met'}** by the slowest case (${slowest.toFixed(0)}/s).`;

console.log(md);
writeSection('cookies', md);
reportFigure({
  figure: 'GET / with the cookie notice, slowest case',
  value: slowest,
  unit: 'req/s',
  target: '≥ 5,000/s',
  met: slowest >= 5000,
});
