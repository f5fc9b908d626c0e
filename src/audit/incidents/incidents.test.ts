import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCourtDisclosure } from '../../disclosures/testing.js';
import { TestClock, createTestApp, type TestApp } from '../../test-support/app.js';
import { getAs, postForm, roleEmail, staffSessions } from '../../test-support/staff.js';
import { appendAudit, type AuditEntry } from '../log.js';

// The clock stands at 2026-11-28 12:00 UTC.
const clock = new TestClock();
let t: TestApp;
let staff: Awaited<ReturnType<typeof staffSessions>>;

beforeAll(async () => {
  t = await createTestApp({ clock });
  staff = await staffSessions(t, ['admin', 'sales', 'marketing', 'privacy'], { email: roleEmail });
});
afterAll(async () => t.close());

const get = (url: string, role = 'privacy') => getAs(t, staff[role]!.jar, url);

/** Posts a form the way a browser does: CSRF token from a console page, repeated keys for lists. */
const post = (url: string, fields: Record<string, string | string[]>, role = 'privacy') =>
  postForm(t, staff[role]!.jar, url, fields);

const valid = {
  summary: 'Laptop with an export of lead ids stolen from a car.',
  discoveredOn: '2026-11-20',
  categories: ['contact.email', 'contact.name'],
  windowStart: '2026-11-01',
  windowEnd: '2026-11-15',
};

async function openIncident(fields: Record<string, string | string[]> = valid): Promise<string> {
  const res = await post('/console/incidents', fields);
  expect(res.statusCode).toBe(303);
  return /\/console\/incidents\/([0-9a-f-]{36})$/.exec(res.headers.location as string)![1]!;
}

const read = (leadId: string, at: string, action: AuditEntry['action'] = 'record_read') =>
  appendAudit(
    t.db,
    { actor: { kind: 'staff', id: staff.sales!.id }, action, target: { type: 'lead', id: leadId } },
    new Date(at),
  );

describe('who may use the register', () => {
  it.each(['admin', 'privacy'])('%s may list and open incidents', async (role) => {
    const list = await get('/console/incidents', role);
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('href="/console/incidents"');
    expect((await post('/console/incidents', valid, role)).statusCode).toBe(303);
  });

  it.each(['sales', 'marketing'])('%s is refused, to read and to write', async (role) => {
    const list = await get('/console/incidents', role);
    expect(list.statusCode).toBe(403);
    expect(list.body).not.toContain('href="/console/incidents"');
    const before = await t.db.selectFrom('incidents').select('id').execute();
    expect((await post('/console/incidents', valid, role)).statusCode).toBe(403);
    expect(await t.db.selectFrom('incidents').select('id').execute()).toHaveLength(before.length);
  });
});

