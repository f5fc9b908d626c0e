import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { freshDatabase } from '../test-support/app.js';
import type { Db } from './database.js';
import { insertRows } from './insert-rows.js';

let fresh: Awaited<ReturnType<typeof freshDatabase>>;
let db: Db;
beforeAll(async () => {
  fresh = await freshDatabase();
  db = fresh.db;
});
afterAll(async () => fresh.drop());
beforeEach(async () => {
  await db.deleteFrom('outbox').execute();
});

const job = (n: number) => ({
  id: `job-${n}`,
  created_at: `2026-11-28T12:00:0${n}.000Z`,
  kind: 'lead_notification' as const,
  payload: `{"n":"${n}"}`,
  attempts: n,
  next_attempt_at: `2026-11-28T12:00:0${n}.000Z`,
  sent_at: null,
  last_error: n % 2 ? null : `error ${n}`,
});

const stored = () =>
  db
    .selectFrom('outbox')
    .select(['id', 'payload', 'attempts', 'last_error'])
    .orderBy('id')
    .execute();

describe('insertRows', () => {
  it('compiles a shape once and stores each later row with its own values', async () => {
    const build = vi.spyOn(db, 'insertInto');
    await insertRows(db, 'outbox', [job(1)]);
    await insertRows(db, 'outbox', [job(2)]);
    await insertRows(db, 'outbox', [job(3), job(4)]);
    await insertRows(db, 'outbox', [job(5), job(6)]);
    // Built once for the one-row shape and once for the two-row shape.
    expect(build).toHaveBeenCalledTimes(2);
    build.mockRestore();
    expect(await stored()).toEqual(
      [1, 2, 3, 4, 5, 6].map((n) => ({
        id: `job-${n}`,
        payload: `{"n":"${n}"}`,
        attempts: n,
        last_error: n % 2 ? null : `error ${n}`,
      })),
    );
  });

  it('treats an undefined column as absent, and never caches a value Kysely renders as SQL', async () => {
    await insertRows(db, 'outbox', [{ ...job(1), payload: sql<string>`'{"n":' || '"sql"}'` }]);
    await insertRows(db, 'outbox', [job(2)]);
    await insertRows(db, 'outbox', [{ ...job(3), last_error: undefined }]);
    expect((await stored()).map((r) => [r.payload, r.last_error])).toEqual([
      ['{"n":"sql"}', null],
      ['{"n":"2"}', 'error 2'],
      ['{"n":"3"}', null],
    ]);
  });
});
