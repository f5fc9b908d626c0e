import { sql } from 'kysely';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { freshDatabase, testDbKind } from '../test-support/app.js';
import { sqlitePath } from './database.js';

type Fresh = Awaited<ReturnType<typeof freshDatabase>>;
let opened: Fresh | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await opened?.drop();
  opened = undefined;
});

describe.runIf(testDbKind === 'postgres')('the PostgreSQL pool', () => {
  it('survives the server closing an idle connection, and serves the next query', async () => {
    opened = await freshDatabase();
    const { db, url } = opened;
    const warnings: string[] = [];
    vi.spyOn(console, 'warn').mockImplementation((m: string) => void warnings.push(m));
    const pid = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db);
    const victim = pid.rows[0]!.pid;

    // The connection is idle in the pool now; an administrator ends it from outside.
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query('select pg_terminate_backend($1)', [victim]);
    await admin.end();
    await vi.waitFor(() => expect(warnings.join('\n')).toMatch(/idle connection was closed/));

    const again = await sql<{ one: number }>`select 1 as one`.execute(db);
    expect(again.rows[0]!.one).toBe(1);
  });
});

describe.runIf(testDbKind === 'sqlite')('SQLite transactions', () => {
  it('write even when another connection (the analytics writer thread) committed after they read', async () => {
    opened = await freshDatabase();
    const { db } = opened;
    const other = new SQLite(sqlitePath(opened.url), { timeout: 0 });
    let otherWrote = true;
    await db.transaction().execute(async (trx) => {
      await trx.selectFrom('analytics_salts').select('day').execute();
      try {
        other.prepare('insert into analytics_salts (day, salt) values (1, ?)').run('other');
      } catch {
        // The transaction holds the write lock from its start: the other connection waits its turn.
        otherWrote = false;
      }
      await trx.insertInto('analytics_salts').values({ day: 2, salt: 'ours' }).execute();
    });
    other.close();
    expect(otherWrote).toBe(false);
    const days = await db.selectFrom('analytics_salts').select('day').execute();
    expect(days.map((d) => d.day)).toEqual([2]);
  });
});
