import type { Kysely } from 'kysely';

// The unfiltered props panel sums analytics_prop_rollup over the span by (name, key, value).
// The primary key leads with (name, hour), so SQLite sorted every row of the span into groups:
// 230,000 daily rows for 12 months at 10M events, 120–190 ms of CPU. In key order, with the
// count in the index, the sum streams through the index instead (~30 ms), for about half a byte
// per event (docs/decisions/014-analytics-day-segments.md).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('analytics_prop_rollup_key_idx')
    .on('analytics_prop_rollup')
    .columns(['name', 'prop_key', 'prop_value', 'hour', 'events'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('analytics_prop_rollup_key_idx').execute();
}
