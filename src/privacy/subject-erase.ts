import { randomUUID } from 'node:crypto';
import { sql, type SqlBool } from 'kysely';
import { appendAudit, type AuditActor } from '../audit/log.js';
import type { Db } from '../db/database.js';
import type { ConsentsTable } from '../db/schema.js';
import { policyVersionNow } from './consent.js';
import type { LeadLink } from './data-map.js';
import type { Kernel } from './kernel.js';
import type { SubjectRef } from './subject-data.js';
import {
  collectContacts,
  leadFilter,
  leadLinks,
  type Contacts,
  type LeadIds,
} from './subject-links.js';
import { addSuppressions } from './suppression.js';

// Erasure of one person (docs/decisions/005-erasure.md): refused under a legal hold; otherwise,
// in one transaction, opt-outs are carried into the suppression list, consents still granted end,
// and every table linked in the data map deletes, pseudonymises or keeps the person's rows.

export type EraseResult =
  { erased: true; counts: Record<string, number> } | { erased: false; reason: string };

/** Form id of the consent record an erasure writes to end a consent still granted. */
export const CONSENT_ERASED_FORM = 'erasure';
const consentErasedText =
  'No text was shown. This consent ended when the person asked for their data to be deleted.';

type Trx = Db;

export async function activeHold(
  trx: Trx,
  leadIds: readonly string[],
): Promise<{ placed_at: string } | undefined> {
  return trx
    .selectFrom('legal_holds')
    .select('placed_at')
    .where('target_type', '=', 'lead')
    .where('target_id', 'in', leadIds)
    .where('released_at', 'is', null)
    .orderBy('placed_at')
    .executeTakeFirst();
}

/** Every email and phone the person gave, opened from the lead and each submission. */
export async function contactsOf(trx: Trx, kernel: Kernel, leadId: string): Promise<Contacts> {
  const contacts: Contacts = { emails: new Set(), phones: new Set() };
  const lead = await trx
    .selectFrom('leads')
    .select(['email', 'phone'])
    .where('id', '=', leadId)
    .execute();
  collectContacts(
    'leads',
    lead.map((r) => kernel.open('leads', r)),
    contacts,
  );
  const subs = await trx
    .selectFrom('lead_submissions')
    .select(['email', 'phone'])
    .where('lead_id', '=', leadId)
    .execute();
  collectContacts(
    'lead_submissions',
    subs.map((r) => kernel.open('lead_submissions', r)),
    contacts,
  );
  return contacts;
}

/** The latest consent record per purpose and channel (a stable tie-break on id). */
async function latestConsents(trx: Trx, leadId: string) {
  const rows = await trx
    .selectFrom('consents')
    .select(['purpose', 'channel', 'granted', 'form_version'])
    .where('subject_type', '=', 'lead')
    .where('subject_id', '=', leadId)
    .orderBy('at')
    .orderBy('id')
    .execute();
  const latest = new Map<string, (typeof rows)[number]>();
  for (const r of rows) latest.set(`${r.purpose}/${r.channel}`, r);
  return [...latest.values()];
}

/**
 * Opt-outs survive the deletion: unless the person's latest choice grants marketing email (or
 * SMS), each of their addresses goes on the suppression list. Existing entries are kept as they are.
 */
async function carryOptOuts(
  trx: Trx,
  kernel: Kernel,
  contacts: Contacts,
  latest: Awaited<ReturnType<typeof latestConsents>>,
  at: Date,
) {
  const granted = (purpose: string, channel: string) =>
    latest.some((c) => c.purpose === purpose && c.channel === channel && Number(c.granted) === 1);
  let added = 0;
  const add = async (
    who: { email?: string; phone?: string },
    channel: 'email_marketing' | 'sms',
  ) => {
    added += await addSuppressions(trx, kernel, who, channel, at);
  };
  if (!granted('marketing', 'email'))
    for (const email of contacts.emails) await add({ email }, 'email_marketing');
  if (!granted('sms_communication', 'sms'))
    for (const phone of contacts.phones) await add({ phone }, 'sms');
  return added;
}

/** Consents still granted end with the erasure, which starts their five-year proof clock. */
async function endGrantedConsents(
  trx: Trx,
  leadId: string,
  latest: Awaited<ReturnType<typeof latestConsents>>,
  at: Date,
) {
  const rows: ConsentsTable[] = latest
    .filter((c) => Number(c.granted) === 1)
    .map((c) => ({
      id: randomUUID(),
      subject_type: 'lead',
      subject_id: leadId,
      purpose: c.purpose,
      channel: c.channel,
      granted: 0,
      at: at.toISOString(),
      form_id: CONSENT_ERASED_FORM,
      form_version: c.form_version,
      text_shown: consentErasedText,
      policy_version: policyVersionNow(),
      submission_id: null,
    }));
  if (rows.length > 0) await trx.insertInto('consents').values(rows).execute();
  return rows.length;
}

