import type { Kysely } from 'kysely';

// Global Privacy Control signals seen per UTC day: a count, never a row per request or browser.
// A browser that keeps no cookie sends the signal with every request; recording each one was a
// database write per request (and a row per 404). People identified when they send the signal
// (intake, a verified request) still get their own gpc_applications row.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('gpc_daily')
    .addColumn('day', 'varchar(10)', (c) => c.primaryKey())
    .addColumn('signals', 'integer', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('gpc_daily').ifExists().execute();
}
