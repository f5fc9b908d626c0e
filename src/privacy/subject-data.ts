import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { disclosuresAboutSubject } from './disclosure-store.js';
import type { Kernel } from './kernel.js';
import {
  collectContacts,
  contactFilter,
  contactLinks,
  leadFilter,
  leadLinks,
  orderColumn,
  shownColumns,
  type Contacts,
  type Row,
} from './subject-links.js';
import { categories, disclosureBases, purposes, type Category } from './vocabulary.js';

// Data-subject rights in the kernel: find a person, report everything stored about them, erase
// them (subject-erase.ts), and keep their opt-outs (suppression.ts). Which tables reach a person
// is declared beside the data map (`subjectLinks`), so none can be forgotten.

export { eraseSubject, type EraseResult } from './subject-erase.js';
export { isSuppressed, suppress, type SuppressionChannel } from './suppression.js';

/** The records one person has with us: today, the leads their email matched. */
export interface SubjectRef {
  leadIds: string[];
}

/** The leads holding this email, by blind index under every loaded key; none when unknown. */
export async function findSubjectByEmail(
  db: Db,
  kernel: Kernel,
  email: string,
): Promise<SubjectRef> {
  const trimmed = email.trim();
  if (trimmed === '') return { leadIds: [] };
  const rows = await db
    .selectFrom('leads')
    .select('id')
    .where('email_index', 'in', kernel.lookupIndexes('email', trimmed))
    .orderBy('id')
    .execute();
  return { leadIds: rows.map((r) => r.id) };
}

export interface AccessSection {
  table: string;
  title: string;
  rows: Record<string, string | number | null>[];
  /** Column name -> what it holds, in plain words (the category labels of the data map). */
  labels?: Record<string, string>;
}

export interface AccessReport {
  generatedAt: string;
  sections: AccessSection[];
  consents: {
    purpose: string;
    channel: string;
    granted: boolean;
    at: string;
    formId: string;
    formVersion: string;
    textShown: string;
  }[];
  /** Every time data about the person left us: recipient name, and basis and purpose in plain words. */
  disclosures: {
    at: string;
    recipient: string;
    basis: string;
    purpose: string;
    categories: string[];
  }[];
}

async function selectRows(
  db: Db,
  kernel: Kernel,
  table: string,
  filter: ReturnType<typeof leadFilter>,
): Promise<Row[]> {
  const shown = shownColumns(table);
  const order = orderColumn(table);
  const result = await sql<Row>`select ${sql.join(shown.map((c) => sql.ref(c.column)))}
    from ${sql.table(table)} where ${filter}
    ${order ? sql`order by ${sql.ref(order)}` : sql``}`.execute(db);
  return result.rows.map((r) => kernel.open(table, r));
}

function section(table: string, title: string, rows: Row[]): AccessSection {
  const labels = Object.fromEntries(shownColumns(table).map((c) => [c.column, c.label]));
  return { table, title, rows, labels };
}

async function consentsOf(db: Db, leadIds: string[]): Promise<AccessReport['consents']> {
  const rows = await db
    .selectFrom('consents')
    .select(['purpose', 'channel', 'granted', 'at', 'form_id', 'form_version', 'text_shown'])
    .where('subject_type', '=', 'lead')
    .where('subject_id', 'in', leadIds)
    .orderBy('at')
    .orderBy('purpose')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    purpose: r.purpose,
    channel: r.channel,
    granted: Number(r.granted) === 1,
    at: r.at,
    formId: r.form_id,
    formVersion: r.form_version,
    textShown: r.text_shown,
  }));
}

async function disclosuresOf(db: Db, leadIds: string[]): Promise<AccessReport['disclosures']> {
  const all = await Promise.all(
    leadIds.map((id) => disclosuresAboutSubject(db, { type: 'lead', id })),
  );
  const seen = new Set<string>();
  return all
    .flat()
    .filter((d) => !seen.has(d.id) && seen.add(d.id))
    .sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0))
    .map((d) => ({
      at: d.at,
      recipient: d.recipient_name,
      basis: disclosureBases[d.basis],
      purpose: purposes[d.purpose],
      categories: (JSON.parse(d.categories) as Category[]).map((c) => categories[c] ?? c),
    }));
}

/**
 * Everything stored about the person, opened and labelled: one section per linked table (walked
 * from the data map), their consent records with the exact text shown, and every disclosure.
 * Index lookups only (every link column is indexed, migration 0008), so it stays fast at scale.
 */
export async function buildAccessReport(
  db: Db,
  kernel: Kernel,
  subject: SubjectRef,
  at: Date,
): Promise<AccessReport> {
  const report: AccessReport = {
    generatedAt: at.toISOString(),
    sections: [],
    consents: [],
    disclosures: [],
  };
  const ids = [...new Set(subject.leadIds)];
  if (ids.length === 0) return report;
  const contacts: Contacts = { emails: new Set(), phones: new Set() };
  for (const [table, link] of leadLinks()) {
    if ('list' in link.report) {
      if (link.report.list === 'consents') report.consents = await consentsOf(db, ids);
      else report.disclosures = await disclosuresOf(db, ids);
    } else if ('section' in link.report) {
      const rows = await selectRows(db, kernel, table, leadFilter(link, ids));
      collectContacts(table, rows, contacts);
      report.sections.push(section(table, link.report.section, rows));
    }
  }
  // Records found by the person's email addresses rather than by record id (opt-outs, requests).
  // Never by phone: a number is not verified and anyone may type someone else's, so an opt-out
  // found by it could be a stranger's.
  const verified: Contacts = { emails: contacts.emails, phones: new Set() };
  for (const [table, link] of contactLinks()) {
    if (!('section' in link.report)) continue;
    const filter = contactFilter(kernel, link, verified);
    const rows = filter ? await selectRows(db, kernel, table, filter) : [];
    report.sections.push(section(table, link.report.section, rows));
  }
  return report;
}
