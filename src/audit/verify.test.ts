import { sql } from 'kysely';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { auditCommand } from '../cli/audit.js';
import { loadConfig } from '../config/env.js';
import type { Db } from '../db/database.js';
import { freshDatabase, testDbKind } from '../test-support/app.js';
import { appendAudit, genesisHash, rowHash, type AuditEntry } from './log.js';
import { verifyChain } from './verify.js';

type Fresh = Awaited<ReturnType<typeof freshDatabase>>;
const opened: Fresh[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(opened.splice(0).map((d) => d.drop()));
});

async function fresh(): Promise<Fresh> {
  const d = await freshDatabase();
  opened.push(d);
  return d;
}

const t0 = Date.UTC(2026, 10, 1);
const entry = (i: number): AuditEntry => ({
  actor: { kind: 'staff', id: `staff-${i % 3}` },
  action: 'record_read',
  target: { type: 'lead', id: `lead-${i}` },
  purpose: 'service_request',
  detail: { view: 'lead_detail', n: i },
});

async function fill(db: Db, n: number): Promise<void> {
  for (let i = 1; i <= n; i++) await appendAudit(db, entry(i), new Date(t0 + i * 1000));
}

/** Stands in for someone with direct database access: the append-only triggers are bypassed. */
async function tamper(db: Db, statement: ReturnType<typeof sql>): Promise<void> {
  if (testDbKind === 'postgres') {
    await sql`ALTER TABLE audit_log DISABLE TRIGGER USER`.execute(db);
    await statement.execute(db);
    await sql`ALTER TABLE audit_log ENABLE TRIGGER USER`.execute(db);
    return;
  }
  await sql`DROP TRIGGER audit_log_no_update`.execute(db);
  await sql`DROP TRIGGER audit_log_no_delete`.execute(db);
  await statement.execute(db);
}

describe('appendAudit', () => {
  it('links each entry to the one before, starting from the genesis value', async () => {
    const { db } = await fresh();
    await fill(db, 3);
    const rows = await db.selectFrom('audit_log').selectAll().orderBy('seq').execute();
    expect(rows.map((r) => Number(r.seq))).toEqual([1, 2, 3]);
    expect(rows[0]!.prev_hash).toBe(genesisHash);
    expect(rows[1]!.prev_hash).toBe(rows[0]!.hash);
    expect(rows[2]!.prev_hash).toBe(rows[1]!.hash);
    expect(rows[0]!.hash).toBe(rowHash({ ...rows[0]!, seq: 1 }));
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
    const report = await verifyChain(db);
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
    expect(await verifyChain(db)).toMatchObject({ ok: true, count: 2 });
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
    expect(await verifyChain(db)).toMatchObject({ ok: true, count: 2 });
  });
});

describe('verifyChain', () => {
  it('reports OK with the count and head, walking in chunks', async () => {
    const { db } = await fresh();
    expect(await verifyChain(db)).toEqual({ ok: true, count: 0, head: null });
    await fill(db, 10);
    const progress: number[] = [];
    const report = await verifyChain(db, { chunkSize: 3, onProgress: (n) => progress.push(n) });
    expect(report).toMatchObject({ ok: true, count: 10, head: { seq: 10 } });
    expect(progress).toEqual([3, 6, 9, 10]);
  });

  it('names an entry edited directly in the database', async () => {
    const { db } = await fresh();
    await fill(db, 6);
    await tamper(db, sql`UPDATE audit_log SET target_id = 'lead-999' WHERE seq = 4`);
    const report = await verifyChain(db, { chunkSize: 4 });
    expect(report).toMatchObject({ ok: false, seq: 4, count: 3 });
    expect(report.ok || report.problem).toMatch(/changed after it was written/);
  });

  it('names the gap a deleted entry leaves', async () => {
    const { db } = await fresh();
    await fill(db, 6);
    await tamper(db, sql`DELETE FROM audit_log WHERE seq = 3`);
    const report = await verifyChain(db);
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
    const forged = rowHash({ ...row, seq: 2, target_id: 'lead-forged' });
    await tamper(
      db,
      sql`UPDATE audit_log SET target_id = 'lead-forged', hash = ${forged} WHERE seq = 2`,
    );
    const report = await verifyChain(db);
    expect(report).toMatchObject({ ok: false, seq: 3 });
    expect(report.ok || report.problem).toMatch(/does not match the hash of entry 2/);
  });
});

describe('starspmb audit verify', () => {
  const run = async (url: string) => {
    const out: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((m: string) => void out.push(m));
    vi.spyOn(console, 'error').mockImplementation((m: string) => void out.push(m));
    const config = loadConfig({ DATABASE_URL: url, DATA_DIR: '/tmp/starspmb-unused' });
    const code = await auditCommand(config, ['verify']);
    return { code, out: out.join('\n') };
  };

  it('prints OK with the row count', async () => {
    const { db, url } = await fresh();
    await fill(db, 4);
    const { code, out } = await run(url);
    expect(code).toBe(0);
    expect(out).toMatch(/^OK: 4 entries, chain intact\./);
    expect(out).toMatch(/Head: entry 4, hash [0-9a-f]{64}/);
  });

  it('names the first broken entry and exits non-zero', async () => {
    const { db, url } = await fresh();
    await fill(db, 4);
    await tamper(db, sql`UPDATE audit_log SET at = '2020-01-01T00:00:00.000Z' WHERE seq = 2`);
    const { code, out } = await run(url);
    expect(code).not.toBe(0);
    expect(out).toMatch(/BROKEN at entry 2: hash does not match/);
  });

  it('reports an empty log as OK, and refuses an unknown subcommand', async () => {
    const { url } = await fresh();
    const { code, out } = await run(url);
    expect(code).toBe(0);
    expect(out).toMatch(/OK: 0 entries/);
    const config = loadConfig({ DATABASE_URL: url, DATA_DIR: '/tmp/starspmb-unused' });
    expect(await auditCommand(config, ['check'])).toBe(1);
  });

  it('asks for a migration on a database without the log, rather than crashing', async () => {
    const { db, url } = await fresh();
    await sql`DROP TABLE audit_log`.execute(db);
    const { code, out } = await run(url);
    expect(code).toBe(1);
    expect(out).toMatch(/Run `starspmb migrate` first/);
  });
});
