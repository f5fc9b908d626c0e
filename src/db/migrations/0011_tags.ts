import type { Kysely } from 'kysely';

// Third-party tags an administrator registers; served only after consent to their category.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('tags')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('name', 'varchar(120)', (c) => c.notNull())
    .addColumn('category', 'varchar(16)', (c) => c.notNull())
    .addColumn('vendor', 'varchar(120)', (c) => c.notNull())
    .addColumn('origin', 'varchar(200)', (c) => c.notNull())
    .addColumn('script_url', 'text')
    .addColumn('inline_snippet', 'text')
    .addColumn('data_received', 'text', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('updated_by', 'varchar(36)', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('tags').execute();
}
