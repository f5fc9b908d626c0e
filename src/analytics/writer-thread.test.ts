import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTransient } from '../db/errors.js';
import { freshDatabase, testDbKind } from '../test-support/app.js';
import { contend } from '../test-support/contention.js';
import { toAt } from './codes.js';
import type { Hit } from './writer.js';
import { startWriterThread } from './writer-thread.js';

let fresh: Awaited<ReturnType<typeof freshDatabase>>;
beforeAll(async () => {
  fresh = await freshDatabase();
});
afterAll(async () => fresh.drop());

const at = toAt(Date.parse('2026-11-28T12:00:00Z'));
const view = (visitor: string, second = 0): Hit => ({
  at: at + second,
  visitor,
  type: 'pageview',
  path: '/thread',
  visit: { channel: 0, device: 1, client: 0, strings: { country: 'US' } },
});
const pageviewsOf = async (visitor: string) =>
  (
    await fresh.db
      .selectFrom('analytics_sessions')
      .where('visitor', '=', visitor)
      .select('pageviews')
      .execute()
  ).map((r) => r.pageviews);

describe(`analytics writer thread on ${testDbKind}`, () => {
  it('has committed a batch, on its own connection, when the write resolves', async () => {
    const writer = startWriterThread(fresh.url);
    // Sent together, written in order: the second batch continues the first one's visit.
    await Promise.all([writer.write([view('t-a')]), writer.write([view('t-a', 60), view('t-b')])]);
    expect(await pageviewsOf('t-a')).toEqual([2]);
    expect(await pageviewsOf('t-b')).toEqual([1]);
    await writer.close?.();
  });

  it('commits batches sent while it writes, in the order sent, each settling once committed', async () => {
    const writer = startWriterThread(fresh.url);
    // The first is written alone; the rest queue behind it and share later transactions.
    const writes = Array.from({ length: 20 }, (_, i) => writer.write([view('t-many', i * 10)]));
    const settled = await Promise.allSettled(writes);
    expect(settled.every((s) => s.status === 'fulfilled')).toBe(true);
    expect(await pageviewsOf('t-many')).toEqual([20]);
    await writer.close?.();
  });

  it('starts again after being closed, and reads what it had written back from the database', async () => {
    const writer = startWriterThread(fresh.url);
    await writer.write([view('t-c')]);
    await writer.close?.();
    await writer.write([view('t-c', 120)]);
    expect(await pageviewsOf('t-c')).toEqual([2]);
    await writer.close?.();
  });

  it('refuses a batch the database stays busy for with an error that says so, storing none of it', async () => {
    const writer = startWriterThread(fresh.url);
    const contention = await contend(fresh.db, fresh.url);
    const failed = await writer.write([view('t-busy')]).catch((err: unknown) => err);
    await contention.release();
    expect(isTransient(failed)).toBe(true);
    expect(await pageviewsOf('t-busy')).toEqual([]);
    await writer.write([view('t-busy')]);
    expect(await pageviewsOf('t-busy')).toEqual([1]);
    await writer.close?.();
  });

  it('refuses batches, instead of leaving them waiting, when its thread cannot start', async () => {
    // A database the thread cannot open (its folder would be a file): it fails at load and exits.
    const writer = startWriterThread('sqlite:/etc/passwd/analytics.db');
    await expect(writer.write([view('t-never')])).rejects.toThrow(/analytics writer stopped/);
    // Each batch tries a new thread; it fails the same way rather than hanging.
    await expect(writer.write([view('t-never')])).rejects.toThrow(/analytics writer stopped/);
    await writer.close?.();
  });
});
