import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, vi } from 'vitest';
import type { Clock } from '../adapters/clock.js';
import { appendAudit, genesisHash, legacyRowHash, type AuditEntry } from '../audit/log.js';
import { auditCommand } from '../cli/audit.js';
import { loadConfig } from '../config/env.js';
import type { Db } from '../db/database.js';
import { TEST_AUDIT_KEY_TEXT, freshDatabase, testDbKind } from './app.js';

// Audit-chain fixtures: entries appended the normal way, rows as an older version wrote them,
// and the hand of someone holding the database (but not the audit key).

export const chainT0 = Date.UTC(2026, 10, 1);

export const auditEntry = (i: number): AuditEntry => ({
  actor: { kind: 'staff', id: `staff-${i % 3}` },
  action: 'record_read',
  target: { type: 'lead', id: `lead-${i}` },
  purpose: 'service_request',
  detail: { view: 'lead_detail', n: i },
});

export async function fillAudit(db: Db, n: number): Promise<void> {
  for (let i = 1; i <= n; i++) await appendAudit(db, auditEntry(i), new Date(chainT0 + i * 1000));
}

/** Rows 1..n as the unkeyed chain before migration 0022 wrote them (hash version 0). */
export async function insertLegacy(db: Db, n: number): Promise<void> {
  let prev = genesisHash;
  for (let seq = 1; seq <= n; seq++) {
    const row = {
      seq,
      at: new Date(chainT0 + seq * 1000).toISOString(),
      actor_kind: 'system' as const,
      actor_id: 'legacy-job',
      action: 'retention_run' as const,
      target_type: null,
      target_id: null,
      purpose: null,
      detail: `{"n":${seq}}`,
      prev_hash: prev,
    };
    prev = legacyRowHash(row);
    await db
      .insertInto('audit_log')
      .values({ ...row, chain_version: 0, hash: prev })
      .execute();
  }
}

/** Stands in for someone with direct database access: the append-only triggers are bypassed. */
export async function tamper(db: Db, statement: ReturnType<typeof sql>): Promise<void> {
  if (testDbKind === 'postgres') {
    await sql`ALTER TABLE audit_log DISABLE TRIGGER USER`.execute(db);
    await statement.execute(db);
    await sql`ALTER TABLE audit_log ENABLE TRIGGER USER`.execute(db);
    return;
  }
  await sql`DROP TRIGGER IF EXISTS audit_log_no_update`.execute(db);
  await sql`DROP TRIGGER IF EXISTS audit_log_no_delete`.execute(db);
  await statement.execute(db);
}

/**
 * Rewrites entry `from` (new target id) and recomputes it and every later hash with `hash`,
 * optionally marking them with another hash version: what a forger without the key can do.
 */
export async function rewriteFrom(
  db: Db,
  from: number,
  hash: (row: Parameters<typeof legacyRowHash>[0]) => string,
  version?: 0 | 1,
): Promise<void> {
  const rows = await db.selectFrom('audit_log').selectAll().orderBy('seq').execute();
  let prev = rows.find((r) => Number(r.seq) === from - 1)?.hash ?? genesisHash;
  for (const r of rows.filter((x) => Number(x.seq) >= from)) {
    const seq = Number(r.seq);
    const target = seq === from ? 'lead-forged' : r.target_id;
    const next = hash({ ...r, seq, target_id: target, prev_hash: prev });
    const v = version ?? Number(r.chain_version);
    await tamper(
      db,
      sql`UPDATE audit_log SET target_id = ${target}, prev_hash = ${prev}, hash = ${next}, chain_version = ${v} WHERE seq = ${seq}`,
    );
    prev = next;
  }
}

/** A checkpoint file in a temp folder of its own (removed by `removeTempDirs`). */
const tempDirs: string[] = [];
export function tempCheckpointFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'starspmb-audit-'));
  tempDirs.push(dir);
  return path.join(dir, 'audit-checkpoints.jsonl');
}
export const removeTempDirs = () =>
  tempDirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true }));

/**
 * Runs `starspmb audit <sub>` with the test audit key (env overrides; undefined unsets one) and
 * returns its exit code and what it printed.
 */
export async function runAuditCli(
  url: string,
  sub: string,
  env: Record<string, string | undefined> = {},
  clock?: Clock,
) {
  const out: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((m: string) => void out.push(m));
  const err = vi.spyOn(console, 'error').mockImplementation((m: string) => void out.push(m));
  const file = env.AUDIT_CHECKPOINT_FILE ?? tempCheckpointFile();
  const config = loadConfig({
    DATABASE_URL: url,
    DATA_DIR: path.dirname(file),
    STARSPMB_AUDIT_KEY: TEST_AUDIT_KEY_TEXT,
    AUDIT_CHECKPOINT_FILE: file,
    ...env,
  });
  try {
    const code = await auditCommand(config, [sub], clock);
    return { code, out: out.join('\n') };
  } finally {
    log.mockRestore();
    err.mockRestore();
  }
}

type Fresh = Awaited<ReturnType<typeof freshDatabase>>;

/**
 * Registers the clean-up and returns `fresh()`: a migrated database of its own for each call,
 * dropped after the test, together with any temp checkpoint folders the test made.
 */
export function freshDatabasePerTest(): () => Promise<Fresh> {
  const opened: Fresh[] = [];
  afterEach(async () => {
    removeTempDirs();
    await Promise.all(opened.splice(0).map((d) => d.drop()));
  });
  return async () => {
    const d = await freshDatabase();
    opened.push(d);
    return d;
  };
}
