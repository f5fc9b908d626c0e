import type { Kysely } from 'kysely';

// Scheduled jobs run once across instances (decision 027): an instance takes a job's lease
// before a run; the lease names the instance and when it lapses, so a dead holder's job is
// taken over once it does.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('job_leases')
    .addColumn('job', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('holder', 'varchar(64)', (c) => c.notNull())
    .addColumn('lease_until', 'varchar(32)', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('job_leases').ifExists().execute();
}
