import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserType } from './schema.js';
import { freshDatabase, testKernel } from '../test-support/app.js';
import { leadValues, submissionRow } from '../test-support/retention.js';
import type { Db } from './database.js';
import { migrateToLatest } from './migrate.js';
import * as m0032 from './migrations/0032_answers_no_longer_asked.js';

// Migration 0032 against leads written when the form asked everyone everything: a patient's
// address, city, state, ZIP and practice size, and a partner's street address and ZIP, are
// cleared; what each type is still asked stays, and providers are untouched.

const kernel = testKernel();
let fresh: Awaited<ReturnType<typeof freshDatabase>>;
let db: Db;
const at = '2026-06-10T09:00:00.000Z';

const oldAnswers = {
  organization: 'Elm Clinic',
  practice_size: '2-5',
  address: '9 Elm Street',
  city: 'Dallas',
  state: 'TX',
  zip: '75201',
};

async function seed(type: UserType) {
  const id = randomUUID();
  const email = `${id}@mail.example`;
  const plain = { user_type: type, name: 'Pat', ...oldAnswers, email, needs: 'x' };
  await db
    .insertInto('leads')
    .values({
      ...kernel.seal('leads', leadValues(id, at, plain)),
      email_index: kernel.index('email', email),
    })
    .execute();
  await db
    .insertInto('lead_submissions')
    .values(
      kernel.seal(
        'lead_submissions',
        submissionRow(id, at, { ...plain, form_id: 'get-started', form_version: '2026-11-28' }),
      ),
    )
    .execute();
  return id;
}

const answers = async (leadId: string) => {
  const cols = ['organization', 'practice_size', 'address', 'city', 'state', 'zip'] as const;
  const lead = await db
    .selectFrom('leads')
    .select(cols)
    .where('id', '=', leadId)
    .executeTakeFirstOrThrow();
  const sub = await db
    .selectFrom('lead_submissions')
    .select(cols)
    .where('lead_id', '=', leadId)
    .executeTakeFirstOrThrow();
  return {
    lead: kernel.open('leads', lead),
    submission: kernel.open('lead_submissions', sub),
  };
};

const entries = () =>
  db
    .selectFrom('audit_log')
    .select(['actor_id', 'detail'])
    .where('target_type', '=', 'intake_answers')
    .execute();

let patient: string;
let partner: string;
let provider: string;

beforeAll(async () => {
  fresh = await freshDatabase('0028_tag_vendors_and_audit_purges');
  db = fresh.db;
  patient = await seed('patient');
  partner = await seed('partner');
  provider = await seed('provider');
  await migrateToLatest(db);
});
afterAll(async () => fresh.drop());

describe('answers the form no longer asks are cleared once (migration 0032)', () => {
  it('a patient keeps only the practice named on the bill', async () => {
    const expected = {
      organization: 'Elm Clinic',
      practice_size: '',
      address: '',
      city: '',
      state: '',
      zip: '',
    };
    expect(await answers(patient)).toEqual({ lead: expected, submission: expected });
  });

  it('a partner loses the street address and ZIP, keeps the practice they refer', async () => {
    const expected = { ...oldAnswers, address: '', zip: '' };
    expect(await answers(partner)).toEqual({ lead: expected, submission: expected });
  });

  it('a provider is untouched', async () => {
    expect(await answers(provider)).toEqual({ lead: oldAnswers, submission: oldAnswers });
  });

  it('records counts in the audit log, no answers, and runs again without change', async () => {
    const rows = await entries();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.actor_id).toBe('migration 0032');
    expect(JSON.parse(rows[0]!.detail!)).toMatchObject({
      patient_leads: 1,
      patient_submissions: 1,
      partner_leads: 1,
      partner_submissions: 1,
    });
    expect(rows[0]!.detail).not.toMatch(/Elm|Dallas|75201/);
    const snapshot = [await answers(patient), await answers(partner), await answers(provider)];
    await m0032.up(db as never);
    expect([await answers(patient), await answers(partner), await answers(provider)]).toEqual(
      snapshot,
    );
    expect(await entries()).toHaveLength(1);
  });
});
