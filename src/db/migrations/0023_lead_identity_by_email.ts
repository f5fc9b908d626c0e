import { sql, type Kysely } from 'kysely';

// A lead is one email address (normalised). The phone number is for text messages only
// (privacy policy), so it is no longer a matching key and two people may give the same number:
// its index stays, for SMS opt-outs, but is no longer unique. Leads that share an organization
// are only suggested to staff as possible duplicates, found through a case-folded index.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('leads_phone_index_idx').execute();
  await db.schema.createIndex('leads_phone_index_idx').on('leads').column('phone_index').execute();
  await db.schema
    .createIndex('leads_organization_lower_idx')
    .on('leads')
    .expression(sql`lower(organization)`)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('leads_organization_lower_idx').execute();
  await db.schema.dropIndex('leads_phone_index_idx').execute();
  // Fails if two leads now share a number: that data would have to be resolved by hand first.
  await db.schema
    .createIndex('leads_phone_index_idx')
    .unique()
    .on('leads')
    .column('phone_index')
    .execute();
}
