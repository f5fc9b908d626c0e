// Public pages against a bare Fastify GET route measured in the same run, on the SQLite default:
// /healthz, the marketing pages as a returning visitor (a cookie choice made), the intake form,
// /privacy, /cookies, and the home page on a first visit (cookie notice shown). Both servers run
// in their own processes; the load generator runs here. Rounds alternate the bare route with the
// pages, and each row shows its median round, because this machine is shared.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import {
  freePort,
  machine,
  measured,
  startServerProcess,
  stop,
  tmpDir,
  reportFigure,
  writeSection,
  type LoadResult,
} from './support.js';

const duration = Number(process.env.BENCH_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const loadAtStart = os.loadavg()[0]!;
const appPort = freePort();
const barePort = appPort + 1;
const env = {
  PORT: String(appPort),
  DATA_DIR: tmpDir(),
  APP_SECRET: randomBytes(32).toString('base64url'),
  OUTBOX_POLL_MS: '3600000',
};
// Pages are asked for as a browser asks: every browser offers Brotli and gzip, and gets the
// compressed page kept beside the cached one. The probe is asked as a supervisor asks.
const browser = { accept: 'text/html', 'accept-encoding': 'gzip, deflate, br, zstd' };
// A visitor who chose "Reject all" under the current policy: no notice, no tags.
const chosen = { ...browser, cookie: 'spmb_choices=a:d.d:d.v:1_4' };

interface Case {
  label: string;
  port: number;
  path: string;
  headers: Record<string, string>;
  target: number;
}
const cases: Case[] = [
  { label: 'bare Fastify route (ceiling)', port: barePort, path: '/bare', headers: {}, target: 1 },
  { label: '/healthz', port: appPort, path: '/healthz', headers: {}, target: 0.5 },
  { label: '/', port: appPort, path: '/', headers: chosen, target: 0.25 },
  { label: '/get-started', port: appPort, path: '/get-started', headers: chosen, target: 0.25 },
  { label: '/privacy', port: appPort, path: '/privacy', headers: chosen, target: 0.25 },
  { label: '/cookies', port: appPort, path: '/cookies', headers: chosen, target: 0.25 },
  {
    label: '/ first visit (cookie notice)',
    port: appPort,
    path: '/',
    headers: browser,
    target: 0.25,
  },
];

// The first start migrates the database.
await stop(await startServerProcess('app', env));
const bare = await startServerProcess('empty', { PORT: String(barePort) });
const app = await startServerProcess('app', env);
const servers = new Map([
  [barePort, bare],
  [appPort, app],
]);

type Result = Awaited<ReturnType<typeof measured>>;
const results = new Map<string, Result[]>(cases.map((c) => [c.label, []]));
const run = (c: Case, seconds: number) =>
  measured(servers.get(c.port)!, {
    url: `http://127.0.0.1:${c.port}${c.path}`,
    headers: c.headers,
    duration: seconds,
  });
// Warm-up: every route once, so the first round does not pay for lazy compilation.
for (const c of cases) await run(c, 1);
for (let round = 0; round < rounds; round++)
  for (const c of cases) results.get(c.label)!.push(await run(c, duration));
await stop(app);
await stop(bare);

const median = (rs: Result[]): Result =>
  [...rs].sort((a, b) => a.rps - b.rps)[Math.floor(rs.length / 2)]!;
const ceiling = median(results.get(cases[0]!.label)!);
const errors = (r: LoadResult) => r.errors + r.non2xx3xx;
const rows = cases.map((c) => {
  const r = median(results.get(c.label)!);
  const ratio = r.rps / ceiling.rps;
  const verdict =
    c.target === 1 ? '—' : `≥ ${c.target * 100}%: **${ratio >= c.target ? 'met' : 'not met'}**`;
  const ms = r.mainCpuMs === null ? 'n/a' : r.mainCpuMs.toFixed(3);
  // The same share by the server's CPU per request, which other processes' load moves far less.
  const byCpu =
    r.mainCpuMs && ceiling.mainCpuMs
      ? `${((ceiling.mainCpuMs / r.mainCpuMs) * 100).toFixed(0)}%`
      : 'n/a';
  return `| ${c.label} | ${r.rps.toFixed(0)} | ${(ratio * 100).toFixed(0)}% | ${byCpu} | ${r.p50} | ${r.p99} | ${ms} | ${errors(r)} | ${verdict} |`;
});
const perRound = cases
  .slice(1)
  .map(
    (c) =>
      `${c.label} ${results
        .get(c.label)!
        .map((r, i) => `${((r.rps / results.get(cases[0]!.label)![i]!.rps) * 100).toFixed(0)}%`)
        .join(', ')}`,
  )
  .join('; ');

const md = `## Public pages (\`npm run bench:pages\`)

Ran ${new Date().toISOString().slice(0, 16)}Z on ${machine()}. Load average at start: ${loadAtStart.toFixed(1)} on ${os.cpus().length} cores (the machine is shared: figures move between runs). 32 connections, ${rounds} rounds of ${duration} s per row, the bare route and the pages alternating; each row is its median round. Load generator (autocannon) in this process, each server in its own, SQLite. Pages are asked for with a browser's \`Accept-Encoding\` (Brotli and gzip offered), /healthz without. "Returning visitor": a cookie choice made (Reject all); the first visit sends no cookie and gets the notice.

| request | req/s | of ceiling | of ceiling by CPU/request | p50 ms | p99 ms | server main-thread CPU ms/request | errors | target (req/s) |
|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}

Round by round, share of the ceiling measured in the same round: ${perRound}. A share above 100% means other processes starved the ceiling's round: on a busy machine the CPU column is the steadier comparison.`;

console.log(md);
writeSection('pages', md);
for (const c of cases.slice(1)) {
  const r = median(results.get(c.label)!);
  reportFigure({
    figure: `GET ${c.label}`,
    value: r.rps,
    unit: 'req/s',
    target: `≥ ${c.target * 100}% of the ceiling`,
    met: r.rps / ceiling.rps >= c.target,
    ceiling: ceiling.rps,
  });
}
