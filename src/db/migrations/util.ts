import { SqliteAdapter, type ColumnDefinitionBuilder, type Kysely } from 'kysely';

export function isSqlite(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter instanceof SqliteAdapter;
}

// An auto-numbered integer key on both engines (SQLite has no identity columns).
export function autoId(db: Kysely<unknown>) {
  return (c: ColumnDefinitionBuilder) =>
    isSqlite(db) ? c.primaryKey().autoIncrement() : c.primaryKey().generatedByDefaultAsIdentity();
}
