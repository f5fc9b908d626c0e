import type { Kysely } from 'kysely';

const ts = 'varchar(32)';

// Staff management (docs/decisions/026-staff-links.md): a staff member's name, an invitation
// that is still waiting to be accepted, and the one-time link table of the first-run setup made
// general, so invitations (72 hours) and password resets (30 minutes) are links of the same kind:
// a random token, kept only as its SHA-256, used once.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('staff_users').addColumn('name', 'varchar(200)').execute();
  // Set while an invitation is pending: the account exists, but nobody knows its password yet.
  await db.schema.alterTable('staff_users').addColumn('invited_at', ts).execute();
  await db.schema
    .alterTable('setup_tokens')
    .addColumn('purpose', 'varchar(16)', (c) => c.notNull().defaultTo('setup'))
    .execute();
  // The account an invitation or a reset is for; null for the first-run setup link.
  await db.schema.alterTable('setup_tokens').addColumn('user_id', 'varchar(36)').execute();
  // Mailed links: the token is derived from this nonce and the app secret when the mail is sent.
  await db.schema.alterTable('setup_tokens').addColumn('nonce', 'varchar(64)').execute();
  await db.schema
    .createIndex('setup_tokens_user_idx')
    .on('setup_tokens')
    .columns(['user_id', 'purpose'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('setup_tokens_user_idx').execute();
  await db.schema.alterTable('setup_tokens').dropColumn('nonce').execute();
  await db.schema.alterTable('setup_tokens').dropColumn('user_id').execute();
  await db.schema.alterTable('setup_tokens').dropColumn('purpose').execute();
  await db.schema.alterTable('staff_users').dropColumn('invited_at').execute();
  await db.schema.alterTable('staff_users').dropColumn('name').execute();
}
