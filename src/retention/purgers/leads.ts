import { randomUUID } from 'node:crypto';
import { sql, type SqlBool } from 'kysely';
import type { Db } from '../../db/database.js';
import type { ConsentsTable } from '../../db/schema.js';
import { policyVersionNow } from '../../privacy/consent.js';
import { countLinked, unlinkLeads } from '../../privacy/subject-erase.js';
import { retention } from '../../privacy/vocabulary.js';
import { cutoffFor, describePeriod, describeRule, dueAt } from '../period.js';
import { isPostgres, notHeld } from '../sql.js';
import { notSentOutboxDue } from './outbox.js';
import { countRows, type PurgeCounts, type Purger } from '../types.js';

const { period, from } = retention.lead;
// A won lead is a client's record: bounded too, until client practices take it over.
const clientPeriod = retention.client_lead.period;

/**
 * Form id of the consent record written when retention deletes a lead whose consent was still
 * granted: the consent ends with the lead, and this record starts its five-year proof clock.
 * See docs/decisions/004-retention.md.
 */
export const CONSENT_END_FORM = 'retention';
const consentEndText =
  'No text was shown. This consent ended when the lead was deleted at the end of its retention period.';

// Only id, status and the activity clock are read, never contact columns.
function due(db: Db, now: Date) {
  const lead = cutoffFor(now, period).toISOString();
  const client = cutoffFor(now, clientPeriod).toISOString();
  return db
    .selectFrom('leads')
    .where((eb) =>
      eb.or([
        eb.and([eb('leads.status', '!=', 'won'), eb('leads.last_activity_at', '<=', lead)]),
        eb.and([eb('leads.status', '=', 'won'), eb('leads.last_activity_at', '<=', client)]),
      ]),
    )
    .where(notHeld('leads.id'));
}

const dueIds = (db: Db, now: Date) => due(db, now).select('leads.id');
/** The leads in question: every due lead (dry run, console) or one chunk of ids. */
type LeadIds = readonly string[] | ReturnType<typeof dueIds>;

/** Consent chains of these leads whose latest record is a grant: they end with the lead. */
function grantedChains(db: Db, ids: LeadIds) {
  return db
    .selectFrom('consents as c')
    .where('c.subject_type', '=', 'lead')
    .where('c.subject_id', 'in', ids)
    .where('c.granted', '=', 1)
    .where((outer) =>
      outer.not(
        outer.exists(
          outer
            .selectFrom('consents as later')
            .select('later.id')
            .whereRef('later.subject_type', '=', 'c.subject_type')
            .whereRef('later.subject_id', '=', 'c.subject_id')
            .whereRef('later.purpose', '=', 'c.purpose')
            .whereRef('later.channel', '=', 'c.channel')
            // A later record, or one at the same instant with a larger id (a stable tie-break).
            .where((eb) =>
              eb.or([
                eb('later.at', '>', eb.ref('c.at')),
                eb.and([eb('later.at', '=', eb.ref('c.at')), eb('later.id', '>', eb.ref('c.id'))]),
              ]),
            ),
        ),
      ),
    );
}

// Outbox jobs carry record ids only (never personal data), so "mentions" is a text match.
const mentionsLead = (db: Db, ids: LeadIds) =>
  db
    .selectFrom('leads as m')
    .select('m.id')
    .where('m.id', 'in', ids)
    .where(sql<SqlBool>`outbox.payload like '%' || m.id || '%'`);

/**
 * Related counts under the names runs have always reported, then every other table the data map
 * links to a lead, by table name (consents are pseudonymised, links to disclosures deleted…).
 */
function relatedOf(
  linked: Record<string, number>,
  outbox: number,
  consentsEnded: number,
): Record<string, number> {
  const { lead_submissions: submissions = 0, lead_events: events = 0, ...rest } = linked;
  // The leads themselves are the run's records, not related rows.
  const others = Object.fromEntries(
    Object.entries(rest).filter(([table, n]) => table !== 'leads' && n > 0),
  );
  return { submissions, events, outbox, consents_ended: consentsEnded, ...others };
}

