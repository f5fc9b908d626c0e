// Copies a generated SQLite analytics database into a fresh PostgreSQL database, so the panel
// benchmark can time the same data on both engines. Rows go over in chunks as one
// `insert … select * from unnest(arrays)` per chunk, much faster than row-by-row inserts.
import SQLite from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createDb, type Db } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';

const tables: [string, [string, string][]][] = [
  ['analytics_dict', [['id', 'int'], ['kind', 'smallint'], ['value', 'text']]],
  ['analytics_sessions', [
    ['id', 'int'], ['visitor', 'text'], ['started_at', 'int'], ['last_at', 'int'],
    ['pageviews', 'int'], ['events', 'int'], ['entry_path', 'int'], ['exit_path', 'int'],
    ['channel', 'smallint'], ['referrer', 'int'], ['engine', 'int'], ['utm_source', 'int'],
    ['utm_medium', 'int'], ['utm_campaign', 'int'], ['country', 'int'], ['region', 'int'],
    ['city', 'int'], ['browser', 'int'], ['browser_version', 'int'], ['os', 'int'],
    ['device', 'smallint'], ['visitor_kind', 'smallint'], ['client', 'smallint'], ['funnel', 'smallint'],
  ]],
  ['analytics_events', [['id', 'int'], ['at', 'int'], ['session_id', 'int'], ['type', 'smallint'], ['path', 'int'], ['name', 'int']]],
  ['analytics_event_props', [['event_id', 'int'], ['prop_key', 'int'], ['prop_value', 'int']]],
  ['analytics_visitor_days', [['day', 'int'], ['visitor', 'text']]],
  ['analytics_rollup', [
    ['dim', 'smallint'], ['hour', 'int'], ['key', 'int'], ['visits', 'int'], ['pageviews', 'int'],
    ['bounces', 'int'], ['duration', 'int'], ['events', 'int'],
  ]],
  ['analytics_prop_rollup', [['name', 'int'], ['hour', 'int'], ['prop_key', 'int'], ['prop_value', 'int'], ['events', 'int']]],
  ['analytics_segments', [['id', 'int'], ['day', 'int'], ['visits', 'int'], ['events', 'int'], ['props', 'int'], ['day_visitors', 'int']]],
  ['analytics_segment_columns', [['segment_id', 'int'], ['col', 'smallint'], ['width', 'smallint'], ['data', 'bytea']]],
  ['analytics_visitors', [['visitor', 'text'], ['last_at', 'int']]],
]; // prettier-ignore
// Segment columns are up to ~100 KB each: fewer per statement.
const chunkRows = (table: string) => (table === 'analytics_segment_columns' ? 200 : 50_000);

export async function copyToPostgres(
  file: string,
  baseUrl: string,
): Promise<{ db: Db; bytes: number; seconds: number; drop(): Promise<void> }> {
  const t = performance.now();
  const name = `starspmb_bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  const db = createDb(url.toString());
  await migrateToLatest(db);
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  const raw = new SQLite(file, { readonly: true });
  for (const [table, cols] of tables) {
    const names = cols.map(([c]) => c);
    const insert = `insert into ${table} (${names.join(', ')}) select * from unnest(${cols
      .map(([, type], i) => `$${i + 1}::${type}[]`)
      .join(', ')})`;
    let chunk: unknown[][] = cols.map(() => []);
    const flush = async () => {
      if (chunk[0]!.length) await client.query(insert, chunk);
      chunk = cols.map(() => []);
    };
    const rows = raw
      .prepare(`select ${names.join(', ')} from ${table}`)
      .raw()
      .iterate();
    for (const row of rows as Iterable<unknown[]>) {
      row.forEach((v, i) => chunk[i]!.push(v));
      if (chunk[0]!.length >= chunkRows(table)) await flush();
    }
    await flush();
  }
  raw.close();
  await client.query('vacuum analyze');
  const size = await client.query<{ n: string }>(
    'select pg_database_size(current_database()) as n',
  );
  return {
    db,
    bytes: Number(size.rows[0]!.n),
    seconds: (performance.now() - t) / 1000,
    drop: async () => {
      await client.end();
      await db.destroy();
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}
