import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { insertRows } from '../db/insert-rows.js';
import type { Database, OutboxTable } from '../db/schema.js';

export type OutboxKind = OutboxTable['kind'];

/** Called inside the transaction of the change that causes the message, so neither is lost. */
export async function enqueue(
  trx: Kysely<Database>,
  kind: OutboxKind,
  payload: Record<string, string>,
  now: Date,
): Promise<string> {
  const id = randomUUID();
  await insertRows(trx, 'outbox', [
    {
      id,
      created_at: now.toISOString(),
      kind,
      payload: JSON.stringify(payload),
      attempts: 0,
      next_attempt_at: now.toISOString(),
      sent_at: null,
      last_error: null,
    },
  ]);
  return id;
}

export async function dueJobs(db: Kysely<Database>, now: Date, limit: number) {
  return db
    .selectFrom('outbox')
    .select(['id', 'kind', 'payload', 'attempts'])
    .where('sent_at', 'is', null)
    .where('next_attempt_at', '<=', now.toISOString())
    .orderBy('next_attempt_at')
    .limit(limit)
    .execute();
}

export async function markSent(db: Kysely<Database>, id: string, now: Date): Promise<void> {
  await db
    .updateTable('outbox')
    .set({ sent_at: now.toISOString(), last_error: null })
    .where('id', '=', id)
    .execute();
}

export async function markFailed(
  db: Kysely<Database>,
  id: string,
  attempts: number,
  retryAt: Date,
  error: string,
): Promise<void> {
  await db
    .updateTable('outbox')
    .set({ attempts, next_attempt_at: retryAt.toISOString(), last_error: error.slice(0, 500) })
    .where('id', '=', id)
    .execute();
}

/** Messages not sent yet that failed at least once (each waits for its next try), oldest first. */
export async function failingMessages(db: Kysely<Database>, limit: number) {
  return db
    .selectFrom('outbox')
    .select(['id', 'kind', 'created_at', 'attempts', 'next_attempt_at', 'last_error'])
    .where('sent_at', 'is', null)
    .where('attempts', '>', 0)
    .orderBy('created_at')
    .limit(limit)
    .execute();
}

export async function countFailing(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('outbox')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('sent_at', 'is', null)
    .where('attempts', '>', 0)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Unsent messages and when the oldest was queued, for the metrics scrape (never per request). */
export async function backlog(
  db: Kysely<Database>,
): Promise<{ depth: number; oldest: string | null }> {
  const row = await db
    .selectFrom('outbox')
    .select((eb) => [
      eb.fn.countAll<number | string>().as('n'),
      eb.fn.min('created_at').as('oldest'),
    ])
    .where('sent_at', 'is', null)
    .executeTakeFirst();
  return { depth: Number(row?.n ?? 0), oldest: (row?.oldest as string | null) ?? null };
}
