import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, hiddenField, type TestApp } from '../test-support/app.js';

// A visitor who lands on /?utm_source=… and then clicks "Get started" still has the campaign
// stored with the submission: the landing page's links to the form carry the tags. Nothing is
// stored in the browser; advertising click ids travel only when the visitor allows them.

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const get = (url: string, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'GET', url, headers });
/** Every link to the form on a page, entities decoded as a browser reads them. */
const formLinks = (html: string) =>
  [...html.matchAll(/<a\b[^>]*\shref="(\/get-started[^"]*)"/g)].map((m) =>
    m[1]!.replace(/&amp;/g, '&'),
  );

describe('campaign attribution from a landing page to the form', () => {
  it('stores the campaign of the landing page with the submission made after clicking "Get started"', async () => {
    const landing = await get(
      '/?utm_source=newsletter&utm_medium=email&utm_campaign=fall-2026&gclid=abc123',
    );
    expect(landing.statusCode).toBe(200);
    expect(landing.headers['set-cookie'] ?? '').not.toMatch(/utm|campaign/i);
    const links = formLinks(landing.body);
    expect(links.length).toBeGreaterThan(0);
    const link = links[0]!;
    expect(link).toBe(
      '/get-started?utm_source=newsletter&utm_medium=email&utm_campaign=fall-2026&gclid=abc123',
    );
    const page = await get(link);
    const res = await t.app.inject({
      method: 'POST',
      url: '/get-started',
      payload: {
        userType: 'patient',
        name: 'Lee Ward',
        email: 'lee@ward.example',
        needs: 'A question about my statement.',
        formToken: hiddenField(page.body, 'formToken'),
        utm_source: hiddenField(page.body, 'utm_source'),
        utm_medium: hiddenField(page.body, 'utm_medium'),
        utm_campaign: hiddenField(page.body, 'utm_campaign'),
        gclid: hiddenField(page.body, 'gclid'),
      },
    });
    expect(res.statusCode).toBe(201);
    const sub = await t.db
      .selectFrom('lead_submissions')
      .select(['utm_source', 'utm_medium', 'utm_campaign', 'gclid'])
      .where('lead_id', '=', await t.leadIdByEmail('lee@ward.example'))
      .executeTakeFirstOrThrow();
    expect(sub).toEqual({
      utm_source: 'newsletter',
      utm_medium: 'email',
      utm_campaign: 'fall-2026',
      gclid: 'abc123',
    });
  });

  it.each([
    ['Global Privacy Control', { 'sec-gpc': '1' }],
    ['Do Not Track', { dnt: '1' }],
    ['advertising refused in the cookie choices', { cookie: 'spmb_choices=a:g.d:d' }],
  ])('under %s carries the campaign but no advertising click id', async (_what, headers) => {
    const landing = await get('/services?utm_source=ads&gclid=xyz&msclkid=m1', headers);
    for (const link of formLinks(landing.body)) expect(link).toBe('/get-started?utm_source=ads');
  });

  it('keeps a link’s own parameters (the partners page opens the form for partners)', async () => {
    const { body } = await get('/partners?utm_campaign=partner-week');
    expect(formLinks(body)).toContain('/get-started?type=partner&utm_campaign=partner-week');
    const form = await get('/get-started?type=partner&utm_campaign=partner-week');
    expect(form.body).toMatch(/value="partner" checked/);
    expect(hiddenField(form.body, 'utm_campaign')).toBe('partner-week');
  });

  it('leaves pages alone without campaign tags, and never carries anything else from the address', async () => {
    const plain = await get('/?ref=x&email=me@example.com');
    expect(formLinks(plain.body).every((l) => l === '/get-started')).toBe(true);
    expect(formLinks(plain.body).join(' ')).not.toContain('example.com');
  });

  it('drops hostile tag values: control characters and over-long ones; quotes stay inside the attribute', async () => {
    const ctl = await get('/?utm_source=a%0Db&utm_medium=' + 'x'.repeat(301));
    expect(formLinks(ctl.body).every((l) => l === '/get-started')).toBe(true);
    const quoted = await get('/?utm_source=%22%3E%3Cscript%3Ealert(1)%3C/script%3E');
    expect(quoted.body).not.toContain('"><script>alert(1)');
    expect(formLinks(quoted.body)[0]).toBe(
      '/get-started?utm_source=%22%3E%3Cscript%3Ealert%281%29%3C%2Fscript%3E',
    );
  });

  it('does not touch the console or the Privacy Center', async () => {
    const res = await get('/console/login?utm_source=x');
    expect(res.body).not.toContain('utm_source=x');
  });
});
