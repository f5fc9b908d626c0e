import type { Kysely } from 'kysely';

// A visit's events, by visit: filtered dashboard panels count the page views and custom events of
// the visits that match (decision 013), and a page or event filter asks whether a visit had such
// an event. Without it both scan every event of the period. Type, path and name are in the key
// so those reads never touch the table; the byte cost per event is in docs/benchmarks.md.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('analytics_events_session_idx')
    .on('analytics_events')
    .columns(['session_id', 'type', 'path', 'name'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('analytics_events_session_idx').execute();
}
