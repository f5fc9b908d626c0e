import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';

export function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}, Node ${process.version}`;
}

/** Starts bench/server.ts in a child process and resolves once it listens. */
export async function startServerProcess(
  mode: 'empty' | 'app' | 'stages',
  env: Record<string, string>,
): Promise<ChildProcess> {
  const profile = process.env.BENCH_CPU_PROF
    ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF]
    : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', 'bench/server.ts', mode], {
    env: { ...process.env, LOG_LEVEL: 'warn', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('READY')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`${mode} server exited with ${code}`)));
  });
  return child;
}

/**
 * CPU seconds (user + system) a child process has used so far, from /proc: all its threads, and
 * its main thread alone (the one that serves HTTP); null where /proc is not available. On a shared
 * machine, CPU time per request moves far less with other people's load than requests per second.
 */
export function cpuSeconds(child: ChildProcess): { all: number; main: number } | null {
  const read = (file: string) => {
    const stat = fs.readFileSync(file, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the file, counted in clock ticks (100 per second).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  };
  try {
    return {
      all: read(`/proc/${child.pid}/stat`),
      main: read(`/proc/${child.pid}/task/${child.pid}/stat`),
    };
  } catch {
    return null;
  }
}

export async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  ok: number;
  errors: number;
  non2xx3xx: number;
}

export async function load(opts: autocannon.Options): Promise<LoadResult> {
  const r = await autocannon({ connections: 32, duration: 10, ...opts });
  const ok = r['3xx'] + r['2xx'];
  return {
    rps: ok / (r.duration || 1),
    p50: r.latency.p50,
    p99: r.latency.p99,
    ok,
    errors: r.errors + r.timeouts,
    non2xx3xx: r['4xx'] + r['5xx'],
  };
}

/** The load result plus the server's own CPU milliseconds per answered request (null without /proc). */
export async function measured(
  server: ChildProcess,
  opts: autocannon.Options,
): Promise<LoadResult & { cpuMs: number | null; mainCpuMs: number | null; loadCpuMs: number }> {
  const before = cpuSeconds(server);
  const own = process.cpuUsage();
  const result = await load(opts);
  const after = cpuSeconds(server);
  const per = (s: number) => (s * 1000) / Math.max(result.ok, 1);
  const generator = process.cpuUsage(own);
  return {
    ...result,
    // The load generator runs in this process, on the same cores as the server.
    loadCpuMs: per((generator.user + generator.system) / 1e6),
    cpuMs: before && after ? per(after.all - before.all) : null,
    mainCpuMs: before && after ? per(after.main - before.main) : null,
  };
}
/** The empty route's figures for the same requests: the ceiling a benchmark reports against. */
export async function measureCeiling(
  requests: autocannon.Request[],
  duration: number,
): Promise<Awaited<ReturnType<typeof measured>>> {
  const port = freePort();
  const empty = await startServerProcess('empty', { PORT: String(port) });
  const result = await measured(empty, { url: `http://127.0.0.1:${port}`, duration, requests });
  await stop(empty);
  return result;
}
export const cpu = (ms: number | null) => (ms === null ? 'n/a' : ms.toFixed(3));

/** Replaces this benchmark's section of docs/benchmarks.md, keeping the others. */
export function writeSection(name: string, markdown: string): void {
  const file = path.resolve('docs/benchmarks.md');
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  let doc = fs.existsSync(file)
    ? fs.readFileSync(file, 'utf8')
    : '# Benchmarks\n\nWritten by the scripts under `bench/`; each section says the machine and the date it ran on.\n';
  const block = `${start}\n${markdown.trim()}\n${end}`;
  const re = new RegExp(`${start}[\\s\\S]*?${end}`);
  doc = re.test(doc) ? doc.replace(re, block) : `${doc.trimEnd()}\n\n${block}\n`;
  fs.writeFileSync(file, doc);
}

export const freePort = (): number => 20000 + Math.floor(Math.random() * 20000);
export const tmpDir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'starspmb-bench-'));

/** One headline figure of a benchmark, for the summary table `npm run bench` writes. */
export interface Figure {
  figure: string;
  value: number;
  unit: string;
  /** The target in words ("≥ 1,000/s"), and whether this run met it (null: no target). */
  target: string;
  met: boolean | null;
  /** The in-run ceiling in the same unit (the empty route, a primary-key lookup), if any. */
  ceiling?: number;
}

/**
 * Hands a figure to `npm run bench` (bench/run-all.ts), which names the file in BENCH_FIGURES;
 * run alone, a script records nothing here.
 */
export function reportFigure(f: Figure): void {
  const file = process.env.BENCH_FIGURES;
  if (!file) return;
  fs.appendFileSync(
    file,
    `${JSON.stringify({ ...f, script: path.basename(process.argv[1] ?? '') })}\n`,
  );
}
