import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCrm, addRecipient } from '../disclosures/testing.js';
import { createTestApp, hiddenField, type TestApp } from '../test-support/app.js';
import { postForm, staffJar, type Jar } from '../test-support/staff.js';
import { optOutEffects } from './opt-out-effects.js';
import { policyVersions } from './policy-versions.js';
import { suppress, type SuppressionChannel } from './suppression.js';

// Clause: opt-outs the Privacy Center or Global Privacy Control store are applied. Each
// suppression is written as those features write it, then its effect is observed from outside.

const V = policyVersions.at(-1)!.version.replace('.', '_');
let t: TestApp;
let admin: Jar;
let crm: string;
let n = 0;

async function submit(email: string, opts: { cookie?: string; gpc?: boolean; query?: string }) {
  const form = await t.app.inject({ method: 'GET', url: `/get-started${opts.query ?? ''}` });
  n += 1;
  return t.app.inject({
    method: 'POST',
    url: '/get-started',
    headers: {
      ...(opts.cookie ? { cookie: opts.cookie } : {}),
      ...(opts.gpc ? { 'sec-gpc': '1' } : {}),
    },
    payload: {
      userType: 'provider',
      name: `Person ${n}`,
      organization: `Clinic ${n}`,
      practiceSize: '2-5',
      address: '9 Elm Street',
      city: 'Dallas',
      state: 'TX',
      zip: '75201',
      email,
      needs: 'Billing help',
      formToken: hiddenField(form.body, 'formToken'),
      consentMarketing: 'on',
      gclid: 'gclid-123',
      msclkid: 'msclkid-456',
      utm_source: 'newsletter',
    },
  });
}

const optOut = (email: string, channel: SuppressionChannel) =>
  suppress(t.db, t.kernel, { email }, channel, t.clock.now());

async function storedTags(email: string) {
  const lead = await t.db
    .selectFrom('leads')
    .select('id')
    .where('email_index', 'in', t.kernel.lookupIndexes('email', email))
    .executeTakeFirstOrThrow();
  return t.db
    .selectFrom('lead_submissions')
    .select(['gclid', 'msclkid', 'utm_source'])
    .where('lead_id', '=', lead.id)
    .executeTakeFirstOrThrow();
}

const exportFor = (purpose: string, basis: string) =>
  postForm(t, admin, '/console/leads/export', { recipient: crm, purpose, basis });

beforeAll(async () => {
  t = await createTestApp();
  admin = await staffJar(t, 'admin');
  crm = await addCrm(t);
  await addRecipient(t, {
    key: 'advendor',
    name: 'AdVendor Inc.',
    categories: ['online.activity'],
    purpose: 'measures our advertising',
  });
  const ad = await postForm(t, admin, '/console/settings/tags', {
    name: 'Ad pixel',
    category: 'advertising',
    provider: 'advendor',
    categories: 'online.activity',
    scriptUrl: 'https://ads.vendor.example/pixel.js',
  });
  expect(ad.statusCode).toBe(303);
});
afterAll(async () => t.close());

describe('opt-outs that are stored are applied', () => {
  it('every opt-out the Privacy Center or GPC writes names what it withdraws and where', () => {
    for (const effect of Object.values(optOutEffects)) {
      expect(effect.withdraws.length).toBeGreaterThan(0);
      expect(effect.effects.length).toBeGreaterThan(0);
    }
    expect(optOutEffects.sms.withdraws).toContain('sms_communication');
  });

  it('advertising: no click id is stored with the lead of a person who opted out', async () => {
    await optOut('ads-out@clinic.example', 'advertising');
    expect((await submit('ads-out@clinic.example', {})).statusCode).toBe(201);
    expect(await storedTags('ads-out@clinic.example')).toEqual({
      gclid: null,
      msclkid: null,
      utm_source: 'newsletter',
    });
    // Someone who did not opt out keeps them: the campaign is how they found us.
    expect((await submit('ads-in@clinic.example', {})).statusCode).toBe(201);
    expect(await storedTags('ads-in@clinic.example')).toMatchObject({ gclid: 'gclid-123' });
  });

  it('Global Privacy Control at intake: no click id is stored', async () => {
    expect((await submit('gpc@clinic.example', { gpc: true })).statusCode).toBe(201);
    expect(await storedTags('gpc@clinic.example')).toEqual({
      gclid: null,
      msclkid: null,
      utm_source: 'newsletter',
    });
  });

  it('advertising: no advertising tag loads in the browser the person identifies themselves from', async () => {
    await optOut('tagged@clinic.example', 'advertising');
    const granted = `spmb_choices=a:d.d:g.v:${V}`;
    expect((await t.app.inject({ url: '/', headers: { cookie: granted } })).body).toContain(
      'ads.vendor.example',
    );
    const res = await submit('tagged@clinic.example', { cookie: granted });
    expect(res.statusCode).toBe(201);
    const set = res.cookies.find((c) => c.name === 'spmb_choices');
    expect(set?.value).toContain('d:d');
    const after = await t.app.inject({
      url: '/',
      headers: { cookie: `spmb_choices=${set!.value}` },
    });
    expect(after.body).not.toContain('ads.vendor.example');
  });

  it('advertising and sensitive_limit: excluded from marketing exports, still served for their requests', async () => {
    expect((await submit('market-ok@clinic.example', {})).statusCode).toBe(201);
    expect((await submit('market-ads@clinic.example', {})).statusCode).toBe(201);
    expect((await submit('market-limit@clinic.example', {})).statusCode).toBe(201);
    await optOut('market-ads@clinic.example', 'advertising');
    await optOut('market-limit@clinic.example', 'sensitive_limit');
    const marketing = await exportFor('marketing', 'consent');
    expect(marketing.statusCode).toBe(200);
    expect(marketing.body).toContain('market-ok@clinic.example');
    expect(marketing.body).not.toContain('market-ads@clinic.example');
    expect(marketing.body).not.toContain('market-limit@clinic.example');
    const service = await exportFor('service_request', 'requested_service');
    expect(service.statusCode).toBe(200);
    expect(service.body).toContain('market-ads@clinic.example');
    expect(service.body).toContain('market-limit@clinic.example');
  });
});
