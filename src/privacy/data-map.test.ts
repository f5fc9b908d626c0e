import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, testDbKind } from '../test-support/app.js';
import { mayRead, assertReadable, PurposeNotAllowedError, viewFor, isMasked } from './access.js';
import { dataMap } from './data-map.js';

const systemTables = new Set(['kysely_migration', 'kysely_migration_lock']);

describe(`data map against the real ${testDbKind} schema`, () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  beforeAll(async () => {
    database = await freshDatabase();
  });
  afterAll(async () => database.drop());

  it('classifies every column of every table, and names nothing that does not exist', async () => {
    const tables = (await database.db.introspection.getTables()).filter(
      (t) => !systemTables.has(t.name),
    );
    const unclassified: string[] = [];
    for (const table of tables) {
      const map = (dataMap as Record<string, Record<string, unknown>>)[table.name];
      for (const col of table.columns)
        if (!map?.[col.name]) unclassified.push(`${table.name}.${col.name}`);
    }
    expect(unclassified, 'add these columns to src/privacy/data-map.ts').toEqual([]);

    const inDb = new Set(tables.flatMap((t) => t.columns.map((c) => `${t.name}.${c.name}`)));
    const stale = Object.entries(dataMap).flatMap(([t, cols]) =>
      Object.keys(cols)
        .map((c) => `${t}.${c}`)
        .filter((k) => !inDb.has(k)),
    );
    expect(stale, 'these data map entries name no real column').toEqual([]);
  });
});

describe('purpose-checked reads', () => {
  it('allows the phone number for SMS communication and nothing else', () => {
    expect(mayRead('leads', 'phone', 'sms_communication')).toBe(true);
    for (const p of [
      'service_request',
      'marketing',
      'analytics',
      'advertising',
      'usability_research',
    ] as const) {
      expect(mayRead('leads', 'phone', p)).toBe(false);
    }
    expect(() => assertReadable('leads', 'phone', 'marketing')).toThrow(PurposeNotAllowedError);
  });

  it('does not let email be read for analytics or intake data for advertising', () => {
    expect(mayRead('leads', 'email', 'analytics')).toBe(false);
    for (const col of ['name', 'organization', 'email', 'address', 'needs'] as const) {
      expect(mayRead('leads', col, 'advertising')).toBe(false);
    }
  });

  it('refuses columns the map does not know', () => {
    expect(mayRead('leads', 'no_such_column', 'service_request')).toBe(false);
  });

  it('"phone numbers will be used solely for SMS communication": any other view leaves the number out, not even its last digits', () => {
    const row = { name: 'A', phone: '+12145550142', email: 'a@example.com' };
    for (const purpose of ['service_request', 'marketing', 'legal', 'security'] as const) {
      const view = viewFor('leads', row, purpose);
      expect('phone' in view).toBe(false);
      expect(JSON.stringify(view)).not.toContain('0142');
    }
    expect(viewFor('leads', row, 'sms_communication').phone).toBe('+12145550142');
    // Other refused fields are masked without any part of their value.
    const masked = viewFor('leads', row, 'analytics').email;
    expect(isMasked(masked) && masked.hint).toBe('hidden');
  });
});
