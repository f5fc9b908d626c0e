import fs from 'node:fs';
import { sql } from 'kysely';
import { describe, expect, it, vi } from 'vitest';
import type { FastifyBaseLogger } from 'fastify';
import { TestClock, testAuditKey } from '../test-support/app.js';
import {
  fillAudit,
  freshDatabasePerTest,
  insertLegacy,
  rewriteFrom,
  runAuditCli,
  tamper,
  tempCheckpointFile,
} from '../test-support/audit-chain.js';
import { createAuditCheckpoints, writeCheckpoint } from './checkpoint.js';
import { readCheckpoints } from './checkpoint-file.js';
import { deriveAuditKey } from './key.js';
import { keyedRowHash, legacyRowHash } from './log.js';
import { verifyChain } from './verify.js';

const fresh = freshDatabasePerTest();

const key = testAuditKey;
const clock = () => new TestClock(new Date('2026-12-01T03:00:00.000Z'));

/** A log of `n` entries with one checkpoint of its head, and what verify then reads. */
async function checkpointed(n: number) {
  const { db, url } = await fresh();
  await fillAudit(db, n);
  const file = tempCheckpointFile();
  const outcome = await writeCheckpoint({ db, clock: clock(), key, file });
  expect(outcome).toMatchObject({ ok: true });
  const verify = () =>
    verifyChain(db, key, { checkpoints: readCheckpoints(file, key).checkpoints });
  return { db, url, file, verify };
}

describe('writeCheckpoint', () => {
  it('appends a signed line with the head, the count and the time, readable by the owner only', async () => {
    const { file, verify } = await checkpointed(5);
    const { checkpoints, problems } = readCheckpoints(file, key);
    expect(problems).toEqual([]);
    expect(checkpoints).toEqual([
      expect.objectContaining({
        at: '2026-12-01T03:00:00.000Z',
        headSeq: 5,
        count: 5,
        legacyUntil: 0,
        keyId: key.id,
      }),
    ]);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(await verify()).toMatchObject({ ok: true, count: 5 });
  });

  it('refuses to vouch for a chain rewritten since the last checkpoint', async () => {
    const { db, file } = await checkpointed(3);
    await fillAudit(db, 2);
    await rewriteFrom(db, 4, legacyRowHash);
    const outcome = await writeCheckpoint({ db, clock: clock(), key, file });
    expect(outcome).toMatchObject({ ok: false });
    expect(outcome.ok || outcome.problem).toMatch(/^entry 4: hash does not match/);
    expect(readCheckpoints(file, key).checkpoints).toHaveLength(1);
  });

  it('is written at start by the job the server starts, and logged as a second copy', async () => {
    const { db } = await fresh();
    await fillAudit(db, 2);
    const log = { info: vi.fn(), error: vi.fn() } as unknown as FastifyBaseLogger;
    const file = tempCheckpointFile();
    const job = createAuditCheckpoints({
      db,
      clock: clock(),
      key,
      file,
      log,
      intervalMs: 3_600_000,
    });
    await job.runOnce();
    const [cp] = readCheckpoints(file, key).checkpoints;
    expect(cp).toMatchObject({ headSeq: 2 });
    expect(log.info).toHaveBeenCalledWith({ auditCheckpoint: cp }, 'audit checkpoint written');
  });
});

describe('verify with checkpoints', () => {
  it('detects the newest entries deleted after a checkpoint', async () => {
    const { db, verify } = await checkpointed(6);
    await tamper(db, sql`DELETE FROM audit_log WHERE seq > 4`);
    const report = await verify();
    expect(report).toMatchObject({ ok: false, seq: 5 });
    expect(report.ok || report.problem).toMatch(
      /checkpoint of 2026-12-01T03:00:00.000Z recorded 6 entries up to entry 6, but the log ends at entry 4/,
    );
  });

  it('detects every entry deleted after a checkpoint', async () => {
    const { db, verify } = await checkpointed(3);
    await tamper(db, sql`DELETE FROM audit_log`);
    const report = await verify();
    expect(report).toMatchObject({ ok: false, seq: 1 });
    expect(report.ok || report.problem).toMatch(/the log is empty/);
  });

  it('passes entries appended after the checkpoint', async () => {
    const { db, verify } = await checkpointed(3);
    await fillAudit(db, 2);
    expect(await verify()).toMatchObject({ ok: true, count: 5 });
  });

  it('reports a checkpoint line changed to hide a truncation, and one signed with another key', async () => {
    const { db, url, file } = await checkpointed(4);
    await tamper(db, sql`DELETE FROM audit_log WHERE seq > 2`);
    const line = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(file, JSON.stringify({ ...line, headSeq: 2, count: 2 }) + '\n');
    const tampered = await runAuditCli(url, 'verify', { AUDIT_CHECKPOINT_FILE: file });
    expect(tampered.code).toBe(2);
    expect(tampered.out).toMatch(/CHECKPOINT line 1 of .*: signature does not match/);
    const other = deriveAuditKey(Buffer.alloc(32, 3), 'other');
    expect(readCheckpoints(file, other).problems[0]?.problem).toMatch(
      /signed by audit key .*, but the loaded key is/,
    );
  });
});

describe('entries from before the audit key (legacy SHA-256)', () => {
  it('still verify, followed by keyed entries, and the checkpoint records where they end', async () => {
    const { db } = await fresh();
    await insertLegacy(db, 3);
    expect(await verifyChain(db, key)).toMatchObject({ ok: true, count: 3, legacyUntil: 3 });
    const file = tempCheckpointFile();
    await writeCheckpoint({ db, clock: clock(), key, file });
    await fillAudit(db, 2);
    const checkpoints = readCheckpoints(file, key).checkpoints;
    expect(checkpoints[0]).toMatchObject({ headSeq: 3, legacyUntil: 3 });
    expect(await verifyChain(db, key, { checkpoints })).toMatchObject({
      ok: true,
      count: 5,
      legacyUntil: 3,
    });
  });

  it('cannot be extended: keyed entries rewritten as legacy ones fail against the checkpoint', async () => {
    const { db } = await fresh();
    await insertLegacy(db, 3);
    const file = tempCheckpointFile();
    await writeCheckpoint({ db, clock: clock(), key, file });
    await fillAudit(db, 3);
    await rewriteFrom(db, 4, legacyRowHash, 0);
    const checkpoints = readCheckpoints(file, key).checkpoints;
    const report = await verifyChain(db, key, { checkpoints });
    expect(report).toMatchObject({ ok: false, seq: 4 });
    expect(report.ok || report.problem).toMatch(/records keyed hashing from entry 4/);
  });

  it('is pinned by the checkpoint: a legacy entry rewritten with recomputed hashes fails', async () => {
    const { db } = await fresh();
    await insertLegacy(db, 4);
    const file = tempCheckpointFile();
    await writeCheckpoint({ db, clock: clock(), key, file });
    await rewriteFrom(db, 2, legacyRowHash);
    const checkpoints = readCheckpoints(file, key).checkpoints;
    const report = await verifyChain(db, key, { checkpoints });
    expect(report).toMatchObject({ ok: false, seq: 4 });
    expect(report.ok || report.problem).toMatch(/differs from the one the checkpoint .* recorded/);
    // Even a rewrite made with the key cannot get below a checkpoint unnoticed.
    await rewriteFrom(db, 2, (row) => keyedRowHash(row, key), 1);
    expect(await verifyChain(db, key, { checkpoints })).toMatchObject({ ok: false, seq: 4 });
  });
});
