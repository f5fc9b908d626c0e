import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { visibleText } from '../pages/testing.js';
import { TestClock, cookieHeader, createTestApp, type TestApp } from '../test-support/app.js';
import { getAs, postForm, roleEmail, staffSessions } from '../test-support/staff.js';
import { daysBefore, insertLead, monthsBefore } from '../test-support/retention.js';

const clock = new TestClock();
let t: TestApp;
const roles = ['admin', 'sales', 'marketing', 'privacy'] as const;
type Role = (typeof roles)[number];
let staff: Awaited<ReturnType<typeof staffSessions>>;

beforeAll(async () => {
  t = await createTestApp({ clock });
  staff = await staffSessions(t, roles, { email: roleEmail });
});
afterAll(async () => t.close());

const get = (url: string, role: Role) => getAs(t, staff[role]!.jar, url);

/** Posts a form the way the browser does: CSRF token from a console page, unless told not to. */
const post = (url: string, role: Role, body: Record<string, string>, csrf = true) =>
  postForm(t, staff[role]!.jar, url, body, { csrf });

const auditOf = (action: 'legal_hold' | 'retention_run') =>
  t.db
    .selectFrom('audit_log')
    .select(['actor_kind', 'actor_id', 'target_id', 'detail'])
    .where('action', '=', action)
    .orderBy('seq')
    .execute();

describe('/console/retention', () => {
  it('shows privacy officers and admins each rule with what is due now, soon and next', async () => {
    await insertLead(t.db, t.kernel, monthsBefore(clock.now(), 25));
    await insertLead(t.db, t.kernel, daysBefore(monthsBefore(clock.now(), 24), -10));
    for (const role of ['privacy', 'admin'] as const) {
      const res = await get('/console/retention', role);
      expect(res.statusCode).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      const row = /<tr id="rule-lead">([\s\S]*?)<\/tr>/.exec(res.body)![1]!;
      const cells = visibleText(row);
      expect(cells).toContain('24 months after the last contact with the person');
      expect([...row.matchAll(/data-label="Due[^"]*">(\d+)</g)].map((m) => m[1])).toEqual([
        '1',
        '1',
      ]);
      expect(row).toMatch(/<time datetime="2026-12-08T12:00:00.000Z"/i);
      expect(res.body).toContain('href="/console/retention" aria-current="page"');
    }
  });

  it('is refused to sales and marketing, and hidden from their navigation', async () => {
    for (const role of ['sales', 'marketing'] as const) {
      const res = await get('/console/retention', role);
      expect(res.statusCode).toBe(403);
      expect(res.body).not.toContain('href="/console/retention"');
      expect((await post('/console/retention/run', role, { mode: 'run' })).statusCode).toBe(403);
    }
    const anonymous = await t.app.inject({ method: 'GET', url: '/console/retention' });
    expect(anonymous.statusCode).toBe(303);
  });

  it('"Run now" runs retention, logs it as the staff member, and needs the form token', async () => {
    const dry = await post('/console/retention/run', 'privacy', { mode: 'dry_run' });
    expect(dry.statusCode).toBe(200);
    expect(visibleText(dry.body)).toContain('Dry run: ');
    expect(visibleText(dry.body)).toContain('Nothing was changed.');

    const res = await post('/console/retention/run', 'privacy', { mode: 'run' });
    expect(res.statusCode).toBe(200);
    expect(visibleText(res.body)).toMatch(/Retention run finished: \d+ records deleted\./);
    const runs = await t.db
      .selectFrom('retention_runs')
      .select(['trigger', 'started_by', 'dry_run'])
      .orderBy('id')
      .execute();
    expect(runs).toEqual([
      { trigger: 'console', started_by: staff.privacy!.id, dry_run: 1 },
      { trigger: 'console', started_by: staff.privacy!.id, dry_run: 0 },
    ]);
    expect(await auditOf('retention_run')).toEqual([
      expect.objectContaining({ actor_kind: 'staff', actor_id: staff.privacy!.id }),
    ]);
    expect(visibleText((await get('/console/retention', 'admin')).body)).toContain('Dry run');

    expect(
      (await post('/console/retention/run', 'privacy', { mode: 'run' }, false)).statusCode,
    ).toBe(403);
    const bad = await post('/console/retention/run', 'privacy', { mode: 'everything' });
    expect(bad.statusCode).toBe(400);
    expect(visibleText(bad.body)).toContain('Choose "Run now" or "Dry run".');
  });
});

