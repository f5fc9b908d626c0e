import type { Kysely } from 'kysely';
import { autoId } from './util.js';

const ts = 'varchar(32)';

// Legal holds and the log of retention runs, plus the index the lead purger walks.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('legal_holds')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('target_type', 'varchar(16)', (c) => c.notNull())
    .addColumn('target_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    // Staff ids without foreign keys: a hold must outlive the account of whoever placed it.
    .addColumn('placed_by', 'varchar(36)', (c) => c.notNull())
    .addColumn('placed_at', ts, (c) => c.notNull())
    .addColumn('released_at', ts)
    .addColumn('released_by', 'varchar(36)')
    .execute();
  await db.schema
    .createIndex('legal_holds_target_idx')
    .on('legal_holds')
    .columns(['target_type', 'target_id'])
    .execute();

  await db.schema
    .createTable('retention_runs')
    .addColumn('id', 'integer', autoId(db))
    .addColumn('started_at', ts, (c) => c.notNull())
    .addColumn('finished_at', ts)
    .addColumn('dry_run', 'integer', (c) => c.notNull())
    .addColumn('trigger', 'varchar(16)', (c) => c.notNull())
    .addColumn('started_by', 'varchar(36)')
    .addColumn('counts', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .execute();
  await db.schema
    .createIndex('retention_runs_started_idx')
    .on('retention_runs')
    .column('started_at')
    .execute();

  // The lead purger and the console's "due soon" counts range over last activity.
  await db.schema
    .createIndex('leads_last_activity_idx')
    .on('leads')
    .column('last_activity_at')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('leads_last_activity_idx').ifExists().execute();
  await db.schema.dropTable('retention_runs').ifExists().execute();
  await db.schema.dropTable('legal_holds').ifExists().execute();
}
