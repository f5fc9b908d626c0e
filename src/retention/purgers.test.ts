import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TestClock, type TestApp } from '../test-support/app.js';
import {
  daysBefore,
  exists,
  insertConsent,
  insertLead,
  monthsBefore,
} from '../test-support/retention.js';
import { CONSENT_END_FORM } from './purgers/leads.js';

let t: TestApp;
const clock = new TestClock();
let staffId: string;

beforeAll(async () => {
  t = await createTestApp({ clock });
  const staff = await t.app.accounts.createStaffUser({
    email: 'privacy@example.test',
    password: 'correct horse battery staple',
    role: 'privacy',
  });
  staffId = staff.id;
});
afterAll(async () => t.close());

const run = async (dryRun = false) => {
  const outcome = await t.app.retention.runner.run({ trigger: 'cli', dryRun });
  if (outcome.status !== 'done') throw new Error('retention run did not start');
  return outcome.report;
};
const now = () => clock.now();
const hold = async (leadId: string) => {
  const id = randomUUID();
  await t.db
    .insertInto('legal_holds')
    .values({
      id,
      target_type: 'lead',
      target_id: leadId,
      reason: 'Case 24-cv-001',
      placed_by: staffId,
      placed_at: now().toISOString(),
      released_at: null,
      released_by: null,
    })
    .execute();
  return id;
};
const release = (holdId: string) =>
  t.db
    .updateTable('legal_holds')
    .set({ released_at: now().toISOString(), released_by: staffId })
    .where('id', '=', holdId)
    .execute();
const related = (table: 'lead_submissions' | 'lead_events', leadId: string) =>
  t.db.selectFrom(table).select('lead_id').where('lead_id', '=', leadId).execute();
const outboxFor = (leadId: string) =>
  t.db.selectFrom('outbox').select('id').where('payload', 'like', `%${leadId}%`).execute();

describe('lead purger', () => {
  it('keeps the new, removes the old: unconverted leads 24 months after last activity', async () => {
    const old = await insertLead(t.db, t.kernel, monthsBefore(now(), 25));
    const won = await insertLead(t.db, t.kernel, monthsBefore(now(), 30), 'won');
    const recent = await insertLead(t.db, t.kernel, monthsBefore(now(), 23));

    await run();

    expect(await exists(t.db, 'leads', old)).toBe(false);
    expect(await related('lead_submissions', old)).toEqual([]);
    expect(await related('lead_events', old)).toEqual([]);
    expect(await outboxFor(old)).toEqual([]);
    for (const kept of [won, recent]) {
      expect(await exists(t.db, 'leads', kept)).toBe(true);
      expect(await related('lead_submissions', kept)).toHaveLength(1);
      expect(await related('lead_events', kept)).toHaveLength(1);
    }
  });

  it('skips a held lead with everything of it, and deletes it once the hold is released', async () => {
    const held = await insertLead(t.db, t.kernel, monthsBefore(now(), 40));
    const consent = await insertConsent(t.db, held, 0, monthsBefore(now(), 70));
    const holdId = await hold(held);

    const first = await run();
    expect(await exists(t.db, 'leads', held)).toBe(true);
    expect(await related('lead_submissions', held)).toHaveLength(1);
    expect(await related('lead_events', held)).toHaveLength(1);
    expect(await exists(t.db, 'consents', consent)).toBe(true);
    expect(first.results.find((r) => r.key === 'lead')!.records).toBe(0);

    await release(holdId);
    await run();
    expect(await exists(t.db, 'leads', held)).toBe(false);
    expect(await related('lead_submissions', held)).toEqual([]);
    expect(await exists(t.db, 'consents', consent)).toBe(false);
  });

  it('ends a consent still granted, and keeps its proof five years from the deletion', async () => {
    const lead = await insertLead(t.db, t.kernel, monthsBefore(now(), 26));
    const grant = await insertConsent(t.db, lead, 1, monthsBefore(now(), 26), 'sms_communication');

    const report = await run();
    expect(report.results.find((r) => r.key === 'lead')!.related).toMatchObject({
      consents_ended: 1,
    });
    expect(await exists(t.db, 'leads', lead)).toBe(false);
    // The proof stays, but tied to a fresh id: nothing left names the deleted lead.
    expect(
      await t.db.selectFrom('consents').select('id').where('subject_id', '=', lead).execute(),
    ).toEqual([]);
    const { subject_id: pseudonym } = await t.db
      .selectFrom('consents')
      .select('subject_id')
      .where('id', '=', grant)
      .executeTakeFirstOrThrow();
    const chain = await t.db
      .selectFrom('consents')
      .select(['id', 'granted', 'at', 'form_id'])
      .where('subject_id', '=', pseudonym)
      .orderBy('at')
      .execute();
    expect(chain).toEqual([
      expect.objectContaining({ id: grant, granted: 1 }),
      { id: expect.any(String), granted: 0, at: now().toISOString(), form_id: CONSENT_END_FORM },
    ]);

    // Four years on the proof is still there; past five years it goes.
    clock.advance(4 * 365 * 86_400_000);
    await run();
    expect(await exists(t.db, 'consents', grant)).toBe(true);
    clock.advance(366 * 86_400_000 + 86_400_000);
    await run();
    expect(await exists(t.db, 'consents', grant)).toBe(false);
    expect(await exists(t.db, 'consents', chain[1]!.id)).toBe(false);
  });
});

