import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import {
  dataMap,
  subjectLinks,
  type ContactLink,
  type FieldClass,
  type LeadLink,
  type PseudonymousLink,
  type SubjectLink,
} from './data-map.js';
import type { Kernel } from './kernel.js';
import { categories } from './vocabulary.js';

// The generic half of data-subject rights: which tables reach a person, how to select their rows
// and which columns a person is shown. Everything here is read from the data map, so a new table
// or column changes the access report and the erasure without code here changing.

export type Cell = string | number | null;
export type Row = Record<string, Cell>;

const tables = dataMap as unknown as Record<string, Record<string, FieldClass>>;
const links = subjectLinks as Record<string, SubjectLink | undefined>;

export const isLeadLink = (l: SubjectLink | undefined): l is LeadLink => !!l && 'column' in l;
export const isContactLink = (l: SubjectLink | undefined): l is ContactLink =>
  !!l && 'contact' in l;
export const isPseudonymousLink = (l: SubjectLink | undefined): l is PseudonymousLink =>
  !!l && 'pseudonymous' in l;

/** Tables holding a personal field about someone other than staff: each needs a subject link. */
export function tablesAboutPeople(): string[] {
  return Object.entries(tables)
    .filter(([, cols]) =>
      Object.values(cols).some((f) => f.personal && f.subjects.some((s) => s !== 'staff')),
    )
    .map(([t]) => t);
}

export function leadLinks(): [string, LeadLink][] {
  return Object.entries(links).filter((e): e is [string, LeadLink] => isLeadLink(e[1]));
}

export function contactLinks(): [string, ContactLink][] {
  return Object.entries(links).filter((e): e is [string, ContactLink] => isContactLink(e[1]));
}

export interface ShownColumn {
  column: string;
  label: string;
}

/**
 * What a person is shown of a table: personal columns and plain facts about the record, with
 * plain labels. Never a blind index (a keyed hash reveals nothing and is not theirs to keep),
 * never a secret's hash, and no ids except the row's own, as a reference.
 */
export function shownColumns(table: string): ShownColumn[] {
  const out: ShownColumn[] = [];
  for (const [column, f] of Object.entries(tables[table] ?? {})) {
    if (/hash$/.test(column)) continue;
    if (f.personal) {
      if (f.blindIndexOf) continue;
      out.push({ column, label: categories[f.category] });
    } else if (f.identifier) {
      if (column === 'id') out.push({ column, label: 'reference' });
    } else {
      out.push({ column, label: f.why });
    }
  }
  return out;
}

/** The filter selecting a lead link's rows for these lead ids. */
/** Lead ids as a list, or as a query selecting them (a retention rule's due leads). */
export type LeadIds = readonly string[] | Expression<unknown>;

export function leadFilter(link: LeadLink, leadIds: LeadIds): RawBuilder<SqlBool> {
  const ids = Array.isArray(leadIds)
    ? sql.join(leadIds as readonly string[])
    : (leadIds as Expression<unknown>);
  const conditions = [
    sql<SqlBool>`${sql.ref(link.column)} in (${ids})`,
    ...Object.entries(link.where ?? {}).map(([c, v]) => sql<SqlBool>`${sql.ref(c)} = ${v}`),
  ];
  return sql<SqlBool>`${sql.join(conditions, sql` and `)}`;
}

export interface Contacts {
  emails: Set<string>;
  phones: Set<string>;
}

/** Addresses found in opened rows, from every column the data map says is an email or phone. */
export function collectContacts(table: string, rows: readonly Row[], into: Contacts): void {
  for (const [column, f] of Object.entries(tables[table] ?? {})) {
    if (!f.personal || f.blindIndexOf) continue;
    const target =
      f.category === 'contact.email'
        ? into.emails
        : f.category === 'contact.phone'
          ? into.phones
          : null;
    if (!target) continue;
    for (const row of rows) {
      const v = row[column];
      if (typeof v === 'string' && v !== '') target.add(v);
    }
  }
}

/** The filter selecting a contact link's rows: its index columns under every loaded key. */
export function contactFilter(
  kernel: Kernel,
  link: ContactLink,
  contacts: Contacts,
): RawBuilder<SqlBool> | null {
  const conditions: RawBuilder<SqlBool>[] = [];
  const add = (column: string | undefined, kind: 'email' | 'phone', values: Set<string>) => {
    if (!column || values.size === 0) return;
    const indexes = [...values].flatMap((v) => kernel.lookupIndexes(kind, v));
    conditions.push(sql<SqlBool>`${sql.ref(column)} in (${sql.join(indexes)})`);
  };
  add(link.contact.email, 'email', contacts.emails);
  add(link.contact.phone, 'phone', contacts.phones);
  return conditions.length ? sql<SqlBool>`(${sql.join(conditions, sql` or `)})` : null;
}

/** Newest-last order for a section, by the first time column the table has. */
export function orderColumn(table: string): string | null {
  const cols = tables[table] ?? {};
  return ['created_at', 'at', 'placed_at'].find((c) => c in cols) ?? null;
}
