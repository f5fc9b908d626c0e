import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, testKernel } from '../test-support/app.js';
import { insertConsent, leadValues, submissionRow } from '../test-support/retention.js';
import type { Db } from './database.js';
import type { ConsentsTable } from './schema.js';
import { migrateToLatest } from './migrate.js';
import * as m0027 from './migrations/0027_phone_without_sms_consent.js';

// Migration 0027 against rows in the shape intake wrote before it refused a number without
// consent to texts: plain numbers from before encryption, sealed numbers, sealed empty fields.

const kernel = testKernel();
let fresh: Awaited<ReturnType<typeof freshDatabase>>;
let db: Db;
const at = '2026-01-10T09:00:00.000Z';

async function seedLead(
  phone: string,
  consents: { purpose: ConsentsTable['purpose']; granted: 0 | 1 }[],
) {
  const id = randomUUID();
  const answers = {
    name: 'Pat',
    organization: 'Elm Clinic',
    address: '9 Elm Street',
    city: 'Dallas',
    zip: '75201',
    email: `${id}@clinic.example`,
    phone,
  };
  await db
    .insertInto('leads')
    .values(
      leadValues(id, at, {
        ...answers,
        email_index: kernel.index('email', answers.email),
        phone_index: phone ? kernel.index('phone', '2145550101') : null,
      }),
    )
    .execute();
  const submission = randomUUID();
  await db
    .insertInto('lead_submissions')
    .values(submissionRow(id, at, { id: submission, ...answers }))
    .execute();
  for (const c of consents)
    await insertConsent(db, id, c.granted, new Date(at), c.purpose, submission);
  return { id, submission };
}

const sealedPhone = (v: string) => kernel.seal('leads', { phone: v }).phone;

const phones = async (lead: string) => ({
  lead: await db
    .selectFrom('leads')
    .select(['phone', 'phone_index'])
    .where('id', '=', lead)
    .executeTakeFirstOrThrow(),
  submissions: (
    await db.selectFrom('lead_submissions').select('phone').where('lead_id', '=', lead).execute()
  ).map((r) => r.phone),
});

const cleanups = () =>
  db
    .selectFrom('audit_log')
    .select(['actor_kind', 'actor_id', 'target_type', 'detail'])
    .where('action', '=', 'deletion')
    .where('target_type', '=', 'phone_numbers')
    .execute();

let plain: Awaited<ReturnType<typeof seedLead>>;
let consented: Awaited<ReturnType<typeof seedLead>>;
let marketingOnly: Awaited<ReturnType<typeof seedLead>>;
let noNumber: Awaited<ReturnType<typeof seedLead>>;
let before: Record<string, Awaited<ReturnType<typeof phones>>>;

beforeAll(async () => {
  fresh = await freshDatabase('0026_disclosure_evidence');
  db = fresh.db;
  plain = await seedLead('(214) 555-0101', []);
  consented = await seedLead(sealedPhone('(214) 555-0102'), [
    { purpose: 'sms_communication', granted: 1 },
  ]);
  marketingOnly = await seedLead(sealedPhone('214-555-0103'), [
    { purpose: 'marketing', granted: 1 },
  ]);
  noNumber = await seedLead(sealedPhone(''), []);
  before = {
    consented: await phones(consented.id),
    noNumber: await phones(noNumber.id),
  };
  await migrateToLatest(db);
});
afterAll(async () => fresh.drop());

describe('"The SMS and phone numbers provided will be used solely for SMS communication": numbers stored without consent to texts are cleared once (migration 0027)', () => {
  it('clears the number, its ciphertext and its index wherever no SMS consent is on record', async () => {
    for (const lead of [plain.id, marketingOnly.id]) {
      const after = await phones(lead);
      expect(after.lead).toEqual({ phone: '', phone_index: null });
      expect(after.submissions).toEqual(['']);
    }
  });

  it('keeps the number of a person who consented to texts, and leaves a field with no number as it was', async () => {
    expect(await phones(consented.id)).toEqual(before.consented);
    expect(kernel.open('leads', (await phones(consented.id)).lead).phone).toBe('(214) 555-0102');
    expect(await phones(noNumber.id)).toEqual(before.noNumber);
  });

  it('records how many it cleared in the audit log, and no number', async () => {
    const rows = await cleanups();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor_kind: 'system', actor_id: 'migration 0027' });
    expect(JSON.parse(rows[0]!.detail!)).toMatchObject({ leads: 2, submissions: 2 });
    expect(rows[0]!.detail).not.toMatch(/555|214/);
  });

  it('is idempotent: run again, it changes nothing and records nothing', async () => {
    const snapshot = {
      consented: await phones(consented.id),
      plain: await phones(plain.id),
      noNumber: await phones(noNumber.id),
    };
    await m0027.up(db as never);
    expect({
      consented: await phones(consented.id),
      plain: await phones(plain.id),
      noNumber: await phones(noNumber.id),
    }).toEqual(snapshot);
    expect(await cleanups()).toHaveLength(1);
  });
});
