import { sql, type Kysely } from 'kysely';
import { autoId, isSqlite } from './util.js';

// Closed days of raw analytics as columnar segments (docs/decisions/014-analytics-day-segments.md).
// A segment is one closed UTC day's visits (those that started that day) with their events and
// props, each column a packed array of the narrowest integer width that holds it. The rows leave
// analytics_sessions / _events / _event_props / _visitor_days in the same transaction.
export async function up(db: Kysely<unknown>): Promise<void> {
  const blob = isSqlite(db) ? 'blob' : 'bytea';
  await db.schema
    .createTable('analytics_segments')
    .addColumn('id', 'integer', autoId(db))
    .addColumn('day', 'integer', (c) => c.notNull().unique())
    .addColumn('visits', 'integer', (c) => c.notNull())
    .addColumn('events', 'integer', (c) => c.notNull())
    .addColumn('props', 'integer', (c) => c.notNull())
    .addColumn('day_visitors', 'integer', (c) => c.notNull())
    .execute();
  // One row per column, so a panel reads only the columns it groups and filters by.
  let columns = db.schema
    .createTable('analytics_segment_columns')
    .addColumn('segment_id', 'integer', (c) => c.notNull())
    .addColumn('col', 'smallint', (c) => c.notNull())
    .addColumn('width', 'smallint', (c) => c.notNull())
    .addColumn('data', sql.raw(blob), (c) => c.notNull())
    .addPrimaryKeyConstraint('analytics_segment_columns_pk', ['segment_id', 'col']);
  if (isSqlite(db)) columns = columns.modifyEnd(sql`without rowid`);
  await columns.execute();
  // Whether a visitor id was seen before, once its visits have left analytics_sessions: the
  // writer's "returning visitor" test (decision 010) needs nothing more.
  let visitors = db.schema
    .createTable('analytics_visitors')
    .addColumn('visitor', 'varchar(12)', (c) => c.primaryKey())
    .addColumn('last_at', 'integer', (c) => c.notNull());
  if (isSqlite(db)) visitors = visitors.modifyEnd(sql`without rowid`);
  await visitors.execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['analytics_visitors', 'analytics_segment_columns', 'analytics_segments'])
    await db.schema.dropTable(t).ifExists().execute();
}