describe('an incident', () => {
  it('shows the 60-day deadline from discovery with the days remaining', async () => {
    const id = await openIncident();
    const res = await get(`/console/incidents/${id}`);
    expect(res.statusCode).toBe(200);
    // 2026-11-20 + 60 days = 2027-01-19; from 2026-11-28 that is 52 days.
    expect(res.body).toContain('Notify by Jan 19, 2027');
    expect(res.body).toContain('52 days left');
    expect(res.body).toContain('60 days from discovery, the legal limit');
  });

  it('takes a shorter contract deadline', async () => {
    const id = await openIncident({ ...valid, contractDays: '30' });
    const res = await get(`/console/incidents/${id}`);
    expect(res.body).toContain('Notify by Dec 20, 2026');
    expect(res.body).toContain('22 days left');
    expect(res.body).toContain('30 days from discovery, as a contract requires');
  });

  it('lists the leads read, exported or disclosed in the window, and the tables holding the data', async () => {
    const [inWindow, exported, outside, disclosed] = [
      randomUUID(),
      randomUUID(),
      randomUUID(),
      randomUUID(),
    ];
    await read(inWindow, '2026-11-03T10:00:00Z');
    await read(inWindow, '2026-11-15T23:59:00Z');
    await read(exported, '2026-11-10T10:00:00Z', 'export');
    await read(outside, '2026-11-16T00:00:01Z');
    await read(outside, '2026-10-31T23:59:59Z');
    await appendAudit(
      t.db,
      { actor: { kind: 'staff', id: staff.sales!.id }, action: 'login' },
      new Date('2026-11-05T00:00:00Z'),
    );
    await discloseLead(disclosed, '2026-11-07T09:00:00Z');
    const id = await openIncident();
    const body = (await get(`/console/incidents/${id}`)).body;
    for (const lead of [inWindow, exported, disclosed]) expect(body).toContain(lead);
    expect(body).not.toContain(outside);
    expect(body).toMatch(/3 leads were read, exported or disclosed between/);
    expect(body).toMatch(/<code>leads<\/code>: name, email/);
    expect(body).toMatch(/<code>lead_submissions<\/code>: name, email/);
    // Staff names are names too; their sign-in details are not in the chosen categories.
    expect(body).toMatch(/<code>staff_users<\/code>: name \(about staff\)</);
  });

  it('is opened, updated and closed with an audit entry for each', async () => {
    const id = await openIncident();
    expect(
      (await post(`/console/incidents/${id}`, { ...valid, contractDays: '10' })).statusCode,
    ).toBe(303);
    expect(
      await t.db
        .selectFrom('incidents')
        .select('deadline_on')
        .where('id', '=', id)
        .executeTakeFirst(),
    ).toEqual({
      deadline_on: '2026-11-30',
    });
    expect((await post(`/console/incidents/${id}/close`, {})).statusCode).toBe(303);
    const entries = await t.db
      .selectFrom('audit_log')
      .selectAll()
      .where('target_id', '=', id)
      .orderBy('seq')
      .execute();
    expect(
      entries.map((e) => [
        e.action,
        e.actor_id,
        (JSON.parse(e.detail!) as { event: string }).event,
      ]),
    ).toEqual([
      ['incident', staff.privacy!.id, 'opened'],
      ['incident', staff.privacy!.id, 'updated'],
      ['incident', staff.privacy!.id, 'closed'],
    ]);
    expect(entries[1]!.detail).toBe(
      '{"categories":"contact.email,contact.name","deadline":"2026-11-30","event":"updated"}',
    );
    const closed = await get(`/console/incidents/${id}`);
    expect(closed.body).toContain('Incident (closed)');
    expect(closed.body).not.toContain('Save changes');
    expect((await post(`/console/incidents/${id}`, valid)).statusCode).toBe(409);
    expect((await post(`/console/incidents/${id}/close`, {})).statusCode).toBe(409);
  });

  it('answers an unknown id with 404', async () => {
    expect((await get(`/console/incidents/${randomUUID()}`)).statusCode).toBe(404);
    expect((await post(`/console/incidents/${randomUUID()}/close`, {})).statusCode).toBe(404);
  });
});

describe('bad input', () => {
  it.each([
    [{ summary: '' }, 'Describe what happened.'],
    [{ discoveredOn: '20/11/2026' }, 'such as 2026-03-31'],
    [{ discoveredOn: '2026-02-30' }, 'not a real calendar date'],
    [{ discoveredOn: '2026-12-01' }, 'cannot be in the future'],
    [{ categories: [] }, 'Choose at least one kind of data involved.'],
    [{ categories: ['contact.shoe_size'] }, 'Choose the kinds of data from the list shown.'],
    [{ contractDays: '60' }, 'from 1 to 59'],
    [{ contractDays: 'soon' }, 'from 1 to 59'],
    [{ windowStart: '2026-11-10', windowEnd: '2026-11-01' }, 'The window ends before it starts.'],
  ])('refuses %j with 400, a message by the field, and stores nothing', async (change, message) => {
    const before = (await t.db.selectFrom('incidents').select('id').execute()).length;
    const res = await post('/console/incidents', { ...valid, ...change });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain(message);
    expect(res.body).toContain('Please correct the highlighted fields.');
    expect((await t.db.selectFrom('incidents').select('id').execute()).length).toBe(before);
  });

  it('keeps what was typed when the form comes back', async () => {
    const res = await post('/console/incidents', {
      ...valid,
      summary: 'Kept text',
      contractDays: '75',
    });
    expect(res.body).toContain('Kept text');
    expect(res.body).toMatch(/value="contact.email"[^>]*checked/);
  });
});

const discloseLead = (leadId: string, at: string) =>
  addCourtDisclosure(t, {
    leadId,
    at,
    court: 'County court',
    reference: 'subpoena 1',
    categories: ['contact.name'],
    actorId: staff.admin!.id,
  });
