import type { Kysely } from 'kysely';

// The policy version in force when a consent was given: a later material change means the
// person is asked again before anything relies on that consent. Older rows stay null (1.0).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('consents').addColumn('policy_version', 'varchar(16)').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('consents').dropColumn('policy_version').execute();
}
