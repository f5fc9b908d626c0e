import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { freshDatabase } from '../test-support/app.js';
import { leadValues } from '../test-support/retention.js';
import { blindIndex, open, seal, UnreadableValueError } from './cipher.js';
import { createKernel } from './kernel.js';
import {
  addKeyToFile,
  deriveKey,
  KEY_FILE,
  keyringOf,
  loadKeyring,
  parseMasterKey,
} from './keyring.js';
import { resealPending, valuesByKey } from './reseal.js';
import { dropUnusedKeys, rotateDataKey } from './rotation.js';
import { isSuppressed, suppress } from './suppression.js';

const keyA = deriveKey(Buffer.alloc(32, 1));
const ringA = keyringOf([Buffer.alloc(32, 1)], 'test');

describe('sealed values', () => {
  it('open to what was sealed, and hide it at rest', () => {
    const s = seal(keyA, 'leads.email', 'dana@lakeside.example');
    expect(s).toMatch(/^enc1\.[0-9a-f]{8}\./);
    expect(s).not.toContain('dana');
    expect(open(ringA, 'leads.email', s)).toBe('dana@lakeside.example');
    // Random IVs: the same value never seals the same way twice.
    expect(seal(keyA, 'leads.email', 'dana@lakeside.example')).not.toBe(s);
  });

  it('refuse a value that was altered, moved to another column, or sealed by a missing key', () => {
    const s = seal(keyA, 'leads.email', 'dana@lakeside.example');
    const flipped = s.slice(0, -3) + (s.at(-3) === 'A' ? 'B' : 'A') + s.slice(-2);
    expect(() => open(ringA, 'leads.email', flipped)).toThrow(UnreadableValueError);
    expect(() => open(ringA, 'leads.address', s)).toThrow(UnreadableValueError);
    const other = keyringOf([Buffer.alloc(32, 2)], 'test');
    expect(() => open(other, 'leads.email', s)).toThrow(/not loaded/);
  });

  it('index the same person the same way whatever the case, and differently under another key', () => {
    expect(blindIndex(keyA, 'email', 'Dana@Lakeside.Example ')).toBe(
      blindIndex(keyA, 'email', 'dana@lakeside.example'),
    );
    expect(blindIndex(deriveKey(Buffer.alloc(32, 2)), 'email', 'dana@lakeside.example')).not.toBe(
      blindIndex(keyA, 'email', 'dana@lakeside.example'),
    );
  });
});

describe('the key', () => {
  it('is made on first start in a file only its owner can read, then reused', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'starspmb-keys-'));
    const created: string[] = [];
    const first = loadKeyring({ dataDir: dir, onCreated: (f) => created.push(f) });
    const again = loadKeyring({ dataDir: dir, onCreated: (f) => created.push(f) });
    expect(created).toEqual([path.join(dir, KEY_FILE)]);
    expect(fs.statSync(created[0]!).mode & 0o777).toBe(0o600);
    expect(again.current.id).toBe(first.current.id);
    fs.rmSync(dir, { recursive: true });
  });

  it('comes from STARSPMB_DATA_KEY when set, and a malformed one is refused with a way to make one', () => {
    const hex = Buffer.alloc(32, 9).toString('hex');
    expect(loadKeyring({ dataDir: '/nonexistent', key: hex }).current.id).toBe(
      deriveKey(Buffer.alloc(32, 9)).id,
    );
    expect(() => parseMasterKey('too-short')).toThrow(/openssl rand -base64 32/);
  });
});

