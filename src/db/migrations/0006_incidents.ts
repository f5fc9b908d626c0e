import type { Kysely } from 'kysely';

const ts = 'varchar(32)';
const day = 'varchar(10)';

// The incident register and the reminders already queued for it. Calendar dates (YYYY-MM-DD)
// where the law counts days, not moments: the notification deadline is a day.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('incidents')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('discovered_on', day, (c) => c.notNull())
    .addColumn('categories', 'text', (c) => c.notNull())
    .addColumn('window_start', day)
    .addColumn('window_end', day)
    .addColumn('contract_days', 'integer')
    .addColumn('deadline_on', day, (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    // Staff ids without foreign keys: the register must outlive the accounts of who kept it.
    .addColumn('opened_by', 'varchar(36)', (c) => c.notNull())
    .addColumn('opened_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .addColumn('closed_by', 'varchar(36)')
    .addColumn('closed_at', ts)
    .execute();
  await db.schema
    .createIndex('incidents_status_deadline_idx')
    .on('incidents')
    .columns(['status', 'deadline_on'])
    .execute();

  // One row per reminder sent: the key makes a second run of the reminder job a no-op. The
  // deadline is part of the key, so moving the deadline earns the new date its own reminders.
  await db.schema
    .createTable('incident_reminders')
    .addColumn('incident_id', 'varchar(36)', (c) =>
      c.notNull().references('incidents.id').onDelete('cascade'),
    )
    .addColumn('days_before', 'integer', (c) => c.notNull())
    .addColumn('deadline_on', day, (c) => c.notNull())
    .addColumn('enqueued_at', ts, (c) => c.notNull())
    .addPrimaryKeyConstraint('incident_reminders_pk', ['incident_id', 'days_before', 'deadline_on'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('incident_reminders').ifExists().execute();
  await db.schema.dropTable('incidents').ifExists().execute();
}
