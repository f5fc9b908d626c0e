import { visibleText } from '../pages/testing.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, hiddenField, type TestApp, rowCount } from '../test-support/app.js';

// "The SMS and phone numbers provided will be used solely for SMS communication": a number with
// no lawful use is not collected, so the form asks for one only of someone who wants texts.

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

let seq = 0;
const person = (over: Record<string, string | boolean> = {}) => ({
  userType: 'provider',
  name: `Noor Haddad ${++seq}`,
  organization: 'Cedar Clinic',
  practiceSize: '2-5',
  address: '5 Oak Lane',
  city: 'Dallas',
  state: 'TX',
  zip: '75201',
  email: `noor${seq}@cedar.example`,
  needs: 'Help with our claims.',
  ...over,
});

async function post(payload: Record<string, string | boolean>, json = false) {
  const page = await t.app.inject({ method: 'GET', url: '/get-started' });
  const body = { ...payload, formToken: hiddenField(page.body, 'formToken') };
  return t.app.inject({
    method: 'POST',
    url: '/get-started',
    ...(json
      ? { payload: body }
      : {
          payload: new URLSearchParams(body).toString(),
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        }),
  });
}

const leadCount = () => rowCount(t.db, 'leads');

describe('"phone numbers will be used solely for SMS communication": the intake form', () => {
  it('asks for the number as optional and says it is only for text messages', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/get-started' });
    const input = /<input[^>]*name="phone"[^>]*>/.exec(res.body)?.[0] ?? '';
    expect(input).not.toBe('');
    expect(input).not.toMatch(/\srequired/);
    const text = visibleText(res.body);
    expect(text).toContain('Telephone, for text messages (optional)');
    expect(text).not.toContain('(optional) (optional)');
    expect(res.body).toMatch(/used for texts and nothing else/);
  });

  it('accepts a person who gives no number and wants no texts, and stores no number', async () => {
    const p = person();
    const res = await post(p);
    expect(res.statusCode).toBe(303);
    const row = await t.db
      .selectFrom('leads')
      .select(['phone', 'phone_index'])
      .where('id', '=', await t.leadIdByEmail(p.email))
      .executeTakeFirstOrThrow();
    expect(row.phone_index).toBeNull();
    expect(t.kernel.open('leads', row).phone).toBe('');
  });

  it('refuses a number given without consent to texts, with a field error, storing nothing', async () => {
    const before = await leadCount();
    const html = await post(person({ phone: '(214) 555-0142' }));
    expect(html.statusCode).toBe(400);
    expect(html.body).toContain('id="phone-error"');
    expect(html.body).toContain('Leave the phone number empty unless you want text messages');
    const json = await post(person({ phone: '(214) 555-0142' }), true);
    expect(json.statusCode).toBe(400);
    expect(json.json().fields).toEqual([
      expect.objectContaining({
        field: 'phone',
        message: expect.stringContaining('Leave the phone number empty') as unknown,
      }),
    ]);
    expect(await leadCount()).toBe(before);
  });

  it('refuses consent to texts without a number to text', async () => {
    const res = await post(person({ consentSms: 'on' }));
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Enter the number we should text');
  });

  it('keeps a number given with consent to texts', async () => {
    const p = person({ phone: '(214) 555-0142', consentSms: 'on' });
    expect((await post(p)).statusCode).toBe(303);
    const row = await t.db
      .selectFrom('leads')
      .select(['phone'])
      .where('id', '=', await t.leadIdByEmail(p.email))
      .executeTakeFirstOrThrow();
    expect(t.kernel.open('leads', row).phone).toBe('+12145550142');
  });
});
