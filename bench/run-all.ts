// `npm run bench`: every benchmark script under bench/ in turn (never two at once: they would
// measure each other), the machine's load average printed beside each, then a summary table of
// their headline figures (figure, target, ratio to the ceiling measured in the same run, machine,
// load) written to the top of docs/benchmarks.md. A script is any bench/*.ts that writes its own
// section of that file (writeSection); helpers (support, server, data generators) are not run.
//   BENCH_ONLY=intake,pages npm run bench     a subset, by file name
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { machine, tmpDir, writeSection, type Figure } from './support.js';

const self = path.basename(process.argv[1] ?? 'run-all.ts');
const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim().replace(/\.ts$/, ''));
const scripts = fs
  .readdirSync('bench')
  .filter((f) => f.endsWith('.ts') && f !== self && f !== 'run-all.ts')
  .filter((f) =>
    /(?<!function )\bwriteSection\(/.test(fs.readFileSync(path.join('bench', f), 'utf8')),
  )
  .filter((f) => !only || only.includes(f.replace(/\.ts$/, '')))
  .sort();

const loadNow = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');

interface Ran {
  script: string;
  code: number | null;
  seconds: number;
  loadBefore: number;
  loadAfter: number;
}

const figuresFile = path.join(tmpDir(), 'figures.jsonl');
fs.writeFileSync(figuresFile, '');
const ran: Ran[] = [];
console.log(`Benchmarks on ${machine()}: ${scripts.join(', ')}`);
for (const script of scripts) {
  const loadBefore = os.loadavg()[0]!;
  console.log(
    `\n=== bench/${script} — load average (1/5/15 min) ${loadNow()} on ${os.cpus().length} cores`,
  );
  const started = performance.now();
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join('bench', script)], {
      env: { ...process.env, BENCH_FIGURES: figuresFile },
      stdio: 'inherit',
    });
    child.on('exit', (c) => resolve(c));
  });
  const seconds = (performance.now() - started) / 1000;
  const loadAfter = os.loadavg()[0]!;
  console.log(
    `=== bench/${script} ${code === 0 ? 'done' : `FAILED (exit ${code})`} in ${seconds.toFixed(0)} s — load average ${loadNow()}`,
  );
  ran.push({ script, code, seconds, loadBefore, loadAfter });
}

const figures = fs
  .readFileSync(figuresFile, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as Figure & { script: string });
fs.rmSync(path.dirname(figuresFile), { recursive: true, force: true });

const num = (v: number) =>
  v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(v >= 10 ? 1 : 2);
const host = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}`;
const rows: string[] = [];
for (const r of ran) {
  const load = `${r.loadBefore.toFixed(1)} → ${r.loadAfter.toFixed(1)}`;
  const mine = figures.filter((f) => f.script === r.script);
  if (r.code !== 0 || mine.length === 0)
    rows.push(
      `| \`${r.script}\` ${r.code === 0 ? 'reported no figure' : `**failed** (exit ${r.code})`} | — | — | — | — | ${load} | ${host} |`,
    );
  for (const f of mine) {
    const ratio = f.ceiling
      ? `${(f.value / f.ceiling).toFixed(2)}× (ceiling ${num(f.ceiling)} ${f.unit})`
      : '—';
    const met = f.met === null ? 'not measured' : f.met ? 'met' : '**not met**';
    rows.push(
      `| ${f.figure} (\`${r.script}\`) | ${num(f.value)} ${f.unit} | ${f.target} | ${met} | ${ratio} | ${load} | ${host} |`,
    );
  }
}

const md = `## Summary (\`npm run bench\`)

Ran ${new Date().toISOString().slice(0, 16)}Z on ${machine()}, each script alone and in turn (${ran
  .map((r) => `${r.script} ${r.seconds.toFixed(0)} s`)
  .join(
    ', ',
  )}). Ratio: the figure over the ceiling measured in the same run (an empty Fastify route for
requests per second, where more is better; a primary-key lookup for query times, where less is
better). Load: the 1-minute load average before → after the script; above the core count, other
work shared the machine and the figures understate it.

| figure | value | target | verdict | ratio to the in-run ceiling | load (1 min) | machine |
|---|---|---|---|---|---|---|
${rows.join('\n')}`;

// The summary leads the file: put its markers just after the title paragraph the first time.
const doc = path.resolve('docs/benchmarks.md');
if (fs.existsSync(doc)) {
  const text = fs.readFileSync(doc, 'utf8');
  if (!text.includes('<!-- bench:summary -->')) {
    const at = text.indexOf('\n\n<!-- bench:');
    fs.writeFileSync(
      doc,
      at < 0
        ? text
        : `${text.slice(0, at)}\n\n<!-- bench:summary -->\n<!-- /bench:summary -->${text.slice(at)}`,
    );
  }
}
writeSection('summary', md);
console.log(`\n${md}`);
if (ran.some((r) => r.code !== 0)) process.exitCode = 1;
