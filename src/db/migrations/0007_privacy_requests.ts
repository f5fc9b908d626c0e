import type { Kysely } from 'kysely';
import { autoId } from './util.js';

const ts = 'varchar(32)';

// Privacy requests (the request log), their one-time link tokens, and the record of each time a
// Global Privacy Control signal was applied. Lead ids are kept without foreign keys: the request
// log and the GPC record outlive a deleted lead, as proof the request was answered.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('privacy_requests')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('channel', 'varchar(16)', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('email', 'text')
    .addColumn('email_index', 'varchar(64)')
    .addColumn('lead_ids', 'text', (c) => c.notNull())
    .addColumn('correction_field', 'varchar(32)')
    .addColumn('correction_value', 'text')
    .addColumn('new_email_confirmed_at', ts)
    .addColumn('verified_at', ts)
    .addColumn('receipt_due_at', ts, (c) => c.notNull())
    .addColumn('receipt_sent_at', ts)
    .addColumn('due_at', ts, (c) => c.notNull())
    .addColumn('extended_at', ts)
    .addColumn('extension_reason', 'text')
    .addColumn('reminded_for', ts)
    .addColumn('report_until', ts)
    .addColumn('responded_at', ts)
    .addColumn('response', 'varchar(32)')
    .addColumn('denial_reason', 'text')
    .addColumn('handled_by', 'varchar(36)')
    .addColumn('closed_at', ts)
    .execute();
  await db.schema
    .createIndex('privacy_requests_status_due_idx')
    .on('privacy_requests')
    .columns(['status', 'due_at'])
    .execute();
  await db.schema
    .createIndex('privacy_requests_closed_idx')
    .on('privacy_requests')
    .column('closed_at')
    .execute();

  await db.schema
    .createTable('privacy_request_tokens')
    .addColumn('token_hash', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('request_id', 'varchar(36)', (c) =>
      c.notNull().references('privacy_requests.id').onDelete('cascade'),
    )
    .addColumn('purpose', 'varchar(16)', (c) => c.notNull())
    .addColumn('nonce', 'varchar(32)', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('expires_at', ts, (c) => c.notNull())
    .addColumn('used_at', ts)
    .execute();
  await db.schema
    .createIndex('privacy_request_tokens_request_idx')
    .on('privacy_request_tokens')
    .column('request_id')
    .execute();

  await db.schema
    .createTable('gpc_applications')
    .addColumn('id', 'integer', autoId(db))
    .addColumn('at', ts, (c) => c.notNull())
    .addColumn('subject_kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('subject_id', 'varchar(36)')
    .addColumn('source', 'varchar(16)', (c) => c.notNull())
    .addColumn('overrode', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('gpc_applications_subject_idx')
    .on('gpc_applications')
    .columns(['subject_kind', 'subject_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['gpc_applications', 'privacy_request_tokens', 'privacy_requests']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
