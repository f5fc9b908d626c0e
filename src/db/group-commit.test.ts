import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { freshDatabase, testDbKind } from '../test-support/app.js';
import { sqlitePath, type Db } from './database.js';
import { isUniqueViolation } from './errors.js';
import { createCommitGroup, type Work } from './group-commit.js';

let fresh: Awaited<ReturnType<typeof freshDatabase>>;
let db: Db;
beforeAll(async () => {
  fresh = await freshDatabase();
  db = fresh.db;
  await sql`create table probe_parent (id text primary key)`.execute(db);
  await sql`create table probe (id text primary key, parent text references probe_parent (id) deferrable initially immediate)`.execute(
    db,
  );
});
afterAll(async () => fresh.drop());
beforeEach(async () => {
  vi.restoreAllMocks();
  await sql`delete from probe`.execute(db);
});

const insert =
  (id: string, then?: () => void): Work<string> =>
  async (trx) => {
    await sql`insert into probe (id) values (${id})`.execute(trx);
    then?.();
    return id;
  };

const stored = async () =>
  (await sql<{ id: string }>`select id from probe order by id`.execute(db)).rows.map((r) => r.id);

describe('group commit', () => {
  it('commits every unit that succeeds and fails only the unit that threw, with its own error', async () => {
    const group = createCommitGroup(db);
    const results = await Promise.allSettled([
      group.run(insert('a')),
      group.run(
        insert('b', () => {
          throw new Error('unit b failed');
        }),
      ),
      group.run(insert('c')),
      // A constraint violation inside one unit leaves the others intact.
      group.run(insert('a')),
      group.run(insert('d')),
    ]);
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    expect((results[1] as PromiseRejectedResult).reason).toEqual(new Error('unit b failed'));
    expect(isUniqueViolation((results[3] as PromiseRejectedResult).reason)).toBe(true);
    expect(await stored()).toEqual(['a', 'c', 'd']);
  });

  it.runIf(testDbKind === 'sqlite')(
    'shares one SQLite transaction among units that arrive together, and answers after it committed',
    async () => {
      const group = createCommitGroup(db);
      const transactions = vi.spyOn(db, 'transaction');
      // Another connection sees only committed rows: each unit's row must be there when it resolves.
      const reader = new SQLite(sqlitePath(fresh.url), { readonly: true });
      const visible = (id: string) =>
        reader.prepare('select 1 from probe where id = ?').get(id) !== undefined;
      try {
        const seen = await Promise.all(
          ['p', 'q', 'r'].map((id) => group.run(insert(id)).then((got) => visible(got))),
        );
        expect(seen).toEqual([true, true, true]);
        expect(transactions).toHaveBeenCalledTimes(1);
      } finally {
        reader.close();
      }
    },
  );

  it.runIf(testDbKind === 'sqlite')(
    'fails every unit of a batch whose COMMIT fails, and stores none of them',
    async () => {
      const group = createCommitGroup(db);
      // A deferred foreign key is checked only at COMMIT, so this unit passes its savepoint and
      // then makes the whole commit fail.
      const breaksCommit: Work<string> = async (trx) => {
        await sql`pragma defer_foreign_keys = on`.execute(trx);
        await sql`insert into probe (id, parent) values ('x', 'no such parent')`.execute(trx);
        return 'x';
      };
      const results = await Promise.allSettled([
        group.run(insert('m')),
        group.run(breaksCommit),
        group.run(insert('n')),
      ]);
      expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
      expect(String((results[0] as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY/);
      expect(await stored()).toEqual([]);
      // The connection is usable afterwards.
      await group.run(insert('o'));
      expect(await stored()).toEqual(['o']);
    },
  );

  it('runs a lone unit in a transaction of its own on either engine', async () => {
    const group = createCommitGroup(db);
    await expect(group.run(insert('solo'))).resolves.toBe('solo');
    await expect(
      group.run(async (trx) => {
        await insert('gone')(trx);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await stored()).toEqual(['solo']);
  });
});
