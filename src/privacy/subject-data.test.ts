import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addAuthority, addCourtDisclosure, addRecipient } from '../disclosures/testing.js';
import { addGpcApplication } from '../privacy-center/testing.js';
import type { Db } from '../db/database.js';
import { createTestApp, hiddenField, testDbKind, type TestApp } from '../test-support/app.js';
import { dataMap, subjectLinks, type FieldClass, type SubjectLink } from './data-map.js';
import {
  buildAccessReport,
  eraseSubject,
  findSubjectByEmail,
  isSuppressed,
  suppress,
  type SubjectRef,
} from './subject-data.js';
import { arrivingRequest } from '../privacy-center/repository.js';
import { leadPurger } from '../retention/purgers/leads.js';
import {
  contactLinks,
  isContactLink,
  isLeadLink,
  isPseudonymousLink,
  leadLinks,
  tablesAboutPeople,
} from './subject-links.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const at = new Date('2026-12-01T10:00:00.000Z');
const actor = { kind: 'staff' as const, id: 'officer-1' };

let seq = 0;
function person(overrides: Record<string, string> = {}) {
  seq++;
  return {
    userType: 'provider',
    name: `Rosalind Okafor ${seq}`,
    organization: `Brightwater Pediatrics ${seq}`,
    practiceSize: '6-20',
    address: `${400 + seq} Magnolia Avenue`,
    city: 'Plano',
    state: 'TX',
    zip: '75024',
    email: `rosalind${seq}@brightwater.example`,
    phone: `(469) 555-${String(2000 + seq).slice(-4)}`,
    needs: `We need help with prior authorisations, case ${seq}.`,
    ...overrides,
  };
}
type Person = ReturnType<typeof person>;
const e164 = (p: Person) => `+1${p.phone.replace(/\D/g, '')}`;

