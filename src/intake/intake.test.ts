import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TestClock,
  createTestApp,
  hiddenField,
  type TestApp,
  rowCount,
} from '../test-support/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

async function formToken(query = ''): Promise<string> {
  const res = await t.app.inject({ method: 'GET', url: `/get-started${query}` });
  expect(res.statusCode).toBe(200);
  return hiddenField(res.body, 'formToken');
}

let seq = 0;
function person(overrides: Record<string, string> = {}) {
  seq++;
  return {
    userType: 'provider',
    name: `Dana Whitfield ${seq}`,
    organization: 'Lakeside Family Medicine',
    practiceSize: '6-20',
    address: '1200 Elm Street, Suite 4',
    city: 'Dallas',
    state: 'TX',
    zip: '75201',
    email: `dana${seq}@lakeside.example`,
    // No number by default: one is asked only of someone who wants text messages.
    phone: '',
    needs: 'Our denial rate went up after we changed clearinghouse.',
    ...overrides,
  };
}

const post = (payload: Record<string, string | boolean>, json = false) =>
  t.app.inject({
    method: 'POST',
    url: '/get-started',
    ...(json
      ? { payload }
      : {
          payload: new URLSearchParams(payload as Record<string, string>).toString(),
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        }),
  });

const leadCount = () => rowCount(t.db, 'leads');

