import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cookieHeader, createTestApp, hiddenField, type TestApp } from '../test-support/app.js';
import { staffJar, type Jar } from '../test-support/staff.js';

// Two submissions with different email addresses are two leads, whatever else they share; staff
// see leads from the same organization as a suggestion, never as a merge.

let t: TestApp;
let sales: Jar;
beforeAll(async () => {
  t = await createTestApp();
  sales = await staffJar(t, 'sales');
});
afterAll(async () => t.close());

async function send(email: string, organization: string, phone: string): Promise<string> {
  const page = await t.app.inject({ method: 'GET', url: '/get-started' });
  const res = await t.app.inject({
    method: 'POST',
    url: '/get-started',
    payload: {
      userType: 'provider',
      name: `Someone at ${organization}`,
      organization,
      practiceSize: '2-5',
      address: '9 Cedar Court',
      city: 'Tyler',
      state: 'TX',
      zip: '75701',
      email,
      phone,
      consentSms: 'on',
      needs: 'Help with our claims.',
      formToken: hiddenField(page.body, 'formToken'),
    },
  });
  expect(res.statusCode).toBe(201);
  return t.leadIdByEmail(email);
}

const leadPage = (id: string) =>
  t.app.inject({
    method: 'GET',
    url: `/console/leads/${id}`,
    headers: { cookie: cookieHeader(sales) },
  });

describe('possible duplicates on the lead page', () => {
  it('suggests leads of the same organization, in any case, without merging them or showing the phone', async () => {
    const first = await send('ana@cedar.example', 'Cedar Family Clinic', '(903) 555-0161');
    const second = await send('ben@cedar.example', 'cedar family clinic', '903-555-0161');
    const other = await send('cy@elsewhere.example', 'Elsewhere Health', '(903) 555-0161');
    expect(new Set([first, second, other]).size).toBe(3);

    const page = await leadPage(second);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Possible duplicates');
    expect(page.body).toContain(`href="/console/leads/${first}"`);
    expect(page.body).not.toContain(`href="/console/leads/${other}"`);
    for (const digits of ['9035550161', '555-0161', '555 0161'])
      expect(page.body).not.toContain(digits);
    expect((await leadPage(first)).body).toContain(`href="/console/leads/${second}"`);
    // A shared phone number alone suggests nothing: the number is for text messages only.
    expect((await leadPage(other)).body).not.toContain('Possible duplicates');
  });
});
