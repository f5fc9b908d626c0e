import type { Kysely } from 'kysely';

// The audit chain becomes keyed (HMAC-SHA256 under the audit key, docs/decisions/016). Rows
// already written keep their plain SHA-256 hashes and are marked 0; the appender marks new rows
// 1. Adding a column with a default rewrites no row, so the append-only triggers are not hit.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('audit_log')
    .addColumn('chain_version', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('audit_log').dropColumn('chain_version').execute();
}
