import type { Kysely } from 'kysely';
import { autoId } from './util.js';

const ts = 'varchar(32)';

// Text ids are random (not sequential), so a URL never reveals how many leads exist.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('leads')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .addColumn('last_activity_at', ts, (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('user_type', 'varchar(16)', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('organization', 'text', (c) => c.notNull())
    .addColumn('practice_size', 'varchar(16)', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('city', 'text', (c) => c.notNull())
    .addColumn('state', 'varchar(2)', (c) => c.notNull())
    .addColumn('zip', 'varchar(10)', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('email_normalized', 'text', (c) => c.notNull())
    .addColumn('phone', 'varchar(16)', (c) => c.notNull())
    .addColumn('needs', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('leads_created_idx').on('leads').column('created_at').execute();
  await db.schema
    .createIndex('leads_email_idx')
    .unique()
    .on('leads')
    .column('email_normalized')
    .execute();
  await db.schema.createIndex('leads_phone_idx').unique().on('leads').column('phone').execute();

  await db.schema
    .createTable('lead_submissions')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('lead_id', 'varchar(36)', (c) =>
      c.notNull().references('leads.id').onDelete('cascade'),
    )
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('idempotency_key', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('form_id', 'varchar(32)', (c) => c.notNull())
    .addColumn('form_version', 'varchar(32)', (c) => c.notNull())
    .addColumn('user_type', 'varchar(16)', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('organization', 'text', (c) => c.notNull())
    .addColumn('practice_size', 'varchar(16)', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('city', 'text', (c) => c.notNull())
    .addColumn('state', 'varchar(2)', (c) => c.notNull())
    .addColumn('zip', 'varchar(10)', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('phone', 'varchar(16)', (c) => c.notNull())
    .addColumn('needs', 'text', (c) => c.notNull())
    .addColumn('health_confirmed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('referrer', 'text')
    .addColumn('utm_source', 'text')
    .addColumn('utm_medium', 'text')
    .addColumn('utm_campaign', 'text')
    .addColumn('utm_term', 'text')
    .addColumn('utm_content', 'text')
    .addColumn('gclid', 'text')
    .addColumn('msclkid', 'text')
    .execute();
  await db.schema
    .createIndex('lead_submissions_lead_idx')
    .on('lead_submissions')
    .column('lead_id')
    .execute();

  await db.schema
    .createTable('lead_events')
    .addColumn('id', 'integer', autoId(db))
    .addColumn('lead_id', 'varchar(36)', (c) =>
      c.notNull().references('leads.id').onDelete('cascade'),
    )
    .addColumn('at', ts, (c) => c.notNull())
    .addColumn('kind', 'varchar(32)', (c) => c.notNull())
    .addColumn('submission_id', 'varchar(36)')
    .addColumn('staff_user_id', 'varchar(36)')
    .addColumn('from_status', 'varchar(16)')
    .addColumn('to_status', 'varchar(16)')
    .execute();
  await db.schema.createIndex('lead_events_lead_idx').on('lead_events').column('lead_id').execute();

  await db.schema
    .createTable('consents')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('subject_type', 'varchar(16)', (c) => c.notNull())
    .addColumn('subject_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('purpose', 'varchar(32)', (c) => c.notNull())
    .addColumn('channel', 'varchar(16)', (c) => c.notNull())
    .addColumn('granted', 'integer', (c) => c.notNull())
    .addColumn('at', ts, (c) => c.notNull())
    .addColumn('form_id', 'varchar(32)', (c) => c.notNull())
    .addColumn('form_version', 'varchar(32)', (c) => c.notNull())
    .addColumn('text_shown', 'text', (c) => c.notNull())
    .addColumn('submission_id', 'varchar(36)')
    .execute();
  await db.schema
    .createIndex('consents_subject_idx')
    .on('consents')
    .columns(['subject_type', 'subject_id'])
    .execute();

  await db.schema
    .createTable('staff_users')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('role', 'varchar(16)', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('disabled_at', ts)
    .addColumn('failed_logins', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('locked_until', ts)
    .addColumn('last_login_at', ts)
    .execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id_hash', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('user_id', 'varchar(36)', (c) =>
      c.notNull().references('staff_users.id').onDelete('cascade'),
    )
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('last_seen_at', ts, (c) => c.notNull())
    .addColumn('expires_at', ts, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('setup_tokens')
    .addColumn('token_hash', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('expires_at', ts, (c) => c.notNull())
    .addColumn('used_at', ts)
    .execute();

  await db.schema
    .createTable('outbox')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('kind', 'varchar(32)', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', ts, (c) => c.notNull())
    .addColumn('sent_at', ts)
    .addColumn('last_error', 'text')
    .execute();
  await db.schema
    .createIndex('outbox_due_idx')
    .on('outbox')
    .columns(['sent_at', 'next_attempt_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of [
    'outbox',
    'setup_tokens',
    'sessions',
    'staff_users',
    'consents',
    'lead_events',
    'lead_submissions',
    'leads',
  ]) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
