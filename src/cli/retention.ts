import { parseArgs } from 'node:util';
import { systemClock } from '../adapters/clock.js';
import type { Config } from '../config/env.js';
import { createDb } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import type { RunReport } from '../retention/service.js';
import { createRetentionRunner } from '../retention/service.js';

export const retentionUsage = 'Usage: starspmb retention run [--dry-run]';

/** The report as lines: each rule with its count (and what went with it), then the total. */
export function formatReport(report: RunReport): string[] {
  const verb = report.dryRun ? 'would be deleted' : 'deleted';
  const width = Math.max(...report.results.map((r) => r.key.length));
  const lines = [
    report.dryRun
      ? `Retention dry run #${report.id}: nothing was changed.`
      : `Retention run #${report.id}:`,
  ];
  for (const r of report.results) {
    const related = Object.entries(r.related ?? {})
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${n} ${k.replace('_', ' ')}`);
    const extra = related.length ? ` (with ${related.join(', ')})` : '';
    lines.push(
      `  ${r.key.padEnd(width)}  ${String(r.records).padStart(7)} ${verb}${extra}  — ${r.title}; kept ${r.period}`,
    );
  }
  lines.push(`Total: ${report.total} records ${verb}.`);
  return lines;
}

/**
 * `starspmb retention run [--dry-run]`: one retention run now, the same one the schedule makes.
 * Safe to repeat; refuses politely while another instance is running it.
 */
export async function retentionCommand(
  config: Config,
  args: string[],
  print: (line: string) => void = console.log,
): Promise<number> {
  const [sub, ...rest] = args;
  let dryRun = false;
  try {
    const { values } = parseArgs({
      args: rest,
      options: { 'dry-run': { type: 'boolean' } },
      strict: true,
    });
    dryRun = values['dry-run'] === true;
  } catch (err) {
    console.error(`${(err as Error).message}\n${retentionUsage}`);
    return 1;
  }
  if (sub !== 'run') {
    console.error(retentionUsage);
    return 1;
  }
  const db = createDb(config.databaseUrl);
  const progress = process.stderr.isTTY
    ? (key: string, n: number) => process.stderr.write(`\r${key}: ${n} deleted so far…`)
    : undefined;
  try {
    await migrateToLatest(db);
    const runner = createRetentionRunner({ db, clock: systemClock });
    const outcome = await runner.run({ trigger: 'cli', dryRun, onProgress: progress });
    if (progress) process.stderr.write('\r\x1b[K');
    if (outcome.status === 'busy') {
      console.error(
        'Another retention run is in progress (another instance holds the lock). Try again when it has finished.',
      );
      return 2;
    }
    formatReport(outcome.report).forEach((line) => print(line));
    return 0;
  } finally {
    await db.destroy();
  }
}
