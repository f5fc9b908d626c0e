import { sql, type CreateTableBuilder, type Kysely } from 'kysely';
import { autoId, isSqlite } from './util.js';

// Tables keyed by their primary key alone: on SQLite, WITHOUT ROWID stores each row once, in the
// key's own b-tree, instead of a table plus an index of the same columns.
const compact =
  (db: Kysely<unknown>) =>
  <T extends string, C extends string>(t: CreateTableBuilder<T, C>): CreateTableBuilder<T, C> =>
    isSqlite(db) ? t.modifyEnd(sql`without rowid`) : t;

// First-party analytics (docs/decisions/010-analytics-storage.md). Times are integer seconds
// since the analytics epoch and strings are dictionary ids, so an event row is a handful of
// small integers. No foreign keys: the purger deletes events and sessions by time, and an
// unindexed reference check on every deleted session would cost more than it protects.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('analytics_dict')
    .addColumn('id', 'integer', autoId(db))
    .addColumn('kind', 'smallint', (c) => c.notNull())
    .addColumn('value', 'varchar(512)', (c) => c.notNull())
    .addUniqueConstraint('analytics_dict_kind_value', ['kind', 'value'])
    .execute();

  await db.schema
    .createTable('analytics_sessions')
    .addColumn('id', 'integer', autoId(db))
    // 12 characters of a salted hash (no consent) or of the consented cookie's random id; null
    // under GPC or Do Not Track.
    .addColumn('visitor', 'varchar(12)')
    .addColumn('started_at', 'integer', (c) => c.notNull())
    .addColumn('last_at', 'integer', (c) => c.notNull())
    .addColumn('pageviews', 'integer', (c) => c.notNull())
    .addColumn('events', 'integer', (c) => c.notNull())
    .addColumn('entry_path', 'integer')
    .addColumn('exit_path', 'integer')
    .addColumn('channel', 'smallint', (c) => c.notNull())
    .addColumn('referrer', 'integer')
    .addColumn('engine', 'integer')
    .addColumn('utm_source', 'integer')
    .addColumn('utm_medium', 'integer')
    .addColumn('utm_campaign', 'integer')
    .addColumn('country', 'integer')
    .addColumn('region', 'integer')
    .addColumn('city', 'integer')
    .addColumn('browser', 'integer')
    .addColumn('browser_version', 'integer')
    .addColumn('os', 'integer')
    .addColumn('device', 'smallint', (c) => c.notNull())
    .addColumn('visitor_kind', 'smallint', (c) => c.notNull())
    .addColumn('client', 'smallint', (c) => c.notNull())
    .addColumn('funnel', 'smallint', (c) => c.notNull())
    .execute();
  // Continuing a visit: the visitor's latest session, if it is still open.
  await db.schema
    .createIndex('analytics_sessions_visitor_idx')
    .on('analytics_sessions')
    .columns(['visitor', 'last_at'])
    .execute();
  // Filtered dashboard panels and the realtime panel read sessions by time.
  await db.schema
    .createIndex('analytics_sessions_started_idx')
    .on('analytics_sessions')
    .column('started_at')
    .execute();

  // Append-only. Everything about the visit (referrer, geo, device) lives on its session.
  await db.schema
    .createTable('analytics_events')
    .addColumn('id', 'integer', autoId(db))
    .addColumn('at', 'integer', (c) => c.notNull())
    .addColumn('session_id', 'integer', (c) => c.notNull())
    .addColumn('type', 'smallint', (c) => c.notNull())
    .addColumn('path', 'integer', (c) => c.notNull())
    // Event name (custom) or link host (outbound); null for page views and form steps.
    .addColumn('name', 'integer')
    .execute();
  await db.schema
    .createIndex('analytics_events_at_idx')
    .on('analytics_events')
    .column('at')
    .execute();

  // At most 10 props per custom event, only for events that carry them.
  await db.schema
    .createTable('analytics_event_props')
    .addColumn('event_id', 'integer', (c) => c.notNull())
    .addColumn('prop_key', 'integer', (c) => c.notNull())
    .addColumn('prop_value', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('analytics_event_props_pk', ['event_id', 'prop_key'])
    .$call(compact(db))
    .execute();

  // Unique visitors per UTC day; a range counts distinct visitors over its days.
  await db.schema
    .createTable('analytics_visitor_days')
    .addColumn('day', 'integer', (c) => c.notNull())
    .addColumn('visitor', 'varchar(12)', (c) => c.notNull())
    .addPrimaryKeyConstraint('analytics_visitor_days_pk', ['day', 'visitor'])
    .$call(compact(db))
    .execute();

  await db.schema
    .createTable('analytics_rollup')
    .addColumn('hour', 'integer', (c) => c.notNull())
    .addColumn('dim', 'smallint', (c) => c.notNull())
    .addColumn('key', 'integer', (c) => c.notNull())
    .addColumn('visits', 'integer', (c) => c.notNull())
    .addColumn('pageviews', 'integer', (c) => c.notNull())
    .addColumn('bounces', 'integer', (c) => c.notNull())
    .addColumn('duration', 'integer', (c) => c.notNull())
    .addColumn('events', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('analytics_rollup_pk', ['dim', 'hour', 'key'])
    .$call(compact(db))
    .execute();

  await db.schema
    .createTable('analytics_prop_rollup')
    .addColumn('hour', 'integer', (c) => c.notNull())
    .addColumn('name', 'integer', (c) => c.notNull())
    .addColumn('prop_key', 'integer', (c) => c.notNull())
    .addColumn('prop_value', 'integer', (c) => c.notNull())
    .addColumn('events', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('analytics_prop_rollup_pk', ['name', 'hour', 'prop_key', 'prop_value'])
    .$call(compact(db))
    .execute();

  // Random daily secrets for the cookieless visitor hash: today's and yesterday's only.
  await db.schema
    .createTable('analytics_salts')
    .addColumn('day', 'integer', (c) => c.primaryKey())
    .addColumn('salt', 'varchar(64)', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of [
    'analytics_salts',
    'analytics_prop_rollup',
    'analytics_rollup',
    'analytics_visitor_days',
    'analytics_event_props',
    'analytics_events',
    'analytics_sessions',
    'analytics_dict',
  ]) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
