import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataMap } from '../privacy/data-map.js';
import { tableRetention, type TableRetention } from '../privacy/table-retention.js';
import { freshDatabase, testDbKind } from '../test-support/app.js';
import { purgers } from './registry.js';

// Clause: "We will not retain your information longer than necessary." Every table of the real
// schema has a way out: a purger, the record it is deleted with, or a reasoned decision to keep
// it, and only tables holding no personal field may be kept.

const systemTables = new Set(['kysely_migration', 'kysely_migration_lock']);
const rules = tableRetention as Record<string, TableRetention>;
const hasPersonalField = (table: string) =>
  Object.values(
    (dataMap as Record<string, Record<string, { personal: boolean }>>)[table] ?? {},
  ).some((f) => f.personal);

describe(`we will not retain your information longer than necessary (${testDbKind})`, () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  beforeAll(async () => {
    database = await freshDatabase();
  });
  afterAll(async () => database.drop());

  it('gives every table of the schema a retention rule and purger, or a reasoned decision to keep it', async () => {
    const tables = (await database.db.introspection.getTables())
      .map((t) => t.name)
      .filter((name) => !systemTables.has(name));
    const missing = tables.filter((name) => !rules[name]);
    expect(missing, 'add these tables to src/privacy/table-retention.ts').toEqual([]);
    const keys = new Set(purgers.map((p) => p.key));
    const unknownPurger = Object.entries(rules).filter(
      ([, r]) => 'purger' in r && !keys.has(r.purger),
    );
    expect(unknownPurger, 'these name no registered purger').toEqual([]);
    const orphan = Object.entries(rules).filter(([, r]) => 'with' in r && !rules[r.with]);
    expect(orphan, 'these go with a table that does not exist').toEqual([]);
  });

  it('keeps no table with a personal field forever', () => {
    const kept = Object.entries(rules)
      .filter(([table, r]) => 'kept' in r && hasPersonalField(table))
      .map(([table]) => table)
      // An opt-out is the one personal record kept as long as it stands: the person asked for it.
      .filter((table) => table !== 'suppressions');
    expect(kept).toEqual([]);
  });

  it('runs a purger for every retention rule a table relies on', () => {
    const used = new Set(Object.values(rules).flatMap((r) => ('purger' in r ? [r.purger] : [])));
    for (const p of purgers) expect(used.has(p.key), `${p.key} governs no table`).toBe(true);
  });
});
