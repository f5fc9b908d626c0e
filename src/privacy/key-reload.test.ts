import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, type TestApp } from '../test-support/app.js';
import { insertLead } from '../test-support/retention.js';
import { getAs, staffJar, type Jar } from '../test-support/staff.js';
import { createKernel } from './kernel.js';
import { addKeyToFile, loadKeyring, KEY_FILE } from './keyring.js';
import { KEY_POLL_MS, liveKeyring, type LiveKeyring } from './live-keyring.js';
import { dropOldWaitMs, dropUnusedKeys, rotateDataKey } from './rotation.js';

// Keys without downtime (decision 027): `keys rotate` under a running server. The app here reads
// its keys from the key file in its data folder, as the embedded default does.

async function appWithLeads(kernel: 'live' | 'loaded-once') {
  const t = await createTestApp({
    kernel: (dir) =>
      createKernel(
        kernel === 'live' ? liveKeyring({ dataDir: dir }) : loadKeyring({ dataDir: dir }),
      ),
  });
  const ids: string[] = [];
  for (let i = 0; i < 12; i++) ids.push(await insertLead(t.db, t.kernel, t.clock.now()));
  return { t, ids, jar: await staffJar(t, 'admin') };
}

const leadPage = (t: TestApp, jar: Jar, id: string) => getAs(t, jar, `/console/leads/${id}`);

describe('keys rotate while the server runs', () => {
  let t: TestApp;
  let ids: string[];
  let jar: Jar;
  beforeAll(async () => ({ t, ids, jar } = await appWithLeads('live')));
  afterAll(async () => t.close());

  it('answers every lead page with 200 through two rotations and dropping the old keys', async () => {
    const first = t.kernel.keys.current.id;
    const statuses: number[] = [];
    let done = false;
    // The reader: lead pages round and round, while the rotations run and two rounds after.
    const reader = (async () => {
      for (let i = 0; !done || i % ids.length !== 0 || i < 2 * ids.length; i++) {
        statuses.push((await leadPage(t, jar, ids[i % ids.length]!)).statusCode);
        // On SQLite a request may complete in microtasks alone: let timers (the rotation) run.
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    // Reads seen while each table was being resealed: the reader really ran during the rotation.
    const readsAt: number[] = [];
    const progress = async () => {
      readsAt.push(statuses.length);
      // Between chunks, as a separate CLI process would, the server goes on answering.
      await new Promise((resolve) => setTimeout(resolve, 10));
    };
    // The same function `starspmb keys rotate` calls, against the same database and key file.
    const one = await rotateDataKey(t.db, { dataDir: t.dataDir, at: t.clock.now() }, progress);
    const two = await rotateDataKey(t.db, { dataDir: t.dataDir, at: t.clock.now() }, progress);
    const dropped = await dropUnusedKeys(t.db, t.dataDir);
    done = true;
    await reader;
    expect(readsAt.at(-1)! - readsAt[0]!).toBeGreaterThan(0);

    expect(new Set([first, one.current, two.current]).size).toBe(3);
    expect(dropped.dropped.sort()).toEqual([first, one.current].sort());
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    // The server now seals under the newest key; at its next poll (or SIGHUP) it lets the
    // dropped ones go.
    expect(t.kernel.keys.current.id).toBe(two.current);
    expect((t.kernel.keys as LiveKeyring).reload()).toBe(true);
    expect(t.kernel.keys.all.map((k) => k.id)).toEqual([two.current]);
    const row = await t.db
      .selectFrom('leads')
      .select(['email', 'address'])
      .where('id', '=', ids[3]!)
      .executeTakeFirstOrThrow();
    expect(row.email.startsWith(`enc1.${two.current}.`)).toBe(true);
    const page = await leadPage(t, jar, ids[3]!);
    expect(page.body).toContain(t.kernel.open('leads', row).address);
  });
});

describe('a server that loads its keys only at start (before decision 027)', () => {
  let t: TestApp;
  let ids: string[];
  let jar: Jar;
  beforeAll(async () => ({ t, ids, jar } = await appWithLeads('loaded-once')));
  afterAll(async () => t.close());

  it('fails lead pages after a rotation: what the live keyring prevents', async () => {
    expect((await leadPage(t, jar, ids[0]!)).statusCode).toBe(200);
    await rotateDataKey(t.db, { dataDir: t.dataDir, at: t.clock.now() });
    expect((await leadPage(t, jar, ids[0]!)).statusCode).toBe(500);
  });
});

describe('the live keyring', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'starspmb-keys-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reloads on demand (SIGHUP) and says whether anything changed', () => {
    const ring = liveKeyring({ dataDir: dir });
    const before = ring.current.id;
    expect(ring.reload()).toBe(false);
    const added = addKeyToFile(dir);
    expect(ring.reload()).toBe(true);
    expect(ring.current.id).toBe(added.current.id);
    expect(ring.byId(before)).toBeDefined();
  });

  it('finds a key added since it loaded on the first value that names it', () => {
    const ring = liveKeyring({ dataDir: dir });
    const added = addKeyToFile(dir);
    expect(ring.current.id).not.toBe(added.current.id);
    expect(ring.byId(added.current.id)?.id).toBe(added.current.id);
    expect(ring.current.id).toBe(added.current.id);
    // An id no file holds is still unknown, and asking again reads nothing more.
    expect(ring.byId('deadbeef')).toBeUndefined();
  });

  it('polls the key file and reports a new current key', async () => {
    const ring = liveKeyring({ dataDir: dir });
    const seen: string[] = [];
    const stop = ring.watch(10, (r) => seen.push(r.current.id));
    try {
      const added = addKeyToFile(dir);
      await vi.waitFor(() => expect(seen).toEqual([added.current.id]), { timeout: 2000 });
    } finally {
      stop();
    }
  });

  it('keeps the keys it holds when the file is broken or gone, and says why', () => {
    const errors: string[] = [];
    const ring = liveKeyring({ dataDir: dir, onError: (e) => errors.push(e.message) });
    const held = ring.current.id;
    const file = path.join(dir, KEY_FILE);
    const good = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, '{"current": "x", "keys": [');
    expect(ring.reload()).toBe(false);
    fs.rmSync(file);
    expect(ring.reload()).toBe(false);
    expect(ring.current.id).toBe(held);
    expect(errors).toHaveLength(2);
    expect(errors[1]).toContain('is gone');
    fs.writeFileSync(file, good, { mode: 0o600 });
  });

  it('never reloads keys that came from the environment', () => {
    const ring = liveKeyring({ dataDir: dir, key: Buffer.alloc(32, 3).toString('base64url') });
    expect(ring.source).toBe('env');
    expect(ring.reload()).toBe(false);
  });

  it('makes `keys drop-old` wait until every server has polled the file twice', () => {
    const added = addKeyToFile(dir);
    const made = new Date(
      JSON.parse(fs.readFileSync(path.join(dir, KEY_FILE), 'utf8')).keys[0].createdAt as string,
    );
    expect(added.current.id).toBeTruthy();
    expect(dropOldWaitMs(dir, made)).toBe(2 * KEY_POLL_MS);
    expect(dropOldWaitMs(dir, new Date(made.getTime() + 2 * KEY_POLL_MS))).toBe(0);
  });
});
