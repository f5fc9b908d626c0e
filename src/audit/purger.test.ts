import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { writeCheckpoint } from './checkpoint.js';
import { signCheckpoint } from './checkpoint-file.js';
import { deriveAuditKey } from './key.js';
import { appendAudit } from './log.js';
import { signBoundary } from './purge-boundary.js';
import { verifyChain } from './verify.js';
import type { Db } from '../db/database.js';
import { testAuditKey, TestClock } from '../test-support/app.js';
import {
  auditEntry,
  freshDatabasePerTest,
  runAuditCli,
  tamper,
  tempCheckpointFile,
} from '../test-support/audit-chain.js';
import { auditLogPurger } from './purger.js';

// Clause: "We will not retain your information longer than necessary", with audit records kept
// six years as HIPAA documentation: the oldest entries go, and the chain that remains still
// proves that nothing else was changed or removed (docs/decisions/022).

const fresh = freshDatabasePerTest();

const key = testAuditKey;
const now = new Date('2026-11-28T12:00:00.000Z');
const yearsAgo = (y: number, plusSeconds = 0) =>
  new Date(Date.UTC(2026 - y, 10, 28, 12) + plusSeconds * 1000);

/** Entries 1–3 from seven years ago, 4–5 from five years ago, 6 today. */
async function sixEntries(db: Db): Promise<void> {
  const times = [
    yearsAgo(7, 1),
    yearsAgo(7, 2),
    yearsAgo(7, 3),
    yearsAgo(5, 1),
    yearsAgo(5, 2),
    now,
  ];
  for (const [i, at] of times.entries()) await appendAudit(db, auditEntry(i + 1), at);
}
const seqs = async (db: Db) =>
  (await db.selectFrom('audit_log').select('seq').orderBy('seq').execute()).map((r) =>
    Number(r.seq),
  );
const purge = (db: Db, limit = 1000) => auditLogPurger.purgeChunk(db, now, limit);

describe('"audit records six years as HIPAA documentation": the audit log purger', () => {
  it('keeps the new, removes the old, and verify accepts the chain after the signed boundary', async () => {
    const { db, url } = await fresh();
    await sixEntries(db);
    const file = tempCheckpointFile();
    await writeCheckpoint({ db, clock: new TestClock(now), key, file });
    expect(await auditLogPurger.count(db, now)).toEqual({ records: 3 });
    expect(await purge(db)).toEqual({ records: 3 });
    expect(await seqs(db)).toEqual([4, 5, 6]);
    expect(await verifyChain(db, key)).toMatchObject({
      ok: true,
      count: 6,
      head: { seq: 6 },
      purgedThrough: 3,
    });
    const cli = await runAuditCli(url, 'verify', { AUDIT_CHECKPOINT_FILE: file });
    expect(cli.code, cli.out).toBe(0);
    expect(cli.out).toContain('Entries 1–3 were purged');
    // A checkpoint after the purge checks from the boundary, and the next one from it.
    expect(await writeCheckpoint({ db, clock: new TestClock(now), key, file })).toMatchObject({
      ok: true,
      checkpoint: { headSeq: 6, count: 6 },
    });
    expect(await purge(db)).toEqual({ records: 0 });
    expect(await auditLogPurger.nextDue(db, now)).toEqual(new Date('2027-11-28T12:00:01.000Z'));
  });

  it('purges in chunks, one boundary each, and never the newest entry', async () => {
    const { db } = await fresh();
    for (let i = 1; i <= 5; i++) await appendAudit(db, auditEntry(i), yearsAgo(8, i));
    expect(await purge(db, 2)).toEqual({ records: 2 });
    expect(await purge(db, 2)).toEqual({ records: 2 });
    expect(await purge(db, 2)).toEqual({ records: 0 });
    expect(await seqs(db)).toEqual([5]);
    const bounds = await db.selectFrom('audit_purges').select('through_seq').execute();
    expect(bounds.map((b) => Number(b.through_seq)).sort()).toEqual([2, 4]);
    expect(await verifyChain(db, key)).toMatchObject({ ok: true, count: 5, purgedThrough: 4 });
    await appendAudit(db, auditEntry(6), now);
    expect(await verifyChain(db, key)).toMatchObject({ ok: true, count: 6 });
  });

  it('refuses to purge a chain that fails verification, deleting nothing', async () => {
    const { db } = await fresh();
    await sixEntries(db);
    await tamper(db, sql`UPDATE audit_log SET target_id = 'lead-forged' WHERE seq = 2`);
    await expect(purge(db)).rejects.toThrow(/broken at entry 2.*Nothing was purged/);
    expect(await seqs(db)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await db.selectFrom('audit_purges').select('through_seq').execute()).toEqual([]);
  });

  it('the database refuses deleting an entry no boundary covers', async () => {
    const { db } = await fresh();
    await sixEntries(db);
    await purge(db);
    await expect(db.deleteFrom('audit_log').where('seq', '=', 5).execute()).rejects.toThrow(
      /append-only/,
    );
    await expect(db.deleteFrom('audit_purges').execute()).rejects.toThrow(/append-only/);
  });
});

