import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { Db } from '../db/database.js';
import type { EraseAction, ReportAs } from './data-map.js';
import type { Kernel } from './kernel.js';
import { activeHold, contactsOf } from './subject-erase.js';
import {
  contactFilter,
  contactLinks,
  leadFilter,
  leadLinks,
  type Contacts,
} from './subject-links.js';

// What an erasure would do to one person, read from the data map before anything changes: the
// privacy officer sees what is deleted, what is pseudonymised and what is kept (with why), and
// whether a legal hold refuses it, before confirming (eraseSubject does the same in one go).

export interface ErasurePlanRow {
  table: string;
  /** What the person would recognise: the access report's own heading for these rows. */
  label: string;
  action: EraseAction;
  rows: number;
  why: string | null;
}

export interface ErasurePlan {
  /** Set when a legal hold refuses the erasure: nothing would change. */
  refusedBecause: string | null;
  rows: ErasurePlanRow[];
}

const listLabels = { consents: 'Consent records', disclosures: 'Disclosures of the data' };

function labelOf(table: string, report: ReportAs): string {
  if ('section' in report) return report.section;
  if ('list' in report) return listLabels[report.list];
  return table.replace(/_/g, ' ');
}

async function count(db: Db, table: string, where: RawBuilder<SqlBool>): Promise<number> {
  const r = await sql<{
    n: number | string;
  }>`select count(*) as n from ${sql.table(table)} where ${where}`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}

export async function erasurePlan(
  db: Db,
  kernel: Kernel,
  leadIds: readonly string[],
): Promise<ErasurePlan> {
  const ids = [...new Set(leadIds)];
  if (ids.length === 0) return { refusedBecause: null, rows: [] };
  const hold = await activeHold(db, ids);
  const rows: ErasurePlanRow[] = [];
  for (const [table, link] of leadLinks()) {
    const n = await count(db, table, leadFilter(link, ids));
    rows.push({
      table,
      label: labelOf(table, link.report),
      action: link.erase,
      rows: n,
      why: link.why ?? null,
    });
  }
  // Rows found by the person's addresses: the verified email only, as the access report does.
  const contacts: Contacts = { emails: new Set(), phones: new Set() };
  for (const id of ids)
    for (const e of (await contactsOf(db, kernel, id)).emails) contacts.emails.add(e);
  for (const [table, link] of contactLinks()) {
    const where = contactFilter(
      kernel,
      { ...link, contact: { email: link.contact.email } },
      contacts,
    );
    const n = where ? await count(db, table, where) : 0;
    rows.push({
      table,
      label: labelOf(table, link.report),
      action: link.erase,
      rows: n,
      why: link.why,
    });
  }
  return {
    refusedBecause: hold
      ? `A legal hold placed on ${hold.placed_at.slice(0, 10)} covers this person's record: nothing can be deleted until it is released.`
      : null,
    rows: rows.filter((r) => r.rows > 0),
  };
}