/** Applies one table's erase action; returns the rows affected. */
async function eraseLinked(
  trx: Trx,
  table: string,
  link: LeadLink,
  leadIds: readonly string[],
): Promise<number> {
  if (link.erase === 'keep') return 0;
  if (link.erase === 'delete') {
    const r = await sql`delete from ${sql.table(table)} where ${leadFilter(link, leadIds)}`.execute(
      trx,
    );
    return Number(r.numAffectedRows ?? 0);
  }
  let n = 0;
  // One fresh id per lead: a kept consent history still reads as one person's, no one's.
  for (const id of leadIds) {
    const sets = [
      sql`${sql.ref(link.column)} = ${randomUUID()}`,
      ...(link.clear ?? []).map((c) => sql`${sql.ref(c)} = ${null}`),
    ];
    const r =
      await sql`update ${sql.table(table)} set ${sql.join(sets)} where ${leadFilter(link, [id])}`.execute(
        trx,
      );
    n += Number(r.numAffectedRows ?? 0);
  }
  return n;
}

// Outbox jobs carry record ids only; a pending job about an erased lead has nothing left to do.
async function dropJobs(trx: Trx, leadId: string): Promise<number> {
  const r = await trx
    .deleteFrom('outbox')
    .where(sql<SqlBool>`payload like ${`%${leadId}%`}`)
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** The lead's own row goes last, after everything that refers to it; kept tables are left alone. */
const ordered = () =>
  leadLinks()
    .filter(([, link]) => link.erase !== 'keep')
    .sort(([a], [b]) => Number(a === 'leads') - Number(b === 'leads'));

/**
 * Deletes or pseudonymises, as the data map says, every row linked to these leads, the leads
 * themselves last. Erasure and retention both end a record here, so neither can miss a table.
 */
export async function unlinkLeads(
  trx: Trx,
  leadIds: readonly string[],
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const [table, link] of ordered())
    counts[table] = await eraseLinked(trx, table, link, leadIds);
  return counts;
}

/** What `unlinkLeads` would change for these leads, counted without changing anything. */
export async function countLinked(db: Db, leadIds: LeadIds): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const [table, link] of ordered()) {
    const r = await sql<{
      n: number | string;
    }>`select count(*) as n from ${sql.table(table)} where ${leadFilter(link, leadIds)}`.execute(
      db,
    );
    counts[table] = Number(r.rows[0]?.n ?? 0);
  }
  return counts;
}

async function eraseLead(
  trx: Trx,
  kernel: Kernel,
  leadId: string,
  at: Date,
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const latest = await latestConsents(trx, leadId);
  counts.suppressions_added = await carryOptOuts(
    trx,
    kernel,
    await contactsOf(trx, kernel, leadId),
    latest,
    at,
  );
  counts.consents_ended = await endGrantedConsents(trx, leadId, latest, at);
  counts.outbox = await dropJobs(trx, leadId);
  return { ...counts, ...(await unlinkLeads(trx, [leadId])) };
}

/**
 * Deletes or anonymises everything about the person, in one transaction, and audits it (counts
 * only). Refused with a reason under an active legal hold; with no records, erases nothing.
 */
export async function eraseSubject(
  db: Db,
  kernel: Kernel,
  subject: SubjectRef,
  opts: { actor: AuditActor; at: Date },
): Promise<EraseResult> {
  const ids = [...new Set(subject.leadIds)];
  // Nothing stored is nothing to refuse: the request is answered with zero records removed.
  if (ids.length === 0) return { erased: true, counts: {} };
  const run = async (trx: Db): Promise<EraseResult> => {
    // Checked inside the transaction, so a hold placed a moment earlier is seen.
    const hold = await activeHold(trx, ids);
    if (hold) {
      return {
        erased: false,
        reason: `A legal hold placed on ${hold.placed_at.slice(0, 10)} covers this person's record, so it is kept until the hold is released.`,
      };
    }
    const counts: Record<string, number> = {};
    for (const id of ids) {
      const one = await eraseLead(trx, kernel, id, opts.at);
      for (const [k, n] of Object.entries(one)) counts[k] = (counts[k] ?? 0) + n;
      await appendAudit(
        trx,
        {
          actor: opts.actor,
          action: 'deletion',
          target: { type: 'lead', id },
          purpose: 'legal',
          detail: one,
        },
        opts.at,
      );
    }
    return { erased: true, counts };
  };
  // Inside a caller's transaction (a privacy request closing with it), use that one.
  return db.isTransaction ? run(db) : db.transaction().execute(run);
}
