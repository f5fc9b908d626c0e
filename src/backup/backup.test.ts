import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.js';
import { createMailer } from '../adapters/mailer.js';
import { backupCommand, restoreCommand } from '../cli/backup.js';
import { loadConfig } from '../config/env.js';
import { loadSiteConfig } from '../config/site.js';
import { createDb, type Db } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { submitLead } from '../privacy-center/testing.js';
import { createTestApp, testDbKind, testKernel, type TestApp } from '../test-support/app.js';
import { databaseContents, takeBackup } from './service.js';
import { capture, cliConfig, emptyTarget } from './testing.js';

let t: TestApp;
let dir: string;
beforeAll(async () => {
  t = await createTestApp({ env: { ANALYTICS_WRITER: 'inline' } });
  dir = fs.mkdtempSync(path.join(t.dataDir, 'backups-'));
});
afterAll(async () => t.close());

const cli = async (
  command: typeof backupCommand,
  url: string,
  args: string[],
  env: Record<string, string> = {},
) => {
  const c = capture();
  const config = { ...cliConfig(url, t.dataDir), ...env };
  const code = await command(config, args, c.io);
  return { code, out: c.out(), err: c.err() };
};

/** Restores `file` into a new empty database, runs `check` on it, then drops it. */
async function restored(file: string, check: (db: Db, url: string) => Promise<void>) {
  const target = await emptyTarget();
  try {
    const r = await cli(restoreCommand, target.url, [file]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const db = createDb(target.url, { checkpointer: false });
    try {
      await check(db, target.url);
    } finally {
      await db.destroy();
    }
  } finally {
    await target.drop();
  }
}

describe(`backup and restore (${testDbKind})`, () => {
  it('a backup taken while leads come in restores every acknowledged one, consistently', async () => {
    const acked: string[] = [];
    let stop = false;
    const writes = (async () => {
      for (let i = 0; !stop && i < 80; i++) {
        await submitLead(t, `live${i}@example.test`);
        acked.push(`live${i}@example.test`);
      }
    })();
    while (acked.length < 3) await new Promise((r) => setTimeout(r, 5));
    const before = [...acked];
    const file = path.join(dir, 'live.backup');
    // One page per step: the intake's commits land between the steps of the copy.
    const ctx = { databaseUrl: t.url, dataDir: t.dataDir, keys: t.kernel.keys, sqliteStepPages: 1 };
    await takeBackup(ctx, file, t.clock.now());
    stop = true;
    await writes;
    expect(acked.length).toBeGreaterThan(before.length);

    await restored(file, async (db, url) => {
      const leads = await db.selectFrom('leads').select(['id', 'email', 'email_index']).execute();
      for (const email of before) {
        const indexes = t.kernel.lookupIndexes('email', email);
        expect(
          leads.some((l) => indexes.includes(l.email_index!)),
          email,
        ).toBe(true);
      }
      expect(leads.length).toBeLessThanOrEqual(acked.length);
      // Whole transactions only: each lead with its submission and event, nothing orphaned.
      const ids = new Set(leads.map((l) => l.id));
      const subs = await db.selectFrom('lead_submissions').select('lead_id').execute();
      const events = await db.selectFrom('lead_events').select('lead_id').execute();
      expect(new Set(subs.map((s) => s.lead_id))).toEqual(ids);
      expect(new Set(events.map((e) => e.lead_id))).toEqual(ids);
      // Readable with the same data key; migrations current; the app starts and is ready on it.
      expect(t.kernel.open('leads', leads[0]!).email).toMatch(/^live\d+@example\.test$/);
      expect(await migrateToLatest(db)).toEqual([]);
      const config = loadConfig({
        DATA_DIR: t.dataDir,
        DATABASE_URL: url,
        ANALYTICS_WRITER: 'inline',
      });
      const site = loadSiteConfig();
      const app = await buildApp({
        config,
        site,
        db,
        mailer: createMailer({ outboxDir: path.join(t.dataDir, 'outbox2'), from: site.email.from }),
        clock: t.clock,
        secret: 'test-secret-test-secret-test-secret-0123',
        kernel: testKernel(),
      });
      try {
        expect((await app.inject({ url: '/readyz' })).statusCode).toBe(200);
      } finally {
        await app.close();
      }
    });
  });

  it('verify authenticates a backup, checks the database in it and says what it holds', async () => {
    const file = path.join(dir, 'verify.backup');
    const made = await cli(backupCommand, t.url, [file]);
    expect(made.code).toBe(0);
    expect(made.out).toMatch(new RegExp(`Backed up ${testDbKind} \\(\\d+ tables, \\d+ rows\\)`));
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const leads = Number(
      (
        await t.db
          .selectFrom('leads')
          .select((e) => e.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
    const r = await cli(backupCommand, t.url, ['verify', file]);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`${file}: intact.`);
    expect(r.out).toMatch(new RegExp(`engine +${testDbKind}`));
    expect(r.out).toMatch(new RegExp(`^ +leads +${leads}$`, 'm'));
    expect(r.out).toContain(
      testDbKind === 'sqlite' ? 'PRAGMA integrity_check: ok' : 'pg_restore --list:',
    );
  });

  it('refuses a database that is not empty, saying what is in it; --force replaces it', async () => {
    const file = path.join(dir, 'force.backup');
    expect((await cli(backupCommand, t.url, [file])).code).toBe(0);
    await restored(file, async (db, url) => {
      await db.deleteFrom('lead_events').execute();
      const again = await cli(restoreCommand, url, [file]);
      expect(again.code).toBe(3);
      expect(again.err).toMatch(/is not empty: it has \d+ table\(s\), rows: .*\d+ in leads/);
      expect(again.err).toContain('pass --force');
      expect(await db.selectFrom('lead_events').select('id').execute()).toEqual([]);
      const forced = await cli(restoreCommand, url, ['--force', file]);
      expect(forced.code).toBe(0);
      expect(forced.out).toContain('replacing what the database held');
      expect((await db.selectFrom('lead_events').select('id').execute()).length).toBeGreaterThan(0);
    });
  });

  it('refuses altered, cut, wrong-key and other-engine backups with a reason, restoring nothing', async () => {
    const file = path.join(dir, 'tamper.backup');
    expect((await cli(backupCommand, t.url, [file])).code).toBe(0);
    const bytes = fs.readFileSync(file);
    const variant = (name: string, b: Buffer) => {
      const p = path.join(dir, name);
      fs.writeFileSync(p, b);
      return p;
    };
    const flipped = Buffer.from(bytes);
    flipped[Math.floor(bytes.length / 2)]! ^= 0x10;
    const cases: [string, string, Record<string, string>, RegExp][] = [
      [variant('flipped', flipped), '', {}, /failed authentication at record/],
      [variant('cut', bytes.subarray(0, bytes.length - 100)), '', {}, /truncated/],
      [file, '', { dataKey: Buffer.alloc(32, 3).toString('base64url') }, /not loaded/],
    ];
    for (const [bad, , env, reason] of cases) {
      const target = await emptyTarget();
      try {
        const r = await cli(restoreCommand, target.url, [bad], env);
        expect(r.code, bad).toBe(2);
        expect(r.err).toMatch(reason);
        expect(await databaseContents(target.url)).toEqual({});
        expect((await cli(backupCommand, target.url, ['verify', bad], env)).code).toBe(2);
      } finally {
        await target.drop();
      }
    }
    // A backup of the other engine: refused before anything connects or is created.
    const other =
      testDbKind === 'sqlite'
        ? 'postgres://nobody@127.0.0.1:9/none'
        : `sqlite:${path.join(dir, 'never.db')}`;
    const r = await cli(restoreCommand, other, [file]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /this is a backup of a (SQLite|PostgreSQL) database, and DATABASE_URL points to/,
    );
    expect(fs.existsSync(path.join(dir, 'never.db'))).toBe(false);
  });
});
