import type { Kysely } from 'kysely';

const ts = 'varchar(32)';

// Failed sign-ins are counted per (account, source network) and per account across all sources,
// under keyed fingerprints (never the email typed or the IP), instead of one counter on the staff
// row that anyone could drive to a lock (docs/decisions/018-login-throttle.md). The old counter
// and lock columns go with it.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('login_failures')
    .addColumn('account_key', 'varchar(64)', (c) => c.notNull())
    // '*' for the row that counts the account's failures from every source.
    .addColumn('source_key', 'varchar(64)', (c) => c.notNull())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('window_started_at', ts, (c) => c.notNull())
    .addColumn('notified_at', ts)
    .addPrimaryKeyConstraint('login_failures_pk', ['account_key', 'source_key'])
    .execute();
  await db.schema
    .createIndex('login_failures_window_idx')
    .on('login_failures')
    .column('window_started_at')
    .execute();
  await db.schema.alterTable('staff_users').dropColumn('failed_logins').execute();
  await db.schema.alterTable('staff_users').dropColumn('locked_until').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('login_failures').execute();
  await db.schema
    .alterTable('staff_users')
    .addColumn('failed_logins', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('staff_users').addColumn('locked_until', ts).execute();
}
