import type { ColumnDefinitionBuilder, Kysely } from 'kysely';
import { isSqlite } from '../database.js';

export { isSqlite };

// An auto-numbered integer key on both engines (SQLite has no identity columns).
export function autoId(db: Kysely<unknown>) {
  return (c: ColumnDefinitionBuilder) =>
    isSqlite(db) ? c.primaryKey().autoIncrement() : c.primaryKey().generatedByDefaultAsIdentity();
}