describe('intake form', () => {
  it('renders the form with unticked consents, the notice at collection and the patient warning', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/get-started' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/name="consentMarketing"(?![^>]*checked)/);
    expect(res.body).toMatch(/name="consentSms"(?![^>]*checked)/);
    expect(res.body).toContain('Msg &amp; data rates may apply');
    expect(res.body).toContain('Reply STOP to cancel, HELP for help');
    expect(res.body).toContain('Consent is not a condition of any purchase');
    expect(res.body).toContain('href="/privacy"');
    expect(res.body).toContain('please do not enter medical information');
  });

  it('stores the lead, its consents and campaign tags in one go, then redirects to thanks', async () => {
    const token = await formToken('?utm_source=newsletter&utm_campaign=fall&gclid=abc123');
    const p = person({ email: 'Dana.W@Lakeside.Example', phone: '214.555.0142' });
    const res = await post({
      ...p,
      formToken: token,
      consentMarketing: 'on',
      consentSms: 'on',
      utm_source: 'newsletter',
      utm_campaign: 'fall',
      gclid: 'abc123',
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/get-started/thanks');

    const stored = await t.db
      .selectFrom('leads')
      .select(['id', 'email', 'phone', 'address', 'needs', 'status', 'zip'])
      .where('id', '=', await t.leadIdByEmail('dana.w@lakeside.example'))
      .executeTakeFirstOrThrow();
    // Contact fields and free text are sealed at rest; the kernel opens them.
    for (const column of ['email', 'phone', 'address', 'needs'] as const)
      expect(stored[column]).toMatch(/^enc1\./);
    expect(JSON.stringify(stored)).not.toMatch(/lakeside|0142|Elm Street|clearinghouse/i);
    const lead = t.kernel.open('leads', stored);
    expect(lead.phone).toBe('+12145550142');
    expect(lead.email).toBe('Dana.W@Lakeside.Example');
    expect(lead.status).toBe('new');
    const consents = await t.db
      .selectFrom('consents')
      .select(['purpose', 'channel', 'granted', 'form_id', 'form_version', 'text_shown'])
      .where('subject_id', '=', lead.id)
      .orderBy('purpose')
      .execute();
    expect(consents.map((c) => [c.purpose, c.channel, c.granted])).toEqual([
      ['marketing', 'email', 1],
      ['sms_communication', 'sms', 1],
    ]);
    expect(consents[1]!.text_shown).toContain('Msg & data rates may apply');
    expect(consents[0]!.form_id).toBe('get-started');
    const sub = await t.db
      .selectFrom('lead_submissions')
      .select(['utm_source', 'utm_campaign', 'gclid'])
      .where('lead_id', '=', lead.id)
      .executeTakeFirstOrThrow();
    expect(sub).toEqual({ utm_source: 'newsletter', utm_campaign: 'fall', gclid: 'abc123' });
    const outbox = await t.db.selectFrom('outbox').select(['payload']).execute();
    expect(outbox.some((o) => o.payload.includes(lead.id))).toBe(true);
    // The queued job names the lead by id only.
    expect(outbox.every((o) => !o.payload.includes('lakeside'))).toBe(true);
  });

  it('records no consent when the boxes stay unticked', async () => {
    const p = person();
    expect((await post({ ...p, formToken: await formToken() })).statusCode).toBe(303);
    const lead = { id: await t.leadIdByEmail(p.email) };
    const consents = await t.db
      .selectFrom('consents')
      .select('id')
      .where('subject_id', '=', lead.id)
      .execute();
    expect(consents).toHaveLength(0);
  });

  it('creates one lead from a double submit of the same form', async () => {
    const token = await formToken();
    const p = person();
    const before = await leadCount();
    const [a, b] = await Promise.all([
      post({ ...p, formToken: token }),
      post({ ...p, formToken: token }),
    ]);
    expect([a.statusCode, b.statusCode]).toEqual([303, 303]);
    expect(await leadCount()).toBe(before + 1);
    const subs = await t.db
      .selectFrom('lead_submissions')
      .innerJoin('leads', 'leads.id', 'lead_submissions.lead_id')
      .select('lead_submissions.id')
      .where('leads.id', '=', await t.leadIdByEmail(p.email))
      .execute();
    expect(subs).toHaveLength(1);
  });

  it('keeps each submission its own when several arrive at once (they may share one commit)', async () => {
    const twice = person();
    const others = [person(), person()];
    const tokens = await Promise.all([formToken(), formToken(), formToken(), formToken()]);
    const before = await leadCount();
    const answers = await Promise.all([
      post({ ...twice, formToken: tokens[0] }),
      post({ ...others[0]!, formToken: tokens[1] }),
      post({ ...twice, formToken: tokens[2] }),
      post({ ...others[1]!, formToken: tokens[3] }),
    ]);
    expect(answers.map((a) => a.statusCode)).toEqual([303, 303, 303, 303]);
    // The same person twice in one batch is one lead with two submissions on its timeline.
    expect(await leadCount()).toBe(before + 3);
    const lead = await t.leadIdByEmail(twice.email);
    const events = await t.db
      .selectFrom('lead_events')
      .select('kind')
      .where('lead_id', '=', lead)
      .orderBy('id')
      .execute();
    expect(events.map((e) => e.kind)).toEqual(['submitted', 'resubmitted']);
    const outbox = await t.db.selectFrom('outbox').select('payload').execute();
    expect(outbox.filter((o) => o.payload.includes(lead))).toHaveLength(2);
  });

  it('attaches a returning person to their lead by the same email, in any case, with their new details', async () => {
    const p = person();
    await post({ ...p, formToken: await formToken() });
    const before = await leadCount();
    await post({
      ...p,
      email: ` ${p.email.toUpperCase()} `,
      phone: '(972) 555-0100',
      consentSms: 'on',
      formToken: await formToken(),
    });
    expect(await leadCount()).toBe(before);
    const leadId = await t.leadIdByEmail(p.email);
    const lead = await t.db
      .selectFrom('leads')
      .select(['phone'])
      .where('id', '=', leadId)
      .executeTakeFirstOrThrow();
    expect(t.kernel.open('leads', lead).phone).toBe('+19725550100');
    const events = await t.db
      .selectFrom('lead_events')
      .select('kind')
      .where('lead_id', '=', leadId)
      .orderBy('id')
      .execute();
    expect(events.map((e) => e.kind)).toEqual(['submitted', 'resubmitted']);
  });

  it('never attaches another email to a lead: the same phone number makes a new lead and changes no one else’s', async () => {
    const p = person({ phone: '(214) 555-0177', consentSms: 'on' });
    await post({ ...p, formToken: await formToken() });
    const before = await leadCount();
    const stranger = person({ phone: '2145550177', consentSms: 'on' });
    await post({ ...stranger, formToken: await formToken() });
    expect(await leadCount()).toBe(before + 1);
    const [mine, theirs] = [await t.leadIdByEmail(p.email), await t.leadIdByEmail(stranger.email)];
    expect(theirs).not.toBe(mine);
    // The first lead keeps its own address, name and single submission.
    const lead = await t.db
      .selectFrom('leads')
      .select(['email', 'name'])
      .where('id', '=', mine)
      .executeTakeFirstOrThrow();
    expect(t.kernel.open('leads', lead)).toEqual({ email: p.email, name: p.name });
    const subs = await t.db
      .selectFrom('lead_submissions')
      .select('id')
      .where('lead_id', '=', mine)
      .execute();
    expect(subs).toHaveLength(1);
  });

  it('accepts JSON and answers with JSON', async () => {
    const res = await post(
      { ...person({ phone: '214-555-0123' }), formToken: await formToken(), consentSms: true },
      true,
    );
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ status: 'received' });
  });

  it('flags health data before storing it, then accepts a confirmation', async () => {
    const token = await formToken();
    const p = person({
      userType: 'patient',
      organization: '',
      practiceSize: '',
      needs: 'My DOB is 03/14/1962, member ID XJH123456789 was denied for E11.9',
    });
    const before = await leadCount();
    const res = await post({ ...p, formToken: token });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('<mark');
    expect(res.body).toContain('03/14/1962');
    expect(res.body).toContain('name="confirmNoHealthInfo"');
    expect(await leadCount()).toBe(before);
    const json = await post({ ...p, formToken: token }, true);
    expect(json.statusCode).toBe(400);
    expect(json.json().flagged.map((f: { kind: string }) => f.kind)).toEqual(
      expect.arrayContaining(['date', 'member_id', 'diagnosis_code']),
    );
    const ok = await post({ ...p, formToken: token, confirmNoHealthInfo: 'on' });
    expect(ok.statusCode).toBe(303);
    expect(await leadCount()).toBe(before + 1);
  });
});

