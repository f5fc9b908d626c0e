import {
  sql,
  type CompiledQuery,
  type InsertObject,
  type InsertQueryBuilder,
  type InsertResult,
  type Kysely,
} from 'kysely';
import { runCompiled } from './compiled.js';
import type { Database } from './schema.js';

type Row = Record<string, unknown>;

// Values Kysely binds as they are; anything else (an expression, a factory) it may render as SQL.
function plain(v: unknown): boolean {
  switch (typeof v) {
    case 'string':
    case 'number':
    case 'bigint':
    case 'boolean':
      return true;
    case 'object':
      return v === null || v instanceof Uint8Array || v instanceof Date;
    case 'function':
    case 'symbol':
    case 'undefined':
      return false;
  }
}

type ConflictClause<T extends keyof Database> = Parameters<
  InsertQueryBuilder<Database, T, InsertResult>['onConflict']
>[0];

export interface InsertRowsOptions<T extends keyof Database> {
  /**
   * An `on conflict` clause, named so the compiled statement can be cached under it. It must bind
   * no parameters of its own (refer to `excluded.*` columns, not to values).
   */
  onConflict?: { name: string; clause: ConflictClause<T> };
  /** Columns of the rows actually inserted (not those skipped by the conflict clause) to return. */
  returning?: readonly (keyof Database[T] & string)[];
}

// An insert's SQL depends only on its table, its columns, its conflict clause and its row count,
// so it is compiled once per shape (src/db/compiled.ts). Many rows go in power-of-two chunks, so
// a table has a handful of shapes rather than one per batch size, and no statement nears either
// engine's parameter limit.
const MAX_PARAMETERS = 30_000;
const MAX_CHUNK = 512;

/** `insertInto(table).values(rows)`, compiled once per shape; same SQL, same parameters. */
export async function insertRows<T extends keyof Database>(
  db: Kysely<Database>,
  table: T,
  rows: InsertObject<Database, T>[],
  opts: InsertRowsOptions<T> = {},
): Promise<Row[]> {
  const returned: Row[] = [];
  if (rows.length === 0) return returned;
  const first = rows[0] as Row;
  const columns = Object.keys(first).filter((c) => first[c] !== undefined);
  let chunk = MAX_CHUNK;
  while (chunk > 1 && chunk * columns.length > MAX_PARAMETERS) chunk /= 2;
  for (let i = 0; i < rows.length;) {
    while (chunk > rows.length - i) chunk /= 2;
    returned.push(...(await insertShape(db, table, columns, rows.slice(i, i + chunk), opts)));
    i += chunk;
  }
  return returned;
}

/** Whether every row has exactly `columns` defined, each holding a plain value. */
function sameShape(rows: Row[], columns: string[]): boolean {
  for (const row of rows) {
    let defined = 0;
    for (const c in row) if (row[c] !== undefined) defined++;
    if (defined !== columns.length) return false;
    for (const c of columns) if (row[c] === undefined || !plain(row[c])) return false;
  }
  return true;
}

async function insertShape<T extends keyof Database>(
  db: Kysely<Database>,
  table: T,
  columns: string[],
  rows: InsertObject<Database, T>[],
  opts: InsertRowsOptions<T>,
): Promise<Row[]> {
  const parameters: unknown[] = [];
  for (const row of rows as Row[]) for (const c of columns) parameters.push(row[c]);
  const build = (): CompiledQuery<Row> => {
    const insert = db.insertInto(table).values(rows);
    const q = opts.onConflict ? insert.onConflict(opts.onConflict.clause) : insert;
    const returning = opts.returning?.map((c) => sql.ref(c).as(c));
    return (returning ? q.returning(returning) : q).compile();
  };
  if (!sameShape(rows, columns)) return (await db.executeQuery(build())).rows;
  const shape = `insert|${table}|${rows.length}|${columns.join()}|${opts.onConflict?.name ?? ''}|${opts.returning?.join() ?? ''}`;
  return (await runCompiled(db, shape, parameters, build)).rows;
}
