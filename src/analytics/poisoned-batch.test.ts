import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, testDbKind } from '../test-support/app.js';
import { dictKinds, toAt } from './codes.js';
import { createCollector } from './collector.js';
import { createWriter, type BatchWriter, type Hit } from './writer.js';
import { startWriterThread } from './writer-thread.js';

// One event the database refuses must not fail the honest events committed beside it. These
// tests go past the edge (which refuses such text with a 400) straight to the collector.

let fresh: Awaited<ReturnType<typeof freshDatabase>>;
beforeAll(async () => {
  fresh = await freshDatabase();
  // PostgreSQL refuses a NUL in text on its own. SQLite stores one, so a trigger stands in for
  // a value it cannot take (a constraint, like PostgreSQL's, refusing the statement).
  if (testDbKind === 'sqlite') {
    await sql`create trigger refuse_poison before insert on analytics_dict
      when new.value like 'poison%' begin select raise(abort, 'refused'); end`.execute(fresh.db);
  }
});
afterAll(async () => fresh.drop());

const POISON = 'poison\u0000name';
const at = toAt(Date.parse('2026-11-28T12:00:00Z'));
const click = (name: string, visitor: string, second = 0): Hit => ({
  at: at + second,
  visitor,
  type: 'custom',
  path: '/services',
  name,
  props: { plan: name === POISON ? POISON : 'basic' },
  visit: { channel: 0, device: 1, client: 0, strings: {} },
});

/** How many events carry these names, or (PostgreSQL cannot even be asked about a NUL) a prefix. */
async function eventsNamed(names: string[] | { prefix: string }): Promise<number> {
  const r = await fresh.db
    .selectFrom('analytics_events as e')
    .innerJoin('analytics_dict as d', 'd.id', 'e.name')
    .where('d.kind', '=', dictKinds.event_name)
    .where(
      'd.value',
      Array.isArray(names) ? 'in' : 'like',
      Array.isArray(names) ? names : `${names.prefix}%`,
    )
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** 120 honest events and one poisoned, sent at the same moment, as 121 beacons would be. */
async function sendTogether(writer: BatchWriter, tag: string) {
  const collector = createCollector(writer);
  const honest = Array.from({ length: 120 }, (_, i) => `${tag}-${i}`);
  const sent: Promise<void>[] = [];
  honest.forEach((name, i) => {
    if (i === 60) sent.push(collector.add(click(POISON, `${tag}-v0`, 60)));
    sent.push(collector.add(click(name, `${tag}-v${i % 7}`, i)));
  });
  const settled = await Promise.allSettled(sent);
  await collector.close();
  return { honest, settled };
}

describe(`a batch holding an event the database refuses, on ${testDbKind}`, () => {
  for (const [how, writer] of [
    ['written in line', () => createWriter(fresh.db)],
    ['written on the writer thread', () => startWriterThread(fresh.url)],
  ] as const) {
    it(`stores every honest event and refuses only the poisoned one, ${how}`, async () => {
      const tag = how.split(' ').at(-1)!;
      const { honest, settled } = await sendTogether(writer(), tag);
      expect(settled.filter((s) => s.status === 'rejected')).toHaveLength(1);
      expect(settled[60]!.status).toBe('rejected');
      expect(await eventsNamed(honest)).toBe(120);
      expect(await eventsNamed({ prefix: 'poison' })).toBe(0);
    });
  }

  it('names the refused hit by its place in the batch, and keeps the others’ visit whole', async () => {
    const writer = createWriter(fresh.db);
    const hits = [click('w-a', 'w-v'), click(POISON, 'w-v', 10), click('w-b', 'w-v', 20)];
    const refused = await writer.write(hits);
    expect([...refused.keys()]).toEqual([1]);
    const visits = await fresh.db
      .selectFrom('analytics_sessions')
      .where('visitor', '=', 'w-v')
      .select('events')
      .execute();
    expect(visits).toEqual([{ events: 2 }]);
  });
});
