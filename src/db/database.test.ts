import { sql } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { freshDatabase, testDbKind } from '../test-support/app.js';

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
