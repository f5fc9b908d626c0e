import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LeadStatus } from '../db/schema.js';
import { TestClock, cookieHeader, createTestApp, type TestApp } from '../test-support/app.js';
import { postForm, roleEmail, staffSessions } from '../test-support/staff.js';

const clock = new TestClock();
let t: TestApp;
let staff: Awaited<ReturnType<typeof staffSessions>>;

beforeAll(async () => {
  t = await createTestApp({ clock });
  staff = await staffSessions(t, ['admin', 'sales', 'marketing'], { email: roleEmail });
});
afterAll(async () => t.close());

let seq = 0;
async function insertLead(status: LeadStatus = 'new'): Promise<string> {
  seq++;
  const id = randomUUID();
  const at = new Date(Date.UTC(2026, 0, 1) + seq * 60_000).toISOString();
  await t.db
    .insertInto('leads')
    .values(
      t.kernel.seal('leads', {
        id,
        created_at: at,
        updated_at: at,
        last_activity_at: at,
        status,
        user_type: 'provider',
        name: `Person ${seq}`,
        organization: `Clinic ${seq}`,
        practice_size: '1',
        address: '1 Main St',
        city: 'Dallas',
        state: 'TX',
        zip: '75201',
        email: `p${seq}@example.test`,
        phone: `+1972555${String(seq).padStart(4, '0')}`,
        needs: 'Help.',
      }),
    )
    .execute();
  return id;
}

/** Posts a status change the way the detail page's form does, CSRF token included unless told. */
const move = (leadId: string, status: string, opts: { role?: string; csrf?: boolean } = {}) =>
  postForm(
    t,
    staff[opts.role ?? 'sales']!.jar,
    `/console/leads/${leadId}/status`,
    { status },
    opts,
  );

const statusOf = async (id: string) =>
  await t.db
    .selectFrom('leads')
    .select(['status', 'updated_at'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
const eventsOf = (id: string) =>
  t.db
    .selectFrom('lead_events')
    .select(['kind', 'from_status', 'to_status', 'staff_user_id', 'at'])
    .where('lead_id', '=', id)
    .orderBy('id')
    .execute();

describe('status changes', () => {
  it('walk a lead through the pipeline, recording who moved it and when', async () => {
    const id = await insertLead();
    for (const [to, from] of [
      ['contacted', 'new'],
      ['qualified', 'contacted'],
      ['won', 'qualified'],
    ] as const) {
      clock.advance(60_000);
      const res = await move(id, to);
      expect(res.statusCode, `${from} → ${to}`).toBe(303);
      expect(res.headers.location).toBe(`/console/leads/${id}`);
      expect(await statusOf(id)).toEqual({ status: to, updated_at: clock.now().toISOString() });
    }
    const events = await eventsOf(id);
    expect(events.map((e) => [e.kind, e.from_status, e.to_status, e.staff_user_id])).toEqual([
      ['status_changed', 'new', 'contacted', staff.sales!.id],
      ['status_changed', 'contacted', 'qualified', staff.sales!.id],
      ['status_changed', 'qualified', 'won', staff.sales!.id],
    ]);
    const page = await t.app.inject({
      method: 'GET',
      url: `/console/leads/${id}`,
      headers: { cookie: cookieHeader(staff.sales!.jar) },
    });
    expect(page.body).toContain('Status changed from qualified to won by sales@example.test');
    expect(page.body).not.toContain('action="/console/leads/' + id + '/status"');
  });

  it('allow losing a lead from any open stage and reopening it', async () => {
    for (const from of ['new', 'contacted', 'qualified'] as const) {
      const id = await insertLead(from);
      expect((await move(id, 'lost')).statusCode, from).toBe(303);
    }
    const lost = await insertLead('lost');
    expect((await move(lost, 'contacted')).statusCode).toBe(303);
    expect((await statusOf(lost)).status).toBe('contacted');
  });

  it('refuse moves outside the pipeline with a clear message and leave no trace', async () => {
    const refused: [LeadStatus, LeadStatus, string][] = [
      [
        'new',
        'won',
        'A lead cannot move from new to won. From new it can move to contacted or lost.',
      ],
      ['new', 'qualified', 'cannot move from new to qualified'],
      ['contacted', 'new', 'cannot move from contacted to new'],
      ['won', 'lost', 'Won is final.'],
      ['lost', 'won', 'From lost it can move to contacted.'],
      ['qualified', 'qualified', 'This lead is already qualified.'],
    ];
    for (const [from, to, message] of refused) {
      const id = await insertLead(from);
      const before = await statusOf(id);
      const res = await move(id, to);
      expect(res.statusCode, `${from} → ${to}`).toBe(400);
      expect(res.body).toContain(message);
      // A final stage has no status control left to mark.
      if (from !== 'won') expect(res.body).toContain('aria-invalid="true"');
      expect(await statusOf(id)).toEqual(before);
      expect(await eventsOf(id)).toEqual([]);
    }
  });

  it('refuse a status that does not exist', async () => {
    const id = await insertLead();
    const res = await move(id, 'archived');
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Status must be one of');
    expect((await statusOf(id)).status).toBe('new');
  });

  it('answer an unknown lead with 404', async () => {
    const res = await move(randomUUID(), 'contacted');
    expect(res.statusCode).toBe(404);
  });
});

describe('who may change a status', () => {
  it('admin may', async () => {
    const id = await insertLead();
    expect((await move(id, 'contacted', { role: 'admin' })).statusCode).toBe(303);
    expect((await eventsOf(id))[0]?.staff_user_id).toBe(staff.admin!.id);
  });

  it('marketing may not', async () => {
    const id = await insertLead();
    const res = await move(id, 'contacted', { role: 'marketing' });
    expect(res.statusCode).toBe(403);
    expect((await statusOf(id)).status).toBe('new');
    expect(await eventsOf(id)).toEqual([]);
  });

  it('nobody may without the CSRF token', async () => {
    const id = await insertLead();
    const res = await move(id, 'contacted', { csrf: false });
    expect(res.statusCode).toBe(403);
    expect((await statusOf(id)).status).toBe('new');
  });

  it('nobody may without a session', async () => {
    const id = await insertLead();
    const res = await t.app.inject({
      method: 'POST',
      url: `/console/leads/${id}/status`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'status=contacted',
    });
    expect(res.statusCode).toBe(401);
    expect((await statusOf(id)).status).toBe('new');
  });
});
