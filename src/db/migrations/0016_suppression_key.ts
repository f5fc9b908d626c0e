import type { Kysely } from 'kysely';

// Which data key made a suppression's blind index. An opt-out keeps only a keyed hash of the
// address, so it can never be re-indexed under a new key: the key that made it must stay loaded
// for as long as the opt-out stands. Older rows stay null until the key in use can be named.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('suppressions').addColumn('key_id', 'varchar(16)').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('suppressions').dropColumn('key_id').execute();
}
