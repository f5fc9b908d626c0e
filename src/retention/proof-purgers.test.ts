import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TestClock, type TestApp } from '../test-support/app.js';
import { exists, insertLead, monthsBefore } from '../test-support/retention.js';
import { addGpcApplication } from '../privacy-center/testing.js';
import { CLOSED_ACCOUNT_DOMAIN, closedStaffPurger } from './purgers/staff-accounts.js';

// Clause: "We will not retain your information longer than necessary": won leads, proof tables
// and closed staff accounts each leave when their stated period ends, and a legal hold stops it.

let t: TestApp;
const clock = new TestClock();
let staffId: string;

beforeAll(async () => {
  t = await createTestApp({ clock });
  staffId = (
    await t.app.accounts.createStaffUser({
      email: 'privacy@example.test',
      password: 'correct horse battery staple',
      role: 'privacy',
    })
  ).id;
});
afterAll(async () => t.close());

const now = () => clock.now();
const run = async () => {
  const outcome = await t.app.retention.runner.run({ trigger: 'cli', dryRun: false });
  if (outcome.status !== 'done') throw new Error('retention run did not start');
  return outcome.report;
};
const hold = (leadId: string) =>
  t.db
    .insertInto('legal_holds')
    .values({
      id: randomUUID(),
      target_type: 'lead',
      target_id: leadId,
      reason: 'Case 24-cv-002',
      placed_by: staffId,
      placed_at: now().toISOString(),
      released_at: null,
      released_by: null,
    })
    .execute();

const gpcRecord = (at: Date, leadId: string) => addGpcApplication(t, leadId, at);
const gpcFor = (leadId: string) =>
  t.db.selectFrom('gpc_applications').select('id').where('subject_id', '=', leadId).execute();

async function cookieChoice(at: Date): Promise<string> {
  const consentId = randomUUID();
  await t.db
    .insertInto('cookie_consents')
    .values({
      consent_id: consentId,
      at: at.toISOString(),
      day: at.toISOString().slice(0, 10),
      subject_kind: 'browser',
      subject_id: null,
      analytics: 1,
      advertising: 0,
      source: 'banner',
      gpc: 0,
      policy_version: '1.4',
      banner_version: '1',
      ua_class: 'Chrome desktop',
    })
    .execute();
  return consentId;
}
const choiceKept = async (consentId: string) =>
  (
    await t.db
      .selectFrom('cookie_consents')
      .select('id')
      .where('consent_id', '=', consentId)
      .execute()
  ).length === 1;

describe('won leads', () => {
  it('keeps the new, removes the old: a won lead 6 years after the last contact', async () => {
    const old = await insertLead(t.db, t.kernel, monthsBefore(now(), 73), 'won');
    const recent = await insertLead(t.db, t.kernel, monthsBefore(now(), 71), 'won');
    const held = await insertLead(t.db, t.kernel, monthsBefore(now(), 80), 'won');
    await hold(held);
    await run();
    expect(await exists(t.db, 'leads', old)).toBe(false);
    expect(await exists(t.db, 'leads', recent)).toBe(true);
    expect(await exists(t.db, 'leads', held)).toBe(true);
  });
});

describe('proof that Global Privacy Control was honoured', () => {
  it('keeps the new, removes the old: 5 years after it was recorded, unless a hold covers the lead', async () => {
    const [oldLead, newLead, heldLead] = [randomUUID(), randomUUID(), randomUUID()];
    await gpcRecord(monthsBefore(now(), 61), oldLead);
    await gpcRecord(monthsBefore(now(), 59), newLead);
    await gpcRecord(monthsBefore(now(), 61), heldLead);
    await hold(heldLead);
    await run();
    expect(await gpcFor(oldLead)).toEqual([]);
    expect(await gpcFor(newLead)).toHaveLength(1);
    expect(await gpcFor(heldLead)).toHaveLength(1);
  });
});

describe('records of cookie choices', () => {
  it('keeps the new, removes the old: 5 years after the choice', async () => {
    const old = await cookieChoice(monthsBefore(now(), 61));
    const recent = await cookieChoice(monthsBefore(now(), 59));
    await run();
    expect(await choiceKept(old)).toBe(false);
    expect(await choiceKept(recent)).toBe(true);
  });
});

describe('closed staff accounts', () => {
  const account = async (email: string, disabledAt: Date | null) => {
    const user = await t.app.accounts.createStaffUser({
      email,
      password: 'correct horse battery staple',
      role: 'sales',
    });
    await t.db
      .updateTable('staff_users')
      .set({ disabled_at: disabledAt?.toISOString() ?? null })
      .where('id', '=', user.id)
      .execute();
    return user.id;
  };
  const row = (id: string) =>
    t.db
      .selectFrom('staff_users')
      .select(['email', 'password_hash'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();

  it('keeps the new, anonymises the old: address and password gone 6 years after closing, the id kept', async () => {
    const old = await account('left-long-ago@example.test', monthsBefore(now(), 73));
    const recent = await account('left-lately@example.test', monthsBefore(now(), 71));
    const active = await account('still-here@example.test', null);
    await run();
    expect(await row(old)).toEqual({ email: `${old}@${CLOSED_ACCOUNT_DOMAIN}`, password_hash: '' });
    expect((await row(recent)).email).toBe('left-lately@example.test');
    expect((await row(active)).email).toBe('still-here@example.test');
    // Safe to run twice: an anonymised account is not due again.
    expect(await closedStaffPurger.count(t.db, now())).toEqual({ records: 0 });
  });
});
