import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arrivingRequest } from './repository.js';
import { dueAt } from '../retention/period.js';
import { createTestApp, type TestApp } from '../test-support/app.js';
import { monthsBefore } from '../test-support/retention.js';
import { privacyRequestPurger } from './purger.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const now = new Date('2026-11-28T12:00:00.000Z');
const request = (id: string, closed: Date | null) => {
  const received = monthsBefore(now, 30).toISOString();
  return arrivingRequest({
    id,
    created_at: received,
    kind: 'access',
    channel: 'web',
    status: closed ? 'completed' : 'verified',
    email: null,
    email_index: null,
    lead_ids: '[]',
    receipt_due_at: received,
    due_at: received,
    closed_at: closed?.toISOString() ?? null,
  });
};

describe('the privacy request log', () => {
  it('keeps the new, removes the old: 24 months after closing, never while open', async () => {
    const recent = monthsBefore(now, 23);
    await t.db
      .insertInto('privacy_requests')
      .values([
        request('closed-25', monthsBefore(now, 25)),
        request('closed-23', recent),
        request('open', null),
      ])
      .execute();

    expect(await privacyRequestPurger.count(t.db, now)).toEqual({ records: 1 });
    expect(await privacyRequestPurger.nextDue(t.db, now)).toEqual(dueAt(recent, { months: 24 }));
    expect(await privacyRequestPurger.purgeChunk(t.db, now, 10)).toEqual({ records: 1 });
    expect(await privacyRequestPurger.purgeChunk(t.db, now, 10)).toEqual({ records: 0 });

    const left = await t.db.selectFrom('privacy_requests').select('id').orderBy('id').execute();
    expect(left.map((r) => r.id)).toEqual(['closed-23', 'open']);
  });
});
