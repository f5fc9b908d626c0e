// Time from `npm start` to the first answer of /healthz, with the build up to date (a second
// start: issue 15 asks for under 5 s), against a bare Fastify process started the same way in the
// same run (node and an empty route: the ceiling). First starts on a new data folder (keys,
// migrations) and later ones on the same folder are timed apart.
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { freePort, machine, reportFigure, tmpDir, writeSection } from './support.js';

const runs = Number(process.env.BENCH_ROUNDS ?? 3);
const loadAtStart = os.loadavg()[0]!;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Starts a command and times it until GET /healthz (or /bare) answers 200; then stops it. */
async function timeToAnswer(cmd: string[], env: Record<string, string>, path: string) {
  const port = freePort();
  const started = performance.now();
  const child: ChildProcess = spawn(cmd[0]!, cmd.slice(1), {
    env: { ...process.env, LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: 'ignore',
    detached: true,
  });
  try {
    for (;;) {
      const ok = await fetch(`http://127.0.0.1:${port}${path}`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) return performance.now() - started;
      if (child.exitCode !== null) throw new Error(`${cmd.join(' ')} exited ${child.exitCode}`);
      if (performance.now() - started > 120_000) throw new Error('no answer in 120 s');
      await new Promise((r) => setTimeout(r, 25));
    }
  } finally {
    // npm starts node under a shell: stop the whole group.
    process.kill(-child.pid!, 'SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

// The ceiling: Node starting Fastify with one route, no TypeScript loader, nothing else.
const bareServer = `import Fastify from 'fastify';
const app = Fastify();
app.get('/bare', async () => 'ok');
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });`;
const bare = ['node', '--input-type=module', '-e', bareServer];
const npmStart = ['npm', 'start', '--silent'];
const rows: { label: string; ms: number[] }[] = [
  { label: 'bare Fastify process (ceiling)', ms: [] },
  { label: '`npm start`, new data folder', ms: [] },
  { label: '`npm start` again, same data folder', ms: [] },
];
// Once, so the build is current and every timed start is a "second start".
await timeToAnswer(npmStart, { DATA_DIR: tmpDir() }, '/healthz');
for (let i = 0; i < runs; i++) {
  rows[0]!.ms.push(await timeToAnswer(bare, {}, '/bare'));
  const dir = tmpDir();
  rows[1]!.ms.push(await timeToAnswer(npmStart, { DATA_DIR: dir }, '/healthz'));
  rows[2]!.ms.push(await timeToAnswer(npmStart, { DATA_DIR: dir }, '/healthz'));
}

const ceiling = median(rows[0]!.ms);
const again = median(rows[2]!.ms);
const table = [
  '| start | median s | runs (s) | of ceiling | target |',
  '| --- | --- | --- | --- | --- |',
  ...rows.map((r) => {
    const m = median(r.ms);
    const target = r === rows[2] ? (m < 5000 ? '< 5 s: **met**' : '< 5 s: not met') : '—';
    return `| ${r.label} | ${(m / 1000).toFixed(2)} | ${r.ms.map((x) => (x / 1000).toFixed(2)).join(', ')} | ${(m / ceiling).toFixed(1)}× | ${target} |`;
  }),
].join('\n');
const text = `## Start time (\`npm run bench:start\`)

Ran ${new Date().toISOString().slice(0, 16)}Z on ${machine()}. Load average at start: ${loadAtStart.toFixed(1)} on ${os.cpus().length} cores. ${runs} rounds; each start is timed from the spawn of the command to the first 200 from \`/healthz\` (the bare process: \`/bare\`), on SQLite, with the build up to date (\`npm start\` compiles only when a source is newer than \`dist/\`). A new data folder makes its keys and runs every migration; the same folder again only opens them.

${table}
`;
console.log(text);
writeSection('start', text);
reportFigure({
  figure: 'second `npm start` to first answer',
  value: Math.round(again) / 1000,
  unit: 's',
  target: '< 5 s',
  met: again < 5000,
  ceiling: Math.round(ceiling) / 1000,
});