describe('legal holds', () => {
  it('an admin places one from the lead page, which then shows it; the audit log records it', async () => {
    const lead = await insertLead(t.db, t.kernel, monthsBefore(clock.now(), 30));
    const res = await post(`/console/leads/${lead}/holds`, 'admin', { reason: 'Case 24-cv-0113' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/console/leads/${lead}#hold-h`);

    const page = visibleText((await get(`/console/leads/${lead}`, 'admin')).body);
    expect(page).toContain('On legal hold');
    expect(page).toContain('Case 24-cv-0113');
    // Sales read the lead but do not manage holds: no hold section for them.
    expect((await get(`/console/leads/${lead}`, 'sales')).body).not.toContain('Legal hold');

    const audit = await auditOf('legal_hold');
    expect(audit.at(-1)).toMatchObject({
      actor_kind: 'staff',
      actor_id: staff.admin!.id,
      target_id: lead,
    });
    expect(audit.at(-1)!.detail).not.toContain('24-cv');

    await t.app.retention.runner.run({ trigger: 'cli', dryRun: false });
    expect(
      await t.db.selectFrom('leads').select('id').where('id', '=', lead).executeTakeFirst(),
    ).toBeDefined();
  });

  it('a privacy officer places one from the holds list and releases it; retention then deletes the lead', async () => {
    const lead = await insertLead(t.db, t.kernel, monthsBefore(clock.now(), 30));
    const placed = await post('/console/retention/holds', 'privacy', {
      lead_id: lead,
      reason: 'Subpoena 7781',
    });
    expect(placed.statusCode).toBe(303);
    const list = await get('/console/retention', 'privacy');
    expect(visibleText(list.body)).toContain('Subpoena 7781');

    const hold = await t.db
      .selectFrom('legal_holds')
      .select('id')
      .where('target_id', '=', lead)
      .executeTakeFirstOrThrow();
    // Asked once more: without the box ticked, nothing is released.
    const unconfirmed = await post(`/console/retention/holds/${hold.id}/release`, 'privacy', {
      return_to: 'retention',
    });
    expect(unconfirmed.statusCode).toBe(400);
    expect(visibleText(unconfirmed.body)).toContain('Tick the box to confirm');
    expect(
      (
        await t.db
          .selectFrom('legal_holds')
          .select('released_at')
          .where('id', '=', hold.id)
          .executeTakeFirstOrThrow()
      ).released_at,
    ).toBeNull();
    const released = await post(`/console/retention/holds/${hold.id}/release`, 'privacy', {
      return_to: 'retention',
      confirm: 'yes',
    });
    expect(released.statusCode).toBe(303);
    expect(released.headers.location).toBe('/console/retention#holds');
    const row = await t.db
      .selectFrom('legal_holds')
      .select(['released_at', 'released_by'])
      .where('id', '=', hold.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ released_at: clock.now().toISOString(), released_by: staff.privacy!.id });
    expect((await auditOf('legal_hold')).at(-1)!.detail).toContain('released');

    // Releasing twice finds no active hold.
    const twice = await post(`/console/retention/holds/${hold.id}/release`, 'privacy', {
      confirm: 'yes',
    });
    expect(twice.statusCode).toBe(404);
    expect(visibleText(twice.body)).toContain('An active legal hold with that id was not found.');

    await t.app.retention.runner.run({ trigger: 'cli', dryRun: false });
    expect(
      await t.db.selectFrom('leads').select('id').where('id', '=', lead).executeTakeFirst(),
    ).toBeUndefined();
  });

  it('is refused to sales and marketing', async () => {
    const lead = await insertLead(t.db, t.kernel, daysBefore(clock.now(), 1));
    for (const role of ['sales', 'marketing'] as const) {
      expect(
        (await post(`/console/leads/${lead}/holds`, role, { reason: 'Case 1' })).statusCode,
      ).toBe(403);
      expect(
        (await post('/console/retention/holds', role, { lead_id: lead, reason: 'Case 1' }))
          .statusCode,
      ).toBe(403);
    }
    const hold = await post('/console/retention/holds', 'admin', {
      lead_id: lead,
      reason: 'Case 2',
    });
    expect(hold.statusCode).toBe(303);
    const { id } = await t.db
      .selectFrom('legal_holds')
      .select('id')
      .where('target_id', '=', lead)
      .executeTakeFirstOrThrow();
    expect((await post(`/console/retention/holds/${id}/release`, 'sales', {})).statusCode).toBe(
      403,
    );
    expect(
      await t.db.selectFrom('legal_holds').select('id').where('target_id', '=', lead).execute(),
    ).toHaveLength(1);
  });

  it('answers bad input with 400 and a message that says what to fix', async () => {
    const lead = await insertLead(t.db, t.kernel, daysBefore(clock.now(), 1));
    const noReason = await post(`/console/leads/${lead}/holds`, 'admin', { reason: ' ' });
    expect(noReason.statusCode).toBe(400);
    expect(visibleText(noReason.body)).toContain('Give a reason for the hold');

    const unknown = await post('/console/retention/holds', 'privacy', {
      lead_id: 'no-such-lead',
      reason: 'Case 3',
    });
    expect(unknown.statusCode).toBe(400);
    expect(visibleText(unknown.body)).toContain(
      'No lead, and no consent record of a deleted lead, has that id.',
    );
    expect(unknown.body).toContain('value="no-such-lead"');

    const long = await post('/console/retention/holds', 'privacy', {
      lead_id: 'x'.repeat(80),
      reason: 'y'.repeat(600),
    });
    expect(long.statusCode).toBe(400);
    expect(visibleText(long.body)).toContain('Keep the reason to 500 characters.');

    const empty = await post('/console/retention/holds', 'privacy', {});
    expect(empty.statusCode).toBe(400);
    const json = await t.app.inject({
      method: 'POST',
      url: `/console/leads/${lead}/holds`,
      payload: '{"reason": [1, 2]}',
      headers: { cookie: cookieHeader(staff.admin!.jar), 'content-type': 'application/json' },
    });
    expect(json.statusCode).toBeLessThan(500);
    expect(
      await t.db.selectFrom('legal_holds').select('id').where('target_id', '=', lead).execute(),
    ).toEqual([]);
  });
});
