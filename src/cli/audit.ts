import { verifyChain } from '../audit/verify.js';
import type { Config } from '../config/env.js';
import { createDb } from '../db/database.js';

const usage = 'Usage: starspmb audit verify';

/**
 * `starspmb audit verify`: checks the hash chain of the audit log. Read-only on purpose (it does
 * not migrate), so it can be pointed at a production database or a restored backup safely.
 */
export async function auditCommand(config: Config, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'verify' || rest.length > 0) {
    console.error(usage);
    return 1;
  }
  const db = createDb(config.databaseUrl);
  const progress = process.stderr.isTTY
    ? (n: number) => process.stderr.write(`\rchecked ${n} entries…`)
    : undefined;
  try {
    const report = await verifyChain(db, { onProgress: progress }).catch((err: unknown) => {
      if (!isMissingTable(err)) throw err;
      return undefined;
    });
    if (!report) {
      console.error('This database has no audit log yet. Run `starspmb migrate` first.');
      return 1;
    }
    if (progress) process.stderr.write('\n');
    if (!report.ok) {
      console.error(`BROKEN at entry ${report.seq}: ${report.problem}.`);
      console.error(`${report.count} entries before it are intact.`);
      return 2;
    }
    console.log(`OK: ${report.count} entries, chain intact.`);
    // Truncating the newest entries leaves a valid chain; the head lets an operator notice that.
    if (report.head) console.log(`Head: entry ${report.head.seq}, hash ${report.head.hash}`);
    return 0;
  } finally {
    await db.destroy();
  }
}

// Both engines' "no such table" errors: SQLite says so in words, PostgreSQL by code.
function isMissingTable(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | null;
  return e?.code === '42P01' || /no such table/.test(e?.message ?? '');
}
