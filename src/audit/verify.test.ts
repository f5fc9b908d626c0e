import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { testAuditKey } from '../test-support/app.js';
import {
  auditEntry,
  chainT0,
  fillAudit,
  freshDatabasePerTest,
  rewriteFrom,
  runAuditCli,
  tamper,
  tempCheckpointFile,
} from '../test-support/audit-chain.js';
import { deriveAuditKey } from './key.js';
import { appendAudit, genesisHash, keyedRowHash, legacyRowHash } from './log.js';
import { verifyChain } from './verify.js';

const fresh = freshDatabasePerTest();

const t0 = chainT0;
const entry = auditEntry;
const fill = fillAudit;
const key = testAuditKey;
const otherKey = deriveAuditKey(Buffer.alloc(32, 1), 'another');

describe('appendAudit', () => {
  it('links each entry to the one before with a keyed hash, starting from the genesis value', async () => {
    const { db } = await fresh();
    await fill(db, 3);
    const rows = await db.selectFrom('audit_log').selectAll().orderBy('seq').execute();
    expect(rows.map((r) => Number(r.seq))).toEqual([1, 2, 3]);
    expect(rows[0]!.prev_hash).toBe(genesisHash);
    expect(rows[1]!.prev_hash).toBe(rows[0]!.hash);
    expect(rows[2]!.prev_hash).toBe(rows[1]!.hash);
    expect(rows[0]!.hash).toBe(keyedRowHash({ ...rows[0]!, seq: 1 }, key));
    expect(rows[0]!.hash).not.toBe(legacyRowHash({ ...rows[0]!, seq: 1 }));
    expect(rows.map((r) => Number(r.chain_version))).toEqual([1, 1, 1]);
    expect(rows[0]).toMatchObject({
      actor_kind: 'staff',
      actor_id: 'staff-1',
      target_id: 'lead-1',
    });
  });

  it('stores detail with sorted keys, so the same detail always hashes the same', async () => {
    const { db } = await fresh();
    const at = new Date(t0);
    await appendAudit(
      db,
      { actor: { kind: 'anonymous' }, action: 'login_failed', detail: { b: 1, a: 'x' } },
      at,
    );
    const row = await db
      .selectFrom('audit_log')
      .select(['detail', 'actor_id'])
      .executeTakeFirstOrThrow();
    expect(row.detail).toBe('{"a":"x","b":1}');
    expect(row.actor_id).toBeNull();
  });

  it('never forks the chain when many appends race', async () => {
    const { db } = await fresh();
    await Promise.all(
      Array.from({ length: 40 }, (_, i) => appendAudit(db, entry(i), new Date(t0 + i))),
    );
    const report = await verifyChain(db, key);
    expect(report).toMatchObject({ ok: true, count: 40 });
  });

  it('commits with the caller’s transaction and vanishes with its rollback, leaving no gap', async () => {
    const { db } = await fresh();
    await fill(db, 1);
    await expect(
      db.transaction().execute(async (trx) => {
        await appendAudit(trx, entry(2), new Date(t0 + 2000));
        throw new Error('the audited change failed');
      }),
    ).rejects.toThrow('the audited change failed');
    await appendAudit(db, entry(3), new Date(t0 + 3000));
    expect(await verifyChain(db, key)).toMatchObject({ ok: true, count: 2 });
  });

  it('the database refuses to update or delete entries', async () => {
    const { db } = await fresh();
    await fill(db, 2);
    await expect(
      db.updateTable('audit_log').set({ action: 'login' }).where('seq', '=', 1).execute(),
    ).rejects.toThrow(/append-only/);
    await expect(db.deleteFrom('audit_log').where('seq', '=', 2).execute()).rejects.toThrow(
      /append-only/,
    );
    expect(await verifyChain(db, key)).toMatchObject({ ok: true, count: 2 });
  });
});

describe('verifyChain', () => {
  it('reports OK with the count and head, walking in chunks', async () => {
    const { db } = await fresh();
    expect(await verifyChain(db, key)).toEqual({
      ok: true,
      count: 0,
      head: null,
      legacyUntil: 0,
      purgedThrough: 0,
    });
    await fill(db, 10);
    const progress: number[] = [];
    const report = await verifyChain(db, key, {
      chunkSize: 3,
      onProgress: (n) => progress.push(n),
    });
    expect(report).toMatchObject({ ok: true, count: 10, head: { seq: 10 } });
    expect(progress).toEqual([3, 6, 9, 10]);
  });

  it('names an entry edited directly in the database', async () => {
    const { db } = await fresh();
    await fill(db, 6);
    await tamper(db, sql`UPDATE audit_log SET target_id = 'lead-999' WHERE seq = 4`);
    const report = await verifyChain(db, key, { chunkSize: 4 });
    expect(report).toMatchObject({ ok: false, seq: 4, count: 3 });
    expect(report.ok || report.problem).toMatch(/changed after it was written/);
  });

  it('names the gap a deleted entry leaves', async () => {
    const { db } = await fresh();
    await fill(db, 6);
    await tamper(db, sql`DELETE FROM audit_log WHERE seq = 3`);
    const report = await verifyChain(db, key);
    expect(report).toMatchObject({ ok: false, seq: 4 });
    expect(report.ok || report.problem).toMatch(/entry 3 is missing/);
  });

  it('names the entry after one whose hash was recomputed to hide an edit', async () => {
    const { db } = await fresh();
    await fill(db, 5);
    const row = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('seq', '=', 2)
      .executeTakeFirstOrThrow();
    const forged = keyedRowHash({ ...row, seq: 2, target_id: 'lead-forged' }, key);
    await tamper(
      db,
      sql`UPDATE audit_log SET target_id = 'lead-forged', hash = ${forged} WHERE seq = 2`,
    );
    const report = await verifyChain(db, key);
    expect(report).toMatchObject({ ok: false, seq: 3 });
    expect(report.ok || report.problem).toMatch(/does not match the hash of entry 2/);
  });
});

