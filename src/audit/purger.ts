import { lockAuditChain } from './log.js';
import { currentAuditKey } from './key.js';
import { insertBoundary, signBoundary } from './purge-boundary.js';
import { verifyChain } from './verify.js';
import type { Db } from '../db/database.js';
import { retention } from '../privacy/vocabulary.js';
import { cutoffFor, describeRule, dueAt } from '../retention/period.js';
import { countRows, type PurgeCounts, type Purger } from '../retention/types.js';

// The audit log is kept 6 years (HIPAA documentation), then its oldest entries go. It is a hash
// chain, so only a prefix can go: the purger checks the entries it is about to delete, records a
// signed boundary at the last of them, then deletes up to it (docs/decisions/022). The newest
// entry always stays, so the next append still links to the chain.

const { period, from } = retention.audit_record;
const cutoff = (now: Date) => cutoffFor(now, period).toISOString();

/** The last entry that may go: before the first one still within its period, and before the head. */
async function lastDue(db: Db, now: Date): Promise<number> {
  const row = await db
    .selectFrom('audit_log')
    .select((eb) => [
      eb.fn.max('seq').as('head'),
      eb.fn.min(eb.case().when('at', '>', cutoff(now)).then(eb.ref('seq')).end()).as('firstKept'),
    ])
    .executeTakeFirst();
  if (row?.head === null || row?.head === undefined) return 0;
  const head = Number(row.head);
  const firstKept = row.firstKept === null ? head : Math.min(Number(row.firstKept), head);
  return firstKept - 1;
}

async function count(db: Db, now: Date): Promise<PurgeCounts> {
  const last = await lastDue(db, now);
  return { records: await countRows(db.selectFrom('audit_log').where('seq', '<=', last)) };
}

async function purgeChunk(db: Db, now: Date, limit: number): Promise<PurgeCounts> {
  const key = currentAuditKey();
  return db.transaction().execute(async (trx) => {
    await lockAuditChain(trx);
    const last = await lastDue(trx, now);
    const rows = await trx
      .selectFrom('audit_log')
      .select('seq')
      .where('seq', '<=', last)
      .orderBy('seq')
      .limit(limit)
      .execute();
    const through = rows.at(-1);
    if (!through) return { records: 0 };
    // Never delete what has not been checked: a rewritten entry is evidence, not expired data.
    const report = await verifyChain(trx, key, { through: Number(through.seq) });
    if (!report.ok || !report.head)
      throw new Error(
        `The audit log is broken at entry ${report.ok ? through.seq : report.seq}${report.ok ? '' : `: ${report.problem}`}. Nothing was purged; run \`starspmb audit verify\` and report an incident.`,
      );
    const boundary = signBoundary(
      {
        seq: report.head.seq,
        hash: report.head.hash,
        count: report.count,
        legacyUntil: report.legacyUntil,
        at: now.toISOString(),
      },
      key,
    );
    await insertBoundary(trx, boundary);
    const res = await trx
      .deleteFrom('audit_log')
      .where('seq', '<=', boundary.seq)
      .executeTakeFirst();
    return { records: Number(res.numDeletedRows) };
  });
}

async function nextDue(db: Db, now: Date): Promise<Date | null> {
  const row = await db
    .selectFrom('audit_log')
    .where('at', '>', cutoff(now))
    .select((eb) => eb.fn.min('at').as('first'))
    .executeTakeFirst();
  return row?.first ? dueAt(new Date(row.first), period) : null;
}

export const auditLogPurger: Purger = {
  key: 'audit_log',
  title: 'Audit log entries',
  rule: 'audit_record',
  period: describeRule({ period, from }),
  action: 'deleted',
  count,
  purgeChunk,
  nextDue,
};
