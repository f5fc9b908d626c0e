import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cookieHeader, createTestApp, hiddenField, type TestApp } from '../test-support/app.js';
import { leadValues, sealedLead, type PlainLead } from '../test-support/retention.js';
import { getAs, roleEmail, staffSessions } from '../test-support/staff.js';

let t: TestApp;
let staff: Awaited<ReturnType<typeof staffSessions>>;

beforeAll(async () => {
  t = await createTestApp();
  staff = await staffSessions(t, ['admin', 'sales', 'marketing', 'privacy'], { email: roleEmail });
});
afterAll(async () => t.close());

let seq = 0;
async function insertLead(over: Partial<PlainLead> = {}): Promise<PlainLead> {
  seq++;
  const at = new Date(Date.UTC(2026, 0, 1) + seq * 60_000).toISOString();
  const lead: PlainLead = leadValues(randomUUID(), at, {
    name: `Person ${seq}`,
    organization: `Clinic ${seq}`,
    address: `${seq} Main Street`,
    city: 'Dallas',
    zip: '75201',
    email: `person${seq}@example.test`,
    phone: `+1214555${String(seq).padStart(4, '0')}`,
    needs: 'Help with denials.',
    ...over,
  });
  await t.db.insertInto('leads').values(sealedLead(t.kernel, lead)).execute();
  return lead;
}

const get = (url: string, role = 'sales') => getAs(t, staff[role]!.jar, url);
/** The lead names a list page shows, in order. */
const names = (html: string) =>
  [...html.matchAll(/<th scope="row"[^>]*><a [^>]*>([^<]+)<\/a>/g)].map((m) => m[1]);

describe('leads list', () => {
  let older: PlainLead;
  let newer: PlainLead;
  beforeAll(async () => {
    older = await insertLead({
      name: 'Alma Ortiz',
      organization: 'Riverbend Pediatrics',
      user_type: 'provider',
      status: 'contacted',
      city: 'Austin',
    });
    newer = await insertLead({
      name: 'Ben Okafor',
      organization: 'Okafor Billing Partners',
      user_type: 'partner',
      status: 'new',
    });
    await insertLead({
      name: 'Cara 100%_Sure',
      organization: 'Percent Practice',
      user_type: 'patient',
    });
    await insertLead({ name: 'Dan Boxer', organization: '100 Alpha', user_type: 'patient' });
  });

  it('shows the newest first with date, name, organization, type, status and city/state', async () => {
    const res = await get('/console/leads');
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const shown = names(res.body);
    expect(shown.indexOf('Ben Okafor')).toBeLessThan(shown.indexOf('Alma Ortiz'));
    expect(res.body).toContain('Riverbend Pediatrics');
    expect(res.body).toContain('Austin, TX');
    expect(res.body).toContain(`href="/console/leads/${older.id}"`);
    expect(res.body).toContain('<th scope="col">Status</th>');
    expect(res.body).toContain('name="robots" content="noindex');
    expect(res.body).not.toContain(newer.phone);
  });

  it('filters by status and by type', async () => {
    expect(names((await get('/console/leads?status=contacted')).body)).toEqual(['Alma Ortiz']);
    expect(names((await get('/console/leads?type=partner')).body)).toEqual(['Ben Okafor']);
    expect(names((await get('/console/leads?type=partner&status=contacted')).body)).toEqual([]);
    expect((await get('/console/leads?type=&status=&q=')).statusCode).toBe(200);
  });

  it('searches name and organization, ignoring case', async () => {
    expect(names((await get('/console/leads?q=ORTIZ')).body)).toEqual(['Alma Ortiz']);
    expect(names((await get('/console/leads?q=riverbend')).body)).toEqual(['Alma Ortiz']);
    expect(names((await get('/console/leads?q=%20okafor%20')).body)).toEqual(['Ben Okafor']);
  });

  it('treats % and _ in a search as plain characters', async () => {
    expect(names((await get('/console/leads?q=100%25_')).body)).toEqual(['Cara 100%_Sure']);
    expect(names((await get(`/console/leads?q=${encodeURIComponent('%')}`)).body)).toEqual([
      'Cara 100%_Sure',
    ]);
    expect(names((await get('/console/leads?q=_')).body)).toEqual(['Cara 100%_Sure']);
  });

  it('keeps the filters in the form', async () => {
    const body = (await get('/console/leads?q=alma&status=contacted')).body;
    expect(body).toContain('value="alma"');
    expect(body).toMatch(/<option value="contacted" selected/);
  });

  it('pages 50 at a time, keeping the filters in the links', async () => {
    for (let i = 0; i < 53; i++) await insertLead({ organization: `Paging Group ${i}` });
    const first = await get('/console/leads?q=paging');
    expect(names(first.body)).toHaveLength(50);
    expect(first.body).toContain('Showing 1–50 of 53');
    expect(first.body).toContain('href="/console/leads?q=paging&amp;page=2"');
    const second = await get('/console/leads?q=paging&page=2');
    expect(names(second.body)).toHaveLength(3);
    expect(second.body).toContain('Page 2 of 2');
    expect(names((await get('/console/leads?q=paging&page=9')).body)).toEqual([]);
  });

  it('answers bad query values with 400 and a message, never 500', async () => {
    const cases: [string, string][] = [
      ['status=archived', 'Status must be one of'],
      ['type=robot', 'Type must be one of'],
      ['page=0', 'page number'],
      ['page=-2', 'page number'],
      ['page=abc', 'page number'],
      ['page=1.5', 'page number'],
      ['status=new&status=lost', 'Status must be one of'],
      [`q=${'x'.repeat(201)}`, '200 characters'],
    ];
    for (const [query, message] of cases) {
      const res = await get(`/console/leads?${query}`);
      expect(res.statusCode, query).toBe(400);
      expect(res.body, query).toContain(message);
    }
  });
});