describe('verifyChain against a forger who holds the database but not the audit key', () => {
  it('names an entry rewritten with it and every later hash recomputed in plain SHA-256', async () => {
    const { db } = await fresh();
    await fill(db, 6);
    await rewriteFrom(db, 3, legacyRowHash);
    const report = await verifyChain(db, key);
    expect(report).toMatchObject({ ok: false, seq: 3, count: 2 });
    expect(report.ok || report.problem).toMatch(/recomputed without the key/);
  });

  it('names an entry rewritten with the later hashes recomputed under another key', async () => {
    const { db } = await fresh();
    await fill(db, 6);
    await rewriteFrom(db, 4, (row) => keyedRowHash(row, otherKey));
    expect(await verifyChain(db, key)).toMatchObject({ ok: false, seq: 4, count: 3 });
  });

  it('names an entry disguised as one written before the key existed', async () => {
    const { db } = await fresh();
    await fill(db, 6);
    await rewriteFrom(db, 3, legacyRowHash, 0);
    const report = await verifyChain(db, key);
    expect(report).toMatchObject({ ok: false, seq: 3 });
    expect(report.ok || report.problem).toMatch(/without the audit key although keyed entries/);
  });

  it('passes the untouched chain and fails it under a different key', async () => {
    const { db } = await fresh();
    await fill(db, 6);
    expect(await verifyChain(db, key)).toMatchObject({ ok: true, count: 6, legacyUntil: 0 });
    expect(await verifyChain(db, otherKey)).toMatchObject({ ok: false, seq: 1 });
  });
});

describe('starspmb audit verify', () => {
  it('prints OK with the row count and the checkpoints the log still matches', async () => {
    const { db, url } = await fresh();
    await fill(db, 4);
    const file = tempCheckpointFile();
    const written = await runAuditCli(url, 'checkpoint', { AUDIT_CHECKPOINT_FILE: file });
    expect(written).toMatchObject({ code: 0 });
    expect(written.out).toMatch(/^Checkpoint written to .*: entry 4, 4 entries\./);
    const { code, out } = await runAuditCli(url, 'verify', { AUDIT_CHECKPOINT_FILE: file });
    expect(code).toBe(0);
    expect(out).toMatch(/^OK: 4 entries, chain intact\./);
    expect(out).toMatch(/Head: entry 4, hash [0-9a-f]{64}/);
    expect(out).toMatch(/Checkpoints: 1 in .*, all matched \(newest: entry 4 at /);
  });

  it('warns and exits 3 when no checkpoint anchors the chain', async () => {
    const { db, url } = await fresh();
    await fill(db, 4);
    const { code, out } = await runAuditCli(url, 'verify');
    expect(code).toBe(3);
    expect(out).toMatch(/^OK: 4 entries, chain intact\./);
    expect(out).toMatch(
      /WARNING: no checkpoint in .*deleting the newest entries would go unnoticed/,
    );
  });

  it('names the first broken entry and exits non-zero', async () => {
    const { db, url } = await fresh();
    await fill(db, 4);
    await tamper(db, sql`UPDATE audit_log SET at = '2020-01-01T00:00:00.000Z' WHERE seq = 2`);
    const { code, out } = await runAuditCli(url, 'verify');
    expect(code).toBe(2);
    expect(out).toMatch(/BROKEN at entry 2: hash does not match/);
  });

  it('reports an empty log as intact, and refuses an unknown subcommand', async () => {
    const { url } = await fresh();
    const { code, out } = await runAuditCli(url, 'verify');
    expect(code).toBe(3);
    expect(out).toMatch(/OK: 0 entries/);
    expect((await runAuditCli(url, 'check')).code).toBe(1);
  });

  it('refuses without the audit key, saying where it looks', async () => {
    const { db, url } = await fresh();
    await fill(db, 2);
    const { code, out } = await runAuditCli(url, 'verify', { STARSPMB_AUDIT_KEY: undefined });
    expect(code).toBe(1);
    expect(out).toMatch(/No audit key: set STARSPMB_AUDIT_KEY/);
  });

  it('asks for a migration on a database without the log, rather than crashing', async () => {
    const { db, url } = await fresh();
    await sql`DROP TABLE audit_log`.execute(db);
    const { code, out } = await runAuditCli(url, 'verify');
    expect(code).toBe(1);
    expect(out).toMatch(/Run `starspmb migrate` first/);
  });
});