describe('after a purge, verify still detects', () => {
  async function purged() {
    const d = await fresh();
    await sixEntries(d.db);
    await purge(d.db);
    return d;
  }

  it('a changed entry among those that remain', async () => {
    const { db } = await purged();
    await tamper(db, sql`UPDATE audit_log SET target_id = 'lead-forged' WHERE seq = 5`);
    expect(await verifyChain(db, key)).toMatchObject({ ok: false, seq: 5 });
  });

  it('a deleted entry in the middle, and the first entry after the boundary deleted', async () => {
    const { db } = await purged();
    await tamper(db, sql`DELETE FROM audit_log WHERE seq = 5`);
    expect(await verifyChain(db, key)).toMatchObject({
      ok: false,
      seq: 6,
      problem: expect.stringContaining('entry 5 is missing'),
    });
    const other = await purged();
    await tamper(other.db, sql`DELETE FROM audit_log WHERE seq = 4`);
    expect(await verifyChain(other.db, key)).toMatchObject({ ok: false, seq: 5 });
  });

  it('a boundary moved past deleted entries, signed without the audit key', async () => {
    const { db } = await purged();
    const head = await db
      .selectFrom('audit_log')
      .select('hash')
      .where('seq', '=', 5)
      .executeTakeFirstOrThrow();
    const forged = { seq: 5, hash: head.hash, count: 5, legacyUntil: 0, at: now.toISOString() };
    const other = signBoundary(forged, deriveAuditKey(Buffer.alloc(32, 1), 'another'));
    await db
      .insertInto('audit_purges')
      .values({
        through_seq: 5,
        through_hash: head.hash,
        count: 5,
        legacy_until: 0,
        at: forged.at,
        key_id: key.id,
        sig: other.sig,
      })
      .execute();
    await tamper(db, sql`DELETE FROM audit_log WHERE seq <= 5`);
    expect(await verifyChain(db, key)).toMatchObject({
      ok: false,
      seq: 5,
      problem: expect.stringContaining('does not carry a valid signature'),
    });
  });

  it('a boundary that disagrees with a checkpoint written at the same entry', async () => {
    const { db } = await purged();
    const cp = signCheckpoint(
      { at: now.toISOString(), headSeq: 3, headHash: 'f'.repeat(64), count: 3, legacyUntil: 0 },
      key,
    );
    expect(await verifyChain(db, key, { checkpoints: [cp] })).toMatchObject({
      ok: false,
      seq: 3,
      problem: expect.stringContaining('records a hash other than'),
    });
  });

  it('entries deleted from the start with no boundary at all', async () => {
    const { db, url } = await fresh();
    await sixEntries(db);
    await tamper(db, sql`DELETE FROM audit_log WHERE seq <= 3`);
    expect(await verifyChain(db, key)).toMatchObject({
      ok: false,
      seq: 4,
      problem: expect.stringContaining('entries 1–3 are missing'),
    });
    expect((await runAuditCli(url, 'verify')).code).toBe(2);
  });
});
