import { sql, type Kysely } from 'kysely';
import { isSqlite } from './util.js';

const ts = 'varchar(32)';

// Two parts of issue 14.
// 1. A tag's vendor is a registered service provider (recipients.id) and the tag names the data
//    categories it sends; each activation and deactivation is a row of tag_disclosures, the part
//    of the disclosure ledger for data that flows while a tag is active. Tags registered before
//    name no provider, so they stop loading until an administrator links them to one.
// 2. The audit log may lose entries older than its retention period, but only below a signed
//    purge boundary recorded first (docs/decisions/022): the delete trigger now refuses any row
//    above the newest boundary, and the boundaries themselves are append-only.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('tags')
    .addColumn('recipient_id', 'varchar(36)', (c) => c.references('recipients.id'))
    .execute();
  await db.schema
    .alterTable('tags')
    .addColumn('categories', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();
  await sql`update tags set active = 0`.execute(db);
  await db.schema
    .createTable('tag_disclosures')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('tag_id', 'varchar(36)', (c) => c.notNull().references('tags.id'))
    .addColumn('recipient_id', 'varchar(36)', (c) => c.notNull().references('recipients.id'))
    .addColumn('categories', 'text', (c) => c.notNull())
    .addColumn('purpose', 'varchar(32)', (c) => c.notNull())
    .addColumn('started_at', ts, (c) => c.notNull())
    .addColumn('started_by', 'varchar(36)', (c) => c.notNull())
    .addColumn('ended_at', ts)
    .addColumn('ended_by', 'varchar(36)')
    .execute();
  await db.schema
    .createIndex('tag_disclosures_tag_idx')
    .on('tag_disclosures')
    .columns(['tag_id', 'started_at'])
    .execute();
  await db.schema
    .createTable('audit_purges')
    .addColumn('through_seq', 'integer', (c) => c.primaryKey())
    .addColumn('through_hash', 'varchar(64)', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('legacy_until', 'integer', (c) => c.notNull())
    .addColumn('at', ts, (c) => c.notNull())
    .addColumn('key_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('sig', 'varchar(64)', (c) => c.notNull())
    .execute();
  await (isSqlite(db) ? sqliteTriggers(db) : postgresTriggers(db));
}

const covered = sql.raw(`exists (select 1 from audit_purges p where p.through_seq >= old.seq)`);

async function sqliteTriggers(db: Kysely<unknown>) {
  await sql`DROP TRIGGER audit_log_no_delete`.execute(db);
  await sql`CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log WHEN NOT ${covered}
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only above the last purge boundary'); END`.execute(
    db,
  );
  await sql`CREATE TRIGGER audit_purges_no_change BEFORE UPDATE ON audit_purges
    BEGIN SELECT RAISE(ABORT, 'audit_purges is append-only'); END`.execute(db);
  await sql`CREATE TRIGGER audit_purges_no_delete BEFORE DELETE ON audit_purges
    BEGIN SELECT RAISE(ABORT, 'audit_purges is append-only'); END`.execute(db);
}

async function postgresTriggers(db: Kysely<unknown>) {
  await sql`CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' AND ${covered} THEN RETURN OLD; END IF;
      RAISE EXCEPTION 'audit_log is append-only above the last purge boundary';
    END $$`.execute(db);
  await sql`CREATE FUNCTION audit_purges_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'audit_purges is append-only'; END $$`.execute(db);
  await sql`CREATE TRIGGER audit_purges_no_change BEFORE UPDATE OR DELETE ON audit_purges
    FOR EACH ROW EXECUTE FUNCTION audit_purges_append_only()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (isSqlite(db)) {
    await sql`DROP TRIGGER audit_log_no_delete`.execute(db);
    await sql`CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
      BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END`.execute(db);
  } else {
    await sql`CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$`.execute(db);
  }
  await db.schema.dropTable('audit_purges').ifExists().execute();
  if (!isSqlite(db)) await sql`DROP FUNCTION IF EXISTS audit_purges_append_only()`.execute(db);
  await db.schema.dropTable('tag_disclosures').ifExists().execute();
  await db.schema.alterTable('tags').dropColumn('categories').execute();
  await db.schema.alterTable('tags').dropColumn('recipient_id').execute();
}
