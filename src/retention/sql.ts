import { PostgresAdapter, sql, type SqlBool } from 'kysely';
import type { Db } from '../db/database.js';

/**
 * True where no active legal hold covers the record. Every purger adds it to its "what is due",
 * so a hold stops deletion everywhere at once. `typeColumn` is for tables that name the kind of
 * record they belong to (consents' subject_type); otherwise the record is a lead.
 */
export function notHeld(idColumn: string, typeColumn?: string) {
  const type = typeColumn ? sql.ref(typeColumn) : sql.lit('lead');
  return sql<SqlBool>`not exists (select 1 from legal_holds where legal_holds.target_type = ${type} and legal_holds.target_id = ${sql.ref(idColumn)} and legal_holds.released_at is null)`;
}

export const isPostgres = (db: Db): boolean => db.getExecutor().adapter instanceof PostgresAdapter;
