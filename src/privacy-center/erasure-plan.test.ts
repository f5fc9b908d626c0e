import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appWithMail, askFor, linkIn, settle, submitLead, lastMailTo } from './testing.js';
import { TestClock, type TestApp } from '../test-support/app.js';
import type { SmtpPeer } from '../test-support/smtp.js';
import { getAs, postForm, staffJar, type Jar } from '../test-support/staff.js';
import { visibleText } from '../pages/testing.js';

// Deleting a person shows the privacy officer what will be deleted, pseudonymised and kept
// (with the reason) before they confirm, and a legal hold is shown as the reason nothing can go.

const clock = new TestClock(new Date('2026-12-01T15:00:00.000Z'));
let smtp: SmtpPeer;
let t: TestApp;
let close: () => Promise<void>;
let officer: Jar;

beforeAll(async () => {
  ({ t, smtp, close } = await appWithMail(clock));
  officer = await staffJar(t, 'privacy');
});
afterAll(() => close());

let phones = 0;
async function deletionRequest(email: string) {
  const leadId = await submitLead(t, email, `(713) 555-02${String(++phones).padStart(2, '0')}`);
  await askFor(t, { email, kind: 'deletion' });
  await settle(t, smtp);
  const link = linkIn(lastMailTo(smtp, email).raw);
  expect((await t.app.inject({ method: 'POST', url: link })).statusCode).toBe(303);
  const { id } = await t.db
    .selectFrom('privacy_requests')
    .select('id')
    .where('lead_ids', 'like', `%${leadId}%`)
    .executeTakeFirstOrThrow();
  return { leadId, id };
}

const planOf = (html: string) => {
  const start = html.indexOf('id="plan-h"');
  return start < 0 ? null : visibleText(html.slice(start, html.indexOf('</section>', start)));
};
const leadExists = async (id: string) =>
  !!(await t.db.selectFrom('leads').select('id').where('id', '=', id).executeTakeFirst());

describe('a deletion request, before the officer confirms', () => {
  it('lists what is deleted, what is kept without a name, and what is kept and why', async () => {
    const { leadId, id } = await deletionRequest('dee@clinic.example');
    const plan = planOf((await getAs(t, officer, `/console/privacy/${id}`)).body);
    expect(plan).toMatch(/Your contact details and request 1 Deleted/);
    expect(plan).toMatch(/Each form you sent us, with how you found us 1 Deleted/);
    expect(plan).toMatch(/Consent records \d+ Kept without anything that names the person proof/);
    expect(plan).toMatch(
      /Your privacy requests and our answers 1 Kept the request log is kept 24 months/,
    );
    expect(plan).toContain('suppression list');
    // Looking changed nothing; nor does the button without the box ticked (asked once more).
    expect(await leadExists(leadId)).toBe(true);
    const page = (await getAs(t, officer, `/console/privacy/${id}`)).body;
    expect(page).toContain('name="confirm" value="yes" required');
    const unticked = await postForm(t, officer, `/console/privacy/${id}/delete`);
    expect(unticked.statusCode).toBe(400);
    expect(visibleText(unticked.body)).toContain('Tick the box to confirm: this cannot be undone.');
    expect(await leadExists(leadId)).toBe(true);
    const done = await postForm(t, officer, `/console/privacy/${id}/delete`, { confirm: 'yes' });
    expect(done.statusCode).toBe(303);
    expect(await leadExists(leadId)).toBe(false);
  });

  it('shows a legal hold as the reason nothing can be deleted, and offers no deletion', async () => {
    const { leadId, id } = await deletionRequest('hal@clinic.example');
    await t.db
      .insertInto('legal_holds')
      .values({
        id: randomUUID(),
        target_type: 'lead',
        target_id: leadId,
        reason: 'Matter 12',
        placed_by: 'officer',
        placed_at: clock.now().toISOString(),
        released_at: null,
        released_by: null,
      })
      .execute();
    const page = (await getAs(t, officer, `/console/privacy/${id}`)).body;
    expect(planOf(page)).toContain('A legal hold placed on 2026-12-01');
    expect(page).toMatch(/<button[^>]*disabled[^>]*>\s*Delete as shown above/);
  });

  it('is not shown to an officer for any other kind of request', async () => {
    await submitLead(t, 'acc@clinic.example', '(713) 555-0299');
    await askFor(t, { email: 'acc@clinic.example', kind: 'access' });
    const { id } = await t.db
      .selectFrom('privacy_requests')
      .select('id')
      .where('kind', '=', 'access')
      .executeTakeFirstOrThrow();
    expect(planOf((await getAs(t, officer, `/console/privacy/${id}`)).body)).toBeNull();
  });
});