describe('intake bad input', () => {
  it('re-renders with field errors tied to the fields, keeps values, stores nothing', async () => {
    const before = await leadCount();
    const res = await post({
      ...person({
        email: 'not-an-email',
        zip: '123',
        state: 'XX',
        phone: '555-1234',
        name: '<script>alert(1)</script>',
      }),
      formToken: await formToken(),
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('id="email-error"');
    expect(res.body).toMatch(
      /id="email"[^>]*aria-describedby="email-error"|aria-describedby="email-error"[^>]*id="email"/,
    );
    expect(res.body).toContain('Enter a 5-digit ZIP code');
    expect(res.body).toContain('Enter a US phone number');
    expect(res.body).toContain('&lt;script>alert(1)&lt;/script>');
    expect(res.body).not.toContain('<script>alert(1)</script>');
    expect(await leadCount()).toBe(before);
  });

  it('gives JSON clients a list of field errors', async () => {
    const res = await post({ formToken: await formToken(), email: 'x' }, true);
    expect(res.statusCode).toBe(400);
    const fields = res.json().fields.map((f: { field: string }) => f.field);
    expect(fields).toEqual(expect.arrayContaining(['name', 'email', 'userType', 'needs']));
  });

  it('rejects unknown fields', async () => {
    const res = await post({ ...person(), formToken: await formToken(), isAdmin: 'yes' }, true);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toContain('isAdmin');
  });

  it('refuses a forged or missing form token with a way forward', async () => {
    const res = await post({ ...person(), formToken: 'abc.def.ghi' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Please reload the page');
  });

  it('answers 413 to an oversized body and stores nothing', async () => {
    const before = await leadCount();
    const res = await post({
      ...person({ needs: 'x'.repeat(70_000) }),
      formToken: await formToken(),
    });
    expect(res.statusCode).toBe(413);
    expect(await leadCount()).toBe(before);
  });

  it('stores SQL metacharacters verbatim', async () => {
    const p = person({ organization: 'O\'Brien & Sons"; DROP TABLE leads; --' });
    expect((await post({ ...p, formToken: await formToken() })).statusCode).toBe(303);
    const row = await t.db
      .selectFrom('leads')
      .select('organization')
      .where('id', '=', await t.leadIdByEmail(p.email))
      .executeTakeFirstOrThrow();
    expect(row.organization).toBe(p.organization);
  });

  it('silently drops a bot that fills the honeypot', async () => {
    const before = await leadCount();
    const res = await post({
      ...person(),
      formToken: await formToken(),
      website: 'http://spam.example',
    });
    expect(res.statusCode).toBe(303);
    expect(await leadCount()).toBe(before);
  });

  it.each(['malformed json {', '[1,2,3]', 'null'])('never answers 500 to %j', async (body) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/get-started',
      payload: body,
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
  });
});

describe('intake spam limits', () => {
  let strict: TestApp;
  const strictClock = new TestClock();
  beforeAll(async () => {
    strict = await createTestApp({
      clock: strictClock,
      env: { INTAKE_MIN_FILL_MS: '60000', INTAKE_RATE_LIMIT: '3' },
    });
  });
  afterAll(async () => strict.close());

  it('refuses a form sent faster than a person could fill it', async () => {
    const page = await strict.app.inject({ method: 'GET', url: '/get-started' });
    const res = await strict.app.inject({
      method: 'POST',
      url: '/get-started',
      payload: { ...person(), formToken: hiddenField(page.body, 'formToken') },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toContain('quicker than a person');
  });

  it('answers 429 with a human message once the accepted submissions reach the per-IP limit', async () => {
    const send = async () => {
      const page = await strict.app.inject({ method: 'GET', url: '/get-started' });
      strictClock.advance(60_000);
      return strict.app.inject({
        method: 'POST',
        url: '/get-started',
        payload: { ...person(), formToken: hiddenField(page.body, 'formToken') },
      });
    };
    for (let i = 0; i < 3; i++) expect((await send()).statusCode).toBe(201);
    const res = await send();
    expect(res.statusCode).toBe(429);
    expect(res.json().error).toContain('Please wait a few minutes');
  });
});