/** What a real run would remove with these leads, counted without changing anything. */
async function relatedCounts(db: Db, ids: LeadIds, now: Date): Promise<Record<string, number>> {
  const [linked, outbox, consentsEnded] = await Promise.all([
    countLinked(db, ids),
    countRows(
      db
        .selectFrom('outbox')
        // The cheap test first: after housekeeping only unsent and recent jobs are left to match.
        .where(notSentOutboxDue(now))
        .where((eb) => eb.exists(mentionsLead(db, ids))),
    ),
    countRows(grantedChains(db, ids)),
  ]);
  // The records that end a consent are written first, then pseudonymised with the rest.
  if (consentsEnded > 0) linked.consents = (linked.consents ?? 0) + consentsEnded;
  return relatedOf(linked, outbox, consentsEnded);
}

async function count(db: Db, now: Date): Promise<PurgeCounts> {
  const records = await countRows(due(db, now));
  return { records, related: await relatedCounts(db, dueIds(db, now), now) };
}

async function purgeChunk(db: Db, now: Date, limit: number): Promise<PurgeCounts> {
  return db.transaction().execute(async (trx) => {
    // On PostgreSQL the rows are locked and re-checked, so a lead moved to "won" (or written to
    // again) at this moment is kept; SQLite's single writer gives the same guarantee.
    const rows = await due(trx, now)
      .select('leads.id')
      .orderBy('leads.last_activity_at')
      .orderBy('leads.id')
      .limit(limit)
      .$if(isPostgres(db), (q) => q.forUpdate())
      .execute();
    const ids = rows.map((r) => r.id);
    if (ids.length === 0) return { records: 0 };
    const consentsEnded = await endConsents(trx, ids, now);
    // Every job naming the lead goes; sent ones past housekeeping age went earlier in the run.
    const outbox = await trx
      .deleteFrom('outbox')
      .where((eb) => eb.exists(mentionsLead(trx, ids)))
      .executeTakeFirst();
    // Every table the data map links to a lead, as an erasure would: nothing keeps the lead id.
    const linked = await unlinkLeads(trx, ids);
    return {
      records: ids.length,
      related: relatedOf(linked, Number(outbox.numDeletedRows), consentsEnded),
    };
  });
}

/** Records the end of every consent still granted, so its proof is kept for five years from now. */
async function endConsents(db: Db, ids: readonly string[], now: Date): Promise<number> {
  const granted = await grantedChains(db, ids)
    .select(['c.subject_id', 'c.purpose', 'c.channel', 'c.form_version'])
    .execute();
  if (granted.length === 0) return 0;
  const rows: ConsentsTable[] = granted.map((g) => ({
    id: randomUUID(),
    subject_type: 'lead',
    subject_id: g.subject_id,
    purpose: g.purpose,
    channel: g.channel,
    granted: 0,
    at: now.toISOString(),
    form_id: CONSENT_END_FORM,
    form_version: g.form_version,
    text_shown: consentEndText,
    submission_id: null,
    policy_version: policyVersionNow(),
  }));
  await db.insertInto('consents').values(rows).execute();
  return rows.length;
}

async function firstDue(db: Db, now: Date, won: boolean): Promise<Date | null> {
  const p = won ? clientPeriod : period;
  const row = await db
    .selectFrom('leads')
    .where('status', won ? '=' : '!=', 'won')
    .where('last_activity_at', '>', cutoffFor(now, p).toISOString())
    .where(notHeld('leads.id'))
    .select((eb) => eb.fn.min('last_activity_at').as('first'))
    .executeTakeFirst();
  return row?.first ? dueAt(new Date(row.first), p) : null;
}

async function nextDue(db: Db, now: Date): Promise<Date | null> {
  const dates = [await firstDue(db, now, false), await firstDue(db, now, true)];
  const times = dates.filter((d): d is Date => d !== null).map((d) => d.getTime());
  return times.length > 0 ? new Date(Math.min(...times)) : null;
}

export const leadPurger: Purger = {
  key: 'lead',
  title: 'Leads, with their submissions and history (won leads after a longer period)',
  rule: 'lead',
  period: `${describeRule({ period, from })} (${describePeriod(clientPeriod)} for a won lead)`,
  action: 'deleted',
  count,
  purgeChunk,
  nextDue,
};
