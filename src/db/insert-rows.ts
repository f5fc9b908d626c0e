import type { CompiledQuery, InsertObject, Kysely } from 'kysely';
import type { Database } from './schema.js';

type Row = Record<string, unknown>;

// Values Kysely binds as they are; anything else (an expression, a factory) it may render as SQL.
const plain = (v: unknown) =>
  v === null ||
  ['string', 'number', 'bigint', 'boolean'].includes(typeof v) ||
  v instanceof Uint8Array ||
  v instanceof Date;

// Building and compiling an insert through Kysely's query builder cost more than SQLite took to
// run it on the intake path. An insert's SQL depends only on its table, its columns and its row
// count, so it is compiled once per shape (and per engine) and then run with fresh parameters.
const compiled = new WeakMap<object, Map<string, CompiledQuery | null>>();

/** `insertInto(table).values(rows)`, compiled once per shape; same SQL, same parameters. */
export async function insertRows<T extends keyof Database>(
  db: Kysely<Database>,
  table: T,
  rows: InsertObject<Database, T>[],
): Promise<void> {
  if (rows.length === 0) return;
  const first = rows[0] as Row;
  const columns = Object.keys(first).filter((c) => first[c] !== undefined);
  const parameters = (rows as Row[]).flatMap((row) => columns.map((c) => row[c]));
  const sameShape =
    parameters.every(plain) &&
    (rows as Row[]).every(
      (row) =>
        Object.keys(row)
          .filter((c) => row[c] !== undefined)
          .join() === columns.join(),
    );
  const adapter = db.getExecutor().adapter;
  const shapes = compiled.get(adapter) ?? new Map<string, CompiledQuery | null>();
  compiled.set(adapter, shapes);
  const key = `${table}|${rows.length}|${columns.join()}`;
  const template = sameShape ? shapes.get(key) : null;
  if (template) {
    await db.executeQuery({ ...template, parameters });
    return;
  }
  const query = db.insertInto(table).values(rows).compile();
  // Reused only when Kysely's own parameters are exactly the row values in column order, so a
  // value Kysely would render as SQL rather than bind can never be cached into the wrong place.
  if (sameShape && !shapes.has(key)) {
    const reusable =
      query.parameters.length === parameters.length &&
      query.parameters.every((p, i) => p === parameters[i]);
    shapes.set(key, reusable ? query : null);
  }
  await db.executeQuery(query);
}