describe('existing rows and key rotation', () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let dataDir: string;
  beforeAll(async () => {
    database = await freshDatabase();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'starspmb-rotate-'));
  });
  afterAll(async () => {
    await database.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const insertPlain = (id: string, email: string, phone: string) =>
    database.db
      .insertInto('leads')
      .values(
        leadValues(id, '2026-01-01T00:00:00.000Z', {
          name: 'Old Row',
          organization: 'Clinic',
          address: '1 Main St',
          city: 'Dallas',
          zip: '75201',
          email,
          phone,
          needs: 'Help.',
        }),
      )
      .execute();

  const stored = (id: string) =>
    database.db
      .selectFrom('leads')
      .select(['email', 'phone', 'address', 'needs', 'email_index', 'phone_index'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();

  it('seals rows stored before encryption and gives them blind indexes', async () => {
    for (let i = 0; i < 3; i++)
      await insertPlain(`legacy-${i}`, `Old${i}@Clinic.Example`, `+1214555000${i}`);
    const kernel = createKernel(loadKeyring({ dataDir }));
    expect(await resealPending(database.db, kernel)).toMatchObject({ leads: 3 });
    const row = await stored('legacy-1');
    expect(row.email).toMatch(/^enc1\./);
    expect(JSON.stringify(row)).not.toMatch(/clinic\.example|Main St|\+1214/i);
    expect(row.email_index).toBe(kernel.index('email', 'old1@clinic.example'));
    expect(kernel.open('leads', row).phone).toBe('+12145550001');
    // Nothing left to do: a second run is a no-op.
    expect(await resealPending(database.db, kernel)).toMatchObject({ leads: 0 });
  });

  it('re-encrypts everything under a new key, finds people by email throughout, and resumes when interrupted', async () => {
    const old = loadKeyring({ dataDir });
    const result = await rotateDataKey(database.db, { dataDir, at: new Date() });
    expect(result.resumed).toBe(false);
    expect(result.current).not.toBe(old.current.id);
    expect(result.resealed.leads).toBe(3);
    expect(result.unused).toEqual([old.current.id]);
    const now = createKernel(loadKeyring({ dataDir }));
    const row = await stored('legacy-2');
    expect(row.email.startsWith(`enc1.${result.current}.`)).toBe(true);
    expect(row.email_index).toBe(now.index('email', 'old2@clinic.example'));
    expect(now.open('leads', row).email).toBe('Old2@Clinic.Example');

    // A crash right after the new key was written: the next run finishes under that same key.
    const added = addKeyToFile(dataDir);
    const partial = createKernel(added);
    await sql`update leads set email = ${partial.seal('leads', { email: 'x@y.example' }).email} where id = 'legacy-0'`.execute(
      database.db,
    );
    // While values sit under two keys, a lookup by every loaded key still finds the person.
    expect(partial.lookupIndexes('email', 'old1@clinic.example')).toContain(
      now.index('email', 'old1@clinic.example'),
    );
    const resumed = await rotateDataKey(database.db, { dataDir, at: new Date() });
    expect(resumed.resumed).toBe(true);
    expect(resumed.current).toBe(added.current.id);
    expect([...(await valuesByKey(database.db)).keys()]).toEqual([added.current.id]);

    expect((await dropUnusedKeys(database.db, dataDir)).dropped).toHaveLength(2);
    expect(loadKeyring({ dataDir }).all.map((k) => k.id)).toEqual([added.current.id]);
    const audit = await database.db
      .selectFrom('audit_log')
      .select(['action'])
      .where('action', '=', 'key_rotation')
      .execute();
    expect(audit).toHaveLength(2);
  });
});

describe('opt-outs across key rotation', () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  beforeEach(async () => {
    database = await freshDatabase();
  });
  afterEach(async () => {
    await database.drop();
  });

  it('keeps a key that indexed an opt-out, so the opt-out is still found after rotation', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'starspmb-optout-'));
    const before = createKernel(loadKeyring({ dataDir: dir }));
    const who = { email: 'Gone@Clinic.Example' };
    await suppress(database.db, before, who, 'email_marketing', new Date());

    const result = await rotateDataKey(database.db, { dataDir: dir, at: new Date() });
    expect(result.keptForOptOuts).toEqual([before.keys.current.id]);
    expect(result.unused).not.toContain(before.keys.current.id);
    const { dropped, keptForOptOuts } = await dropUnusedKeys(database.db, dir);
    expect(keptForOptOuts).toContain(before.keys.current.id);
    expect(dropped).not.toContain(before.keys.current.id);
    // The person who said no is still found, under the key that was kept.
    const after = createKernel(loadKeyring({ dataDir: dir }));
    expect(after.keys.current.id).toBe(result.current);
    expect(await isSuppressed(database.db, after, who, 'email_marketing')).toBe(true);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('names the key of opt-outs older than the record of keys, and keeps every key while it cannot', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'starspmb-legacy-optout-'));
    const only = createKernel(loadKeyring({ dataDir: dir }));
    const legacy = {
      id: 'legacy-optout',
      channel: 'sms' as const,
      email_index: null,
      created_at: new Date().toISOString(),
      phone_index: only.index('phone', '+12145550199'),
      key_id: null,
    };
    await database.db.insertInto('suppressions').values(legacy).execute();
    // Rotation labels it with the single key in use before making a second one, and keeps that key.
    const result = await rotateDataKey(database.db, { dataDir: dir, at: new Date() });
    const row = await database.db
      .selectFrom('suppressions')
      .select('key_id')
      .where('id', '=', legacy.id)
      .executeTakeFirstOrThrow();
    expect(row.key_id).toBe(only.keys.current.id);
    expect(result.keptForOptOuts).toEqual([only.keys.current.id]);

    // With several keys loaded an unlabelled opt-out cannot be placed: nothing is dropped.
    await database.db
      .insertInto('suppressions')
      .values({ ...legacy, id: 'legacy-2', phone_index: 'x'.repeat(32) })
      .execute();
    expect(await dropUnusedKeys(database.db, dir)).toEqual({
      dropped: [],
      keptForOptOuts: expect.arrayContaining([only.keys.current.id]),
    });
    expect(loadKeyring({ dataDir: dir }).all).toHaveLength(2);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
