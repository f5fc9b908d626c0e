import type { Kysely } from 'kysely';
import { exportableLeadColumns, filteredLeads, type LeadFilter } from './repository.js';
import type { Database } from '../db/schema.js';
import { consentStands } from '../privacy/consent.js';

type Trx = Kysely<Database>;

/** Every exportable column of the leads the console filter matches, newest first. */
export async function leadsForExport(db: Trx, f: LeadFilter, limit: number) {
  return filteredLeads(db, f)
    .select(exportableLeadColumns)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

/** Leads whose most recent marketing choice is a yes that still stands (no material policy change since). */
export async function standingMarketingConsent(db: Trx, leadIds: string[]): Promise<Set<string>> {
  const granted = new Set<string>();
  for (let i = 0; i < leadIds.length; i += 500) {
    const rows = await db
      .selectFrom('consents')
      .select(['subject_id', 'granted', 'at', 'policy_version'])
      .where('subject_type', '=', 'lead')
      .where('purpose', '=', 'marketing')
      .where('subject_id', 'in', leadIds.slice(i, i + 500))
      .orderBy('at')
      .execute();
    const latest = new Map<string, (typeof rows)[number]>();
    for (const r of rows) latest.set(r.subject_id, r);
    for (const [id, c] of latest) if (consentStands(c)) granted.add(id);
  }
  return granted;
}
