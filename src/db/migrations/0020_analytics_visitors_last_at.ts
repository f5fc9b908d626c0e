import type { Kysely } from 'kysely';

// The purger deletes analytics_visitors rows whose last visit is past the 13-month cutoff
// (decision 014). Keyed by visitor alone, finding them read every row of the table, which
// holds one row per visitor seen in 13 months (~6 bytes per event at 10M events).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('analytics_visitors_last_at_idx')
    .on('analytics_visitors')
    .column('last_at')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('analytics_visitors_last_at_idx').execute();
}