describe('consent purger', () => {
  it('keeps the new, removes the old: records 5 years after the withdrawal that ended them', async () => {
    const lead = await insertLead(t.db, t.kernel, daysBefore(now(), 10));
    const oldGrant = await insertConsent(t.db, lead, 1, monthsBefore(now(), 80));
    const oldWithdrawal = await insertConsent(t.db, lead, 0, monthsBefore(now(), 61));
    const regrant = await insertConsent(t.db, lead, 1, monthsBefore(now(), 12));
    const smsGrant = await insertConsent(
      t.db,
      lead,
      1,
      monthsBefore(now(), 80),
      'sms_communication',
    );
    const smsWithdrawal = await insertConsent(
      t.db,
      lead,
      0,
      monthsBefore(now(), 59),
      'sms_communication',
    );

    await run();

    expect(await exists(t.db, 'consents', oldGrant)).toBe(false);
    expect(await exists(t.db, 'consents', oldWithdrawal)).toBe(false);
    // A grant given again after the old withdrawal is current: it stays.
    expect(await exists(t.db, 'consents', regrant)).toBe(true);
    // Withdrawn under five years ago: still proof.
    expect(await exists(t.db, 'consents', smsGrant)).toBe(true);
    expect(await exists(t.db, 'consents', smsWithdrawal)).toBe(true);
  });

  it('never deletes a grant that was not withdrawn, however old', async () => {
    const lead = await insertLead(t.db, t.kernel, daysBefore(now(), 1));
    const grant = await insertConsent(t.db, lead, 1, monthsBefore(now(), 120));
    await run();
    expect(await exists(t.db, 'consents', grant)).toBe(true);
  });
});

describe('sessions, setup tokens and sent mail', () => {
  it('keeps the new, removes the old', async () => {
    const at = (ms: number) => new Date(now().getTime() + ms).toISOString();
    const session = (id: string, lastSeen: number, expires: number) => ({
      id_hash: id,
      user_id: staffId,
      created_at: at(-60_000),
      last_seen_at: at(lastSeen),
      expires_at: at(expires),
    });
    await t.db
      .insertInto('sessions')
      .values([
        session('live', -60_000, 3_600_000),
        session('expired', -60_000, -1),
        session('idle', -31 * 60_000, 3_600_000),
      ])
      .execute();
    const token = (hash: string, expires: number, used: number | null) => ({
      token_hash: hash,
      created_at: at(-60_000),
      expires_at: at(expires),
      used_at: used === null ? null : at(used),
    });
    await t.db
      .insertInto('setup_tokens')
      .values([
        token('fresh', 3_600_000, null),
        token('used', 3_600_000, -1000),
        token('old', -1, null),
      ])
      .execute();
    const job = (id: string, sentDaysAgo: number | null) => ({
      id,
      created_at: daysBefore(now(), 40).toISOString(),
      kind: 'lead_notification' as const,
      payload: '{}',
      attempts: 0,
      next_attempt_at: daysBefore(now(), 40).toISOString(),
      sent_at: sentDaysAgo === null ? null : daysBefore(now(), sentDaysAgo).toISOString(),
      last_error: null,
    });
    await t.db
      .insertInto('outbox')
      .values([job('sent-31', 31), job('sent-29', 29), job('unsent', null)])
      .execute();

    await run();

    const sessions = await t.db.selectFrom('sessions').select('id_hash').execute();
    expect(sessions.map((s) => s.id_hash)).toEqual(['live']);
    const tokens = await t.db.selectFrom('setup_tokens').select('token_hash').execute();
    expect(tokens.map((s) => s.token_hash)).toEqual(['fresh']);
    expect(await exists(t.db, 'outbox', 'sent-31')).toBe(false);
    expect(await exists(t.db, 'outbox', 'sent-29')).toBe(true);
    expect(await exists(t.db, 'outbox', 'unsent')).toBe(true);
  });
});

describe('failed sign-in counters', () => {
  it('keeps the new, removes the old: an hour after their window opened', async () => {
    const row = (account: string, minutesAgo: number) => ({
      account_key: account,
      source_key: '*',
      failures: 3,
      window_started_at: new Date(now().getTime() - minutesAgo * 60_000).toISOString(),
      notified_at: null,
    });
    await t.db
      .insertInto('login_failures')
      .values([row('recent', 10), row('hour-old', 61)])
      .execute();
    await run();
    const left = await t.db.selectFrom('login_failures').select('account_key').execute();
    expect(left.map((r) => r.account_key)).toEqual(['recent']);
  });
});