describe('who may see leads', () => {
  it('admin and sales may; marketing and privacy may not', async () => {
    expect((await get('/console/leads', 'admin')).statusCode).toBe(200);
    expect((await get('/console/leads', 'sales')).statusCode).toBe(200);
    for (const role of ['marketing', 'privacy']) {
      const res = await get('/console/leads', role);
      expect(res.statusCode, role).toBe(403);
      expect(res.body).not.toContain('<table');
    }
    const lead = await insertLead();
    expect((await get(`/console/leads/${lead.id}`, 'marketing')).statusCode).toBe(403);
    expect((await get(`/console/leads/${lead.id}`, 'admin')).statusCode).toBe(200);
  });

  it('shows the Leads link only to roles that may open it, and /console opens on what each role has to do', async () => {
    await insertLead();
    const sales = await get('/console', 'sales');
    expect(sales.statusCode).toBe(200);
    expect(sales.body).toMatch(/New leads? not yet contacted/);
    expect(sales.body).toContain('href="/console/leads?status=new"');
    expect(sales.body).not.toContain('Privacy requests due');
    // Marketing sees no lead counts and no Leads link: its screen is the analytics dashboard.
    const marketing = await get('/console', 'marketing');
    expect(marketing.statusCode).toBe(200);
    expect(marketing.body).not.toContain('New lead');
    expect(marketing.body).not.toContain('href="/console/leads"');
    expect(marketing.body).toContain('href="/console/analytics"');
    expect(marketing.body).toContain('action="/console/logout"');
  });

  it('sends anyone without a session to the login page', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/console' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/console/login?next=%2Fconsole');
  });
});

describe('lead detail', () => {
  it('shows every field but the phone number: "phone numbers will be used solely for SMS communication", so staff see not even its last digits', async () => {
    const lead = await insertLead({
      name: 'Gia Patel',
      phone: '+14695550188',
      needs: 'Credentialing for 2 providers.',
    });
    const sub = {
      id: randomUUID(),
      lead_id: lead.id,
      created_at: lead.created_at,
      idempotency_key: randomUUID(),
      form_id: 'get-started',
      form_version: '2026-01',
      user_type: lead.user_type,
      name: lead.name,
      organization: lead.organization,
      practice_size: lead.practice_size,
      address: lead.address,
      city: lead.city,
      state: lead.state,
      zip: lead.zip,
      email: lead.email,
      phone: lead.phone,
      needs: lead.needs,
      health_confirmed: 0,
      referrer: 'https://search.example/',
      utm_source: 'newsletter',
      utm_medium: 'email',
      utm_campaign: 'fall-2026',
      utm_term: null,
      utm_content: null,
      gclid: 'gclid-123',
      msclkid: null,
    };
    await t.db.insertInto('lead_submissions').values(sub).execute();
    await t.db
      .insertInto('lead_events')
      .values({
        lead_id: lead.id,
        at: lead.created_at,
        kind: 'submitted',
        submission_id: sub.id,
        staff_user_id: null,
        from_status: null,
        to_status: null,
      })
      .execute();
    await t.db
      .insertInto('consents')
      .values({
        id: randomUUID(),
        subject_type: 'lead',
        subject_id: lead.id,
        purpose: 'sms_communication',
        channel: 'sms',
        granted: 1,
        at: lead.created_at,
        form_id: 'get-started',
        form_version: '2026-01',
        text_shown: 'Yes, send me text messages. Msg & data rates may apply.',
        submission_id: sub.id,
      })
      .execute();

    const res = await get(`/console/leads/${lead.id}`);
    expect(res.statusCode).toBe(200);
    const html = res.body;
    for (const text of [
      'Gia Patel',
      lead.organization,
      lead.email,
      lead.address,
      'Dallas',
      '75201',
      'Credentialing for 2 providers.',
      '2-5',
    ]) {
      expect(html).toContain(text);
    }
    for (const full of [
      '0188',
      'Telephone',
      '+14695550188',
      '4695550188',
      '469-555',
      '(469)',
      '469.555',
      '469 555',
    ]) {
      expect(html).not.toContain(full);
    }

    expect(html).toContain('Msg &amp; data rates may apply.');
    expect(html).toContain('Granted');
    expect(html).toContain('get-started v2026-01');
    expect(html).toContain('newsletter');
    expect(html).toContain('fall-2026');
    expect(html).toContain('gclid-123');
    expect(html).toContain('https://search.example/');
    expect(html).toContain('Sent the form for the first time');
  });

  it('says plainly when no consent was given', async () => {
    const lead = await insertLead();
    expect((await get(`/console/leads/${lead.id}`)).body).toContain('No consent recorded');
  });

  it('answers an unknown id with 404', async () => {
    for (const id of [randomUUID(), 'not-a-uuid']) {
      const res = await get(`/console/leads/${id}`);
      expect(res.statusCode).toBe(404);
      expect(res.body).toContain('That lead was not found.');
    }
  });

  it('hands errors that are not refusals on to the app-wide handler', async () => {
    const lead = await insertLead();
    const res = await t.app.inject({
      method: 'POST',
      url: `/console/leads/${lead.id}/status`,
      headers: { cookie: cookieHeader(staff.sales!.jar), 'content-type': 'application/xml' },
      payload: 'status=contacted',
    });
    expect(res.statusCode).toBe(415);
    expect(res.body).toContain('form posts');
  });

  it('carries a CSRF token for its status form and the sign-out button', async () => {
    const lead = await insertLead();
    const html = (await get(`/console/leads/${lead.id}`)).body;
    expect(hiddenField(html, '_csrf')).toBeTruthy();
    expect(html).toContain(`action="/console/leads/${lead.id}/status"`);
  });
});
