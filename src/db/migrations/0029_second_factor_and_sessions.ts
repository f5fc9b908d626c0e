import type { Kysely } from 'kysely';

const ts = 'varchar(32)';

// Second factor and sessions for every kind of account (docs/decisions/025-second-factor-and-sessions.md).
// Sessions say which kind of account they belong to (the idle limit differs), how far sign-in
// got (password only, or both factors), when the person last proved who they are (step-up for
// sensitive actions) and a short device label for the "your sessions" page.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('sessions')
    .addColumn('account_kind', 'varchar(16)', (c) => c.notNull().defaultTo('staff'))
    .execute();
  await db.schema
    .alterTable('sessions')
    .addColumn('stage', 'varchar(16)', (c) => c.notNull().defaultTo('active'))
    .execute();
  await db.schema.alterTable('sessions').addColumn('verified_at', ts).execute();
  await db.schema.alterTable('sessions').addColumn('device', 'varchar(120)').execute();
  // Wrong second-factor codes typed in this sign-in: past 5, it ends and the password is asked again.
  await db.schema
    .alterTable('sessions')
    .addColumn('code_failures', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createIndex('sessions_account_idx')
    .on('sessions')
    .columns(['account_kind', 'user_id'])
    .execute();

  // One TOTP secret per account, sealed by the kernel; `confirmed_at` null while enrolling.
  await db.schema
    .createTable('account_totp')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('account_kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('account_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('secret', 'varchar(200)', (c) => c.notNull())
    .addColumn('enrol_token_hash', 'varchar(64)')
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('confirmed_at', ts)
    // The last 30-second step a code was accepted for: a code is never accepted twice.
    .addColumn('last_step', 'integer')
    .addUniqueConstraint('account_totp_account_uq', ['account_kind', 'account_id'])
    .execute();

  await db.schema
    .createTable('account_recovery_codes')
    .addColumn('code_hash', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('account_kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('account_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('used_at', ts)
    .execute();
  await db.schema
    .createIndex('account_recovery_codes_account_idx')
    .on('account_recovery_codes')
    .columns(['account_kind', 'account_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('account_recovery_codes').execute();
  await db.schema.dropTable('account_totp').execute();
  await db.schema.dropIndex('sessions_account_idx').execute();
  for (const column of ['code_failures', 'device', 'verified_at', 'stage', 'account_kind']) {
    await db.schema.alterTable('sessions').dropColumn(column).execute();
  }
}