/** Submits through the real intake form, so everything is sealed as in production. */
async function submit(p: Person, extra: Record<string, string> = {}): Promise<string> {
  const page = await t.app.inject({ method: 'GET', url: '/get-started' });
  const res = await t.app.inject({
    method: 'POST',
    url: '/get-started',
    // A number is taken only with consent to texts (the policy keeps it for SMS).
    payload: new URLSearchParams({
      ...(extra.consentSms ? p : { ...p, phone: '' }),
      formToken: hiddenField(page.body, 'formToken'),
      ...extra,
    }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  expect(res.statusCode).toBe(303);
  return t.leadIdByEmail(p.email);
}

const linkOf = (table: string) => (subjectLinks as Record<string, SubjectLink | undefined>)[table];

describe('subject links in the data map', () => {
  it('gives every table holding personal data about people (not staff) a way to reach the person', () => {
    const missing = tablesAboutPeople().filter((table) => {
      const link = linkOf(table);
      return !isLeadLink(link) && !isContactLink(link) && !isPseudonymousLink(link);
    });
    expect(missing, 'add these tables to subjectLinks in src/privacy/data-map.ts').toEqual([]);
  });

  it('declares every table of the data map, linked or with the reason none is', () => {
    const undeclared = Object.keys(dataMap).filter((table) => !linkOf(table));
    expect(undeclared, 'add these tables to subjectLinks in src/privacy/data-map.ts').toEqual([]);
    for (const [table, link] of Object.entries(subjectLinks)) {
      const cols = (dataMap as Record<string, Record<string, FieldClass>>)[table];
      expect(cols, `${table} is not in the data map`).toBeDefined();
      const named = isLeadLink(link)
        ? [link.column, ...Object.keys(link.where ?? {}), ...(link.clear ?? [])]
        : isContactLink(link)
          ? Object.values(link.contact)
          : [];
      for (const c of named) expect(cols?.[c], `${table}.${c}`).toBeDefined();
    }
  });

  it('has an index starting with every link column, so lookups never scan', async () => {
    const unindexed: string[] = [];
    for (const [table, link] of leadLinks()) {
      const lead = [...Object.keys(link.where ?? {}), link.column];
      if (
        !(await indexes(t.db, table)).some(
          (cols) => lead.every((c, i) => cols[i] === c) || cols[0] === link.column,
        )
      )
        unindexed.push(`${table}.${link.column}`);
    }
    for (const [table, link] of contactLinks()) {
      for (const column of Object.values(link.contact)) {
        if (!(await indexes(t.db, table)).some((cols) => cols[0] === column))
          unindexed.push(`${table}.${column}`);
      }
    }
    expect(unindexed, 'add an index (src/db/migrations/0008_subject_links.ts)').toEqual([]);
  });
});

/** The column lists of a table's indexes, primary key included, on either engine. */
async function indexes(db: Db, table: string): Promise<string[][]> {
  if (testDbKind === 'sqlite') {
    const list = await sql<{ name: string }>`select name from pragma_index_list(${table})`.execute(
      db,
    );
    const pk = await sql<{
      name: string;
    }>`select name from pragma_table_info(${table}) where pk = 1`.execute(db);
    const out = [pk.rows.map((r) => r.name)];
    for (const { name } of list.rows) {
      const cols = await sql<{
        name: string;
      }>`select name from pragma_index_info(${name}) order by seqno`.execute(db);
      out.push(cols.rows.map((r) => r.name));
    }
    return out;
  }
  const rows = await sql<{
    indexdef: string;
  }>`select indexdef from pg_indexes where tablename = ${table}`.execute(db);
  return rows.rows.map((r) =>
    /\(([^)]*)\)/
      .exec(r.indexdef)![1]!
      .split(',')
      .map((c) => c.trim().replace(/"/g, '')),
  );
}

describe('finding a person', () => {
  it('finds the lead by email in any case, and nothing for an unknown email', async () => {
    const p = person();
    const id = await submit(p);
    expect(await findSubjectByEmail(t.db, t.kernel, p.email.toUpperCase())).toEqual({
      leadIds: [id],
    });
    expect(await findSubjectByEmail(t.db, t.kernel, 'nobody@nowhere.example')).toEqual({
      leadIds: [],
    });
    expect(await findSubjectByEmail(t.db, t.kernel, '  ')).toEqual({ leadIds: [] });
    const empty = await buildAccessReport(t.db, t.kernel, { leadIds: [] }, at);
    expect(empty).toEqual({
      generatedAt: at.toISOString(),
      sections: [],
      consents: [],
      disclosures: [],
    });
  });
});

describe('access report', () => {
  it('holds every field the person gave, opened, with consents and the text shown; no index or hash', async () => {
    const p = person();
    await submit(p, {
      consentMarketing: 'on',
      consentSms: 'on',
      utm_source: 'newsletter',
      utm_campaign: 'spring',
    });
    const subject = await findSubjectByEmail(t.db, t.kernel, p.email);
    const report = await buildAccessReport(t.db, t.kernel, subject, at);

    const lead = report.sections.find((s) => s.table === 'leads')!;
    expect(lead.title).toMatch(/contact details/);
    expect(lead.rows).toHaveLength(1);
    const row = lead.rows[0]!;
    expect(row).toMatchObject({
      name: p.name,
      organization: p.organization,
      address: p.address,
      city: p.city,
      state: p.state,
      zip: p.zip,
      email: p.email,
      phone: e164(p),
      needs: p.needs,
      user_type: 'provider',
      practice_size: '6-20',
    });
    expect(lead.labels?.email).toBe('your email address');
    const submission = report.sections.find((s) => s.table === 'lead_submissions')!;
    expect(submission.rows[0]).toMatchObject({
      email: p.email,
      utm_source: 'newsletter',
      utm_campaign: 'spring',
    });
    expect(report.sections.find((s) => s.table === 'lead_events')!.rows[0]).toMatchObject({
      kind: 'submitted',
    });

    expect(report.consents.map((c) => [c.purpose, c.channel, c.granted])).toEqual([
      ['marketing', 'email', true],
      ['sms_communication', 'sms', true],
    ]);
    expect(report.consents.find((c) => c.channel === 'sms')!.textShown).toContain(
      'Msg & data rates may apply',
    );
    expect(report.consents[0]!.formId).toBe('get-started');

    const text = JSON.stringify(report);
    expect(text).not.toMatch(/enc1\./);
    expect(text).not.toMatch(/_index|hash|lead_id|idempotency/);
    const stored = await t.db
      .selectFrom('leads')
      .select(['email_index', 'phone_index'])
      .where('id', '=', subject.leadIds[0]!)
      .executeTakeFirstOrThrow();
    expect(text).not.toContain(stored.email_index);
    expect(text).not.toContain(stored.phone_index);
  });
});

/**
 * One row about the lead in every linked table the intake does not fill. A link without a
 * fixture fails the test below, so a new table is proven reachable before it ships.
 */
const fixtures: Record<string, (leadId: string, p: Person) => Promise<void>> = {
  leads: async () => {},
  lead_submissions: async () => {},
  lead_events: async () => {},
  consents: async () => {},
  disclosure_subjects: async (leadId) => {
    await addCourtDisclosure(t, {
      leadId,
      at: at.toISOString(),
      court: 'Collin County District Court',
      reference: 'Case 24-118',
      categories: ['contact.name', 'contact.email'],
      actorId: 'officer-1',
    });
  },
  disclosure_authority_subjects: async (leadId) => {
    const recipient = await addRecipient(t, {
      kind: 'third_party',
      name: 'Denton County Court',
      contractRef: null,
    });
    await addAuthority(t, {
      kind: 'legal_process',
      recipientId: recipient,
      reference: 'Subpoena 9',
      leads: [leadId],
    });
  },
  legal_holds: async (leadId) => {
    await t.db
      .insertInto('legal_holds')
      .values({
        id: randomUUID(),
        target_type: 'lead',
        target_id: leadId,
        reason: 'Matter 7',
        placed_by: 'officer-1',
        placed_at: '2026-01-01T00:00:00.000Z',
        released_at: '2026-02-01T00:00:00.000Z',
        released_by: 'officer-1',
      })
      .execute();
  },
  gpc_applications: (leadId) => addGpcApplication(t, leadId, at),
  privacy_requests: async (leadId, p) => {
    const sealed = t.kernel.seal('privacy_requests', { email: p.email });
    await t.db
      .insertInto('privacy_requests')
      .values(
        arrivingRequest({
          id: randomUUID(),
          created_at: at.toISOString(),
          kind: 'access',
          channel: 'web',
          status: 'verified',
          email: sealed.email,
          email_index: t.kernel.index('email', p.email),
          lead_ids: JSON.stringify([leadId]),
          verified_at: at.toISOString(),
          receipt_due_at: at.toISOString(),
          due_at: at.toISOString(),
        }),
      )
      .execute();
  },
  suppressions: async (_leadId, p) => {
    await suppress(t.db, t.kernel, { email: p.email }, 'advertising', at);
  },
};

/** Rows of a linked table that still name the lead. */
async function rowsAbout(table: string, leadId: string, p: Person): Promise<number> {
  const link = linkOf(table);
  if (isLeadLink(link)) {
    const where = [
      sql`${sql.ref(link.column)} = ${leadId}`,
      ...Object.entries(link.where ?? {}).map(([c, v]) => sql`${sql.ref(c)} = ${v}`),
    ];
    const r = await sql<{
      n: number | string;
    }>`select count(*) as n from ${sql.table(table)} where ${sql.join(where, sql` and `)}`.execute(
      t.db,
    );
    return Number(r.rows[0]!.n);
  }
  if (isContactLink(link)) {
    const column = link.contact.email ?? link.contact.phone!;
    const value = link.contact.email
      ? t.kernel.index('email', p.email)
      : t.kernel.index('phone', e164(p));
    const r = await sql<{
      n: number | string;
    }>`select count(*) as n from ${sql.table(table)} where ${sql.ref(column)} = ${value}`.execute(
      t.db,
    );
    return Number(r.rows[0]!.n);
  }
  return 0;
}

/** Every table, every row, sealed values opened: where does anything of the person remain? */
async function traces(p: Person, leadId: string, skip: Set<string>): Promise<string[]> {
  const needles = [p.name, p.organization, p.address, p.email, e164(p), p.needs, leadId];
  const found: string[] = [];
  for (const table of await t.db.introspection.getTables()) {
    if (skip.has(table.name) || table.name.startsWith('kysely_')) continue;
    const rows = await sql<Record<string, unknown>>`select * from ${sql.table(table.name)}`.execute(
      t.db,
    );
    for (const row of rows.rows) {
      const text = JSON.stringify(t.kernel.open(table.name, row));
      for (const n of needles) if (text.includes(n)) found.push(`${table.name}: ${n}`);
    }
  }
  return found;
}

describe('reaching every linked table', () => {
  it('has a fixture for every linked table', () => {
    const linked = Object.entries(subjectLinks)
      .filter(([, l]) => isLeadLink(l) || isContactLink(l))
      .map(([table]) => table);
    expect(linked.filter((table) => !fixtures[table]).sort()).toEqual([]);
  });

  it('reports a row from each linked table, then erases, pseudonymises or keeps each as declared', async () => {
    const p = person();
    const leadId = await submit(p, { consentMarketing: 'on' });
    for (const insert of Object.values(fixtures)) await insert(leadId, p);
    const subject: SubjectRef = { leadIds: [leadId] };

    const report = await buildAccessReport(t.db, t.kernel, subject, at);
    for (const [table, link] of Object.entries(subjectLinks)) {
      if (!isLeadLink(link) && !isContactLink(link)) continue;
      expect(await rowsAbout(table, leadId, p), `fixture row in ${table}`).toBeGreaterThan(0);
      if ('section' in link.report)
        expect(report.sections.find((s) => s.table === table)?.rows.length, table).toBeGreaterThan(
          0,
        );
    }
    expect(report.disclosures).toEqual([
      {
        at: at.toISOString(),
        recipient: 'Collin County District Court',
        basis: expect.stringMatching(/law/),
        purpose: expect.stringMatching(/legal/),
        categories: ['your name', 'your email address'],
      },
    ]);
    expect(report.sections.find((s) => s.table === 'privacy_requests')!.rows[0]).toMatchObject({
      email: p.email,
      kind: 'access',
    });
    expect(
      report.sections.find((s) => s.table === 'suppressions')!.rows.map((r) => r.channel),
    ).toEqual(['advertising']);

    const result = await eraseSubject(t.db, t.kernel, subject, { actor, at });
    expect(result.erased).toBe(true);
    for (const [table, link] of Object.entries(subjectLinks)) {
      if (!isLeadLink(link) && !isContactLink(link)) continue;
      const left = await rowsAbout(table, leadId, p);
      if (link.erase === 'keep') expect(left, table).toBeGreaterThan(0);
      else expect(left, table).toBe(0);
    }
    // The disclosure stays in the ledger with its count; only the person's link went.
    expect(
      await t.db
        .selectFrom('disclosures')
        .select('subject_count')
        .where('reference', '=', 'Case 24-118')
        .executeTakeFirstOrThrow(),
    ).toEqual({ subject_count: 1 });
    // Consent proof stays under a fresh id, the grant ended by the erasure.
    const kept = await t.db
      .selectFrom('consents')
      .selectAll()
      .where('form_id', '=', 'erasure')
      .executeTakeFirstOrThrow();
    const chain = await t.db
      .selectFrom('consents')
      .select(['granted', 'submission_id', 'text_shown'])
      .where('subject_id', '=', kept.subject_id)
      .orderBy('at')
      .execute();
    expect(chain.map((c) => [c.granted, c.submission_id])).toEqual([
      [1, null],
      [0, null],
    ]);
    expect(chain[0]!.text_shown).toMatch(/marketing|email/i);
  });
  it('retention ends an expired lead the same way: every linked table, as declared', async () => {
    const p = person();
    const leadId = await submit(p, { consentMarketing: 'on' });
    for (const insert of Object.values(fixtures)) await insert(leadId, p);
    // Two years and a day without activity, and not a client: due under the lead rule.
    await t.db
      .updateTable('leads')
      .set({ last_activity_at: '2024-11-30T10:00:00.000Z' })
      .where('id', '=', leadId)
      .execute();

    const purged = await leadPurger.purgeChunk(t.db, at, 1000);
    expect(purged.records).toBeGreaterThanOrEqual(1);
    for (const [table, link] of Object.entries(subjectLinks)) {
      if (!isLeadLink(link)) continue;
      const left = await rowsAbout(table, leadId, p);
      if (link.erase === 'keep') expect(left, table).toBeGreaterThan(0);
      else expect(left, table).toBe(0);
    }
    expect(
      await traces(
        p,
        leadId,
        new Set(['audit_log', 'privacy_requests', 'suppressions', 'legal_holds']),
      ),
    ).toEqual([]);
  });
});

describe('erasure', () => {
  it('removes the person from every table, keeps their opt-outs, and audits counts only', async () => {
    const p = person();
    // A number is given only with consent to texts; a returning visit brings another one.
    const leadId = await submit(p, { consentMarketing: 'on', consentSms: 'on' });
    const second = { ...p, phone: '(972) 555-0177' };
    await submit(second, { consentSms: 'on' });
    expect(await t.leadIdByEmail(p.email)).toBe(leadId);
    const subject = await findSubjectByEmail(t.db, t.kernel, p.email);

    const result = await eraseSubject(t.db, t.kernel, subject, { actor, at });
    expect(result).toMatchObject({
      erased: true,
      counts: { leads: 1, lead_submissions: 2, lead_events: 2, consents_ended: 2 },
    });

    // Nothing of the person is left, sealed or plain, outside the append-only audit log (ids only)
    // and the tables that keep on purpose (opt-outs by keyed hash, holds and request logs by id).
    expect(await traces(p, leadId, new Set(['audit_log']))).toEqual([]);
    expect(await traces(second, leadId, new Set(['audit_log']))).toEqual([]);

    // SMS and marketing were granted, so erasure adds no opt-out for them (consent was the choice).
    expect(await isSuppressed(t.db, t.kernel, { phone: p.phone }, 'sms')).toBe(false);
    expect(await isSuppressed(t.db, t.kernel, { phone: '972-555-0177' }, 'sms')).toBe(false);
    expect(await isSuppressed(t.db, t.kernel, { email: p.email }, 'email_marketing')).toBe(false);

    const audit = await t.db
      .selectFrom('audit_log')
      .select(['action', 'actor_id', 'target_type', 'detail'])
      .where('target_id', '=', leadId)
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: 'deletion',
      actor_id: 'officer-1',
      target_type: 'lead',
    });
    const detail = JSON.parse(audit[0]!.detail!) as Record<string, unknown>;
    expect(Object.values(detail).every((v) => typeof v === 'number')).toBe(true);
    expect(detail.leads).toBe(1);

    // Erasing again finds nothing to erase.
    expect(await findSubjectByEmail(t.db, t.kernel, p.email)).toEqual({ leadIds: [] });
    expect(await eraseSubject(t.db, t.kernel, { leadIds: [] }, { actor, at })).toEqual({
      erased: true,
      counts: {},
    });
  });

  it('keeps a withdrawal and an existing opt-out as suppressions', async () => {
    const p = person();
    const leadId = await submit(p, { consentMarketing: 'on', consentSms: 'on' });
    await t.db
      .insertInto('consents')
      .values({
        id: randomUUID(),
        subject_type: 'lead',
        subject_id: leadId,
        purpose: 'marketing',
        channel: 'email',
        granted: 0,
        at: new Date(t.clock.now().getTime() + 60_000).toISOString(),
        form_id: 'unsubscribe',
        form_version: '1',
        text_shown: 'Unsubscribe',
        submission_id: null,
      })
      .execute();
    await suppress(t.db, t.kernel, { email: p.email }, 'sensitive_limit', at);
    expect(await eraseSubject(t.db, t.kernel, { leadIds: [leadId] }, { actor, at })).toMatchObject({
      erased: true,
      counts: { suppressions_added: 1, consents_ended: 1 },
    });
    expect(
      await isSuppressed(t.db, t.kernel, { email: p.email.toUpperCase() }, 'email_marketing'),
    ).toBe(true);
    expect(await isSuppressed(t.db, t.kernel, { email: p.email }, 'sensitive_limit')).toBe(true);
    expect(await isSuppressed(t.db, t.kernel, { phone: p.phone }, 'sms')).toBe(false);
  });

  it('is refused under an active legal hold, with the reason, and changes nothing', async () => {
    const p = person();
    const leadId = await submit(p);
    const hold = randomUUID();
    await t.db
      .insertInto('legal_holds')
      .values({
        id: hold,
        target_type: 'lead',
        target_id: leadId,
        reason: 'Matter 12',
        placed_by: 'officer-1',
        placed_at: '2026-11-02T09:00:00.000Z',
        released_at: null,
        released_by: null,
      })
      .execute();
    const refused = await eraseSubject(t.db, t.kernel, { leadIds: [leadId] }, { actor, at });
    expect(refused).toEqual({
      erased: false,
      reason: expect.stringMatching(/legal hold placed on 2026-11-02/),
    });
    expect(await findSubjectByEmail(t.db, t.kernel, p.email)).toEqual({ leadIds: [leadId] });
    expect(await isSuppressed(t.db, t.kernel, { phone: p.phone }, 'sms')).toBe(false);
    expect(
      await t.db
        .selectFrom('audit_log')
        .select('seq')
        .where('target_id', '=', leadId)
        .where('action', '=', 'deletion')
        .execute(),
    ).toEqual([]);

    await t.db
      .updateTable('legal_holds')
      .set({ released_at: at.toISOString(), released_by: 'officer-1' })
      .where('id', '=', hold)
      .execute();
    expect(await eraseSubject(t.db, t.kernel, { leadIds: [leadId] }, { actor, at })).toMatchObject({
      erased: true,
    });
  });
});

describe('suppression list', () => {
  it('matches an address however it is written, per channel, and is safe to repeat', async () => {
    await suppress(
      t.db,
      t.kernel,
      { email: 'Casey@Example.org', phone: '(214) 555-0199' },
      'sms',
      at,
    );
    await suppress(t.db, t.kernel, { email: 'casey@example.org' }, 'sms', at);
    expect(await isSuppressed(t.db, t.kernel, { email: ' casey@example.ORG ' }, 'sms')).toBe(true);
    expect(await isSuppressed(t.db, t.kernel, { phone: '+1 214 555 0199' }, 'sms')).toBe(true);
    expect(await isSuppressed(t.db, t.kernel, { email: 'casey@example.org' }, 'advertising')).toBe(
      false,
    );
    expect(await isSuppressed(t.db, t.kernel, {}, 'sms')).toBe(false);
    const rows = await t.db
      .selectFrom('suppressions')
      .select(['email_index', 'phone_index'])
      .where('channel', '=', 'sms')
      .where('email_index', '=', t.kernel.index('email', 'casey@example.org'))
      .execute();
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(await t.db.selectFrom('suppressions').selectAll().execute())).not.toMatch(
      /casey@|2145550199/i,
    );
  });
});
