import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addRecipient } from '../disclosures/testing.js';
import { visibleText } from '../pages/testing.js';
import { cookieHeader, createTestApp, TestClock, type TestApp } from '../test-support/app.js';
import { postForm, staffJar, type Jar } from '../test-support/staff.js';
import { currentPolicy } from './policy-versions.js';
import { assertTagVendor } from './tag-disclosures.js';

// Clause (issue 14): "Advertising and analytics tag vendors are service providers like any other:
// registered with a contract reference and the categories they receive, shown in the policy,
// their activation recorded in the disclosure ledger." And: related companies receive nothing
// for business or commercial purposes, in any category.

let t: TestApp;
const clock = new TestClock();
let admin: Jar;
const url = '/console/settings/tags';
const tag = (over: Record<string, string | string[]> = {}) => ({
  name: 'Pixel',
  category: 'advertising',
  provider: 'pixelco',
  categories: ['online.activity'],
  scriptUrl: 'https://px.vendor.example/p.js',
  ...over,
});
const stored = async () => ({
  tags: (await t.db.selectFrom('tags').select('id').execute()).length,
  ledger: (await t.db.selectFrom('tag_disclosures').select('id').execute()).length,
});
const periods = (tagId: string) =>
  t.db
    .selectFrom('tag_disclosures')
    .select(['recipient_id', 'categories', 'purpose', 'started_at', 'ended_at'])
    .where('tag_id', '=', tagId)
    .orderBy('started_at')
    .execute();
const tagId = async (name: string) =>
  (await t.db.selectFrom('tags').select('id').where('name', '=', name).executeTakeFirstOrThrow())
    .id;

let pixelco: string;
beforeAll(async () => {
  t = await createTestApp({ clock });
  admin = await staffJar(t, 'admin');
  pixelco = await addRecipient(t, {
    key: 'pixelco',
    name: 'PixelCo',
    categories: ['online.activity', 'online.device'],
    purpose: 'measures our advertising',
    contractRef: 'DPA-PX-1',
  });
  const online = { categories: ['online.activity' as const] };
  await addRecipient(t, { ...online, key: 'nocontract', name: 'NoContract', contractRef: null });
  await addRecipient(t, { ...online, key: 'sisterco', name: 'SisterCo', relatedEntity: true });
  await addRecipient(t, { key: 'outsider', name: 'Outsider', kind: 'third_party' });
  await addRecipient(t, { ...online, key: 'gone', name: 'Gone', active: false });
});
afterAll(async () => t.close());

describe('"Advertising and analytics tag vendors are service providers like any other"', () => {
  it('refuses a tag whose vendor is not a registered, active, contracted service provider, storing nothing', async () => {
    const before = await stored();
    const cases: [Record<string, string | string[]>, RegExp][] = [
      [{ provider: 'nobody' }, /no service provider is registered under the key nobody/],
      [{ provider: 'nocontract' }, /has no contract reference/],
      [{ provider: 'sisterco' }, /related compan/],
      [{ provider: 'outsider' }, /third party, not as a service provider/],
      [{ provider: 'gone' }, /has been deactivated/],
    ];
    for (const [over, message] of cases) {
      const res = await postForm(t, admin, url, tag({ ...over, categories: [] }));
      expect(res.statusCode, JSON.stringify(over)).toBe(400);
      const ok = await postForm(t, admin, url, tag(over));
      expect(ok.statusCode, JSON.stringify(over)).toBe(400);
      expect(visibleText(ok.body), JSON.stringify(over)).toMatch(message);
    }
    expect(await stored()).toEqual(before);
  });

  it('refuses a category the provider is not registered for, or one no tag may send', async () => {
    const before = await stored();
    const extra = await postForm(t, admin, url, tag({ categories: ['online.location'] }));
    expect(extra.statusCode).toBe(400);
    expect(visibleText(extra.body)).toMatch(
      /PixelCo \(pixelco\) is not registered to receive online\.location/,
    );
    const intake = await postForm(t, admin, url, tag({ categories: ['contact.email'] }));
    expect(intake.statusCode).toBe(400);
    expect(visibleText(intake.body)).toContain('Choose what the tag sends from the list');
    expect(await stored()).toEqual(before);
  });

  it('records activation and deactivation in the disclosure ledger: which categories, to whom, since when', async () => {
    const on = await postForm(
      t,
      admin,
      url,
      tag({ categories: ['online.activity', 'online.device'] }),
    );
    expect(on.statusCode).toBe(303);
    const id = await tagId('Pixel');
    const opened = await periods(id);
    expect(opened).toEqual([
      {
        recipient_id: pixelco,
        categories: '["online.activity","online.device"]',
        purpose: 'advertising',
        started_at: '2026-11-28T12:00:00.000Z',
        ended_at: null,
      },
    ]);
    clock.advance(60_000);
    admin = await staffJar(t, 'admin');
    expect((await postForm(t, admin, `${url}/${id}/deactivate`)).statusCode).toBe(303);
    // Safe to repeat: a second deactivation records nothing more.
    expect((await postForm(t, admin, `${url}/${id}/deactivate`)).statusCode).toBe(303);
    expect((await postForm(t, admin, `${url}/${id}/activate`)).statusCode).toBe(303);
    const after = await periods(id);
    expect(after.map((p) => [p.started_at, p.ended_at])).toEqual([
      ['2026-11-28T12:00:00.000Z', '2026-11-28T12:01:00.000Z'],
      ['2026-11-28T12:01:00.000Z', null],
    ]);
    const audit = await t.db
      .selectFrom('audit_log')
      .select('detail')
      .where('action', '=', 'disclosure')
      .where('target_type', '=', 'tag_disclosure')
      .orderBy('seq')
      .execute();
    expect(audit.map((a) => (JSON.parse(a.detail!) as { event: string }).event)).toEqual([
      'tag_started',
      'tag_ended',
      'tag_started',
    ]);
    const ledger = await t.app.inject({
      url: '/console/disclosures',
      headers: { cookie: cookieHeader(admin) },
    });
    const text = visibleText(ledger.body);
    expect(text).toContain('Website tags');
    expect(text).toMatch(/still active PixelCo Pixel advertising online\.activity, online\.device/);
  });

  it('refuses activation once the provider has lost its contract or a category, and the tag stops loading', async () => {
    const id = await tagId('Pixel');
    const served = await t.app.inject({
      url: '/',
      headers: { cookie: 'spmb_choices=' + choices() },
    });
    expect(served.body).toContain('px.vendor.example');
    await t.db
      .updateTable('recipients')
      .set({ contract_ref: null })
      .where('id', '=', pixelco)
      .execute();
    const stopped = await t.app.inject({
      url: '/',
      headers: { cookie: 'spmb_choices=' + choices() },
    });
    expect(stopped.body).not.toContain('px.vendor.example');
    expect((await postForm(t, admin, `${url}/${id}/deactivate`)).statusCode).toBe(303);
    const before = await stored();
    const refused = await postForm(t, admin, `${url}/${id}/activate`);
    expect(refused.statusCode).toBe(400);
    expect(visibleText(refused.body)).toContain(
      'This tag cannot be activated: PixelCo (pixelco) has no contract reference',
    );
    await t.db
      .updateTable('recipients')
      .set({ contract_ref: 'DPA-PX-2', categories: '["online.activity"]' })
      .where('id', '=', pixelco)
      .execute();
    const narrower = await postForm(t, admin, `${url}/${id}/activate`);
    expect(narrower.statusCode).toBe(400);
    expect(visibleText(narrower.body)).toContain('is not registered to receive online.device');
    expect(await stored()).toEqual(before);
    const row = await t.db
      .selectFrom('tags')
      .select('active')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(Number(row.active)).toBe(0);
  });

  it('names each registered tag vendor in the policy as a service provider, with the categories it receives', async () => {
    const text = visibleText((await t.app.inject('/privacy')).body);
    expect(text).toContain(
      'These companies are our service providers, bound by a contract with us.',
    );
    expect(text).toContain(
      'PixelCo (advertising): receives the pages you view and what you click on our website; your browser type and version, operating system and kind of device',
    );
  });
});

describe('hostile requests to the tag registry', () => {
  it('refuses a cross-site post and the sales role, storing nothing', async () => {
    const before = await stored();
    const crossSite = await t.app.inject({
      method: 'POST',
      url,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: cookieHeader(admin),
        'sec-fetch-site': 'cross-site',
        origin: 'https://evil.example',
      },
      payload: new URLSearchParams({
        name: 'Evil',
        category: 'analytics',
        provider: 'pixelco',
      }).toString(),
    });
    expect(crossSite.statusCode).toBe(403);
    const sales = await staffJar(t, 'sales');
    expect((await postForm(t, sales, url, tag({ name: 'Sales pixel' }))).statusCode).toBe(403);
    const id = await tagId('Pixel');
    expect((await postForm(t, sales, `${url}/${id}/activate`)).statusCode).toBe(403);
    expect(await stored()).toEqual(before);
  });

  it('refuses a NUL in a service provider’s contract reference with a 400 naming the field', async () => {
    const res = await postForm(t, admin, '/console/settings/processors', {
      kind: 'processor',
      key: 'nul-vendor',
      name: 'Nul Vendor',
      categories: 'online.activity',
      purpose: 'measures',
      contractRef: 'DPA\u0000-1',
    });
    expect(res.statusCode).toBe(400);
    expect(visibleText(res.body)).toMatch(/contractRef.*cannot store/);
    const row = await t.db
      .selectFrom('recipients')
      .select('id')
      .where('key', '=', 'nul-vendor')
      .execute();
    expect(row).toEqual([]);
  });
});

describe('"We do not share information with our related entities ... for any business or commercial purposes"', () => {
  it('a related company is refused as a tag vendor, even when registered for online activity', async () => {
    const sister = await addRecipient(t, {
      key: 'sister-analytics',
      categories: ['online.activity'],
      relatedEntity: true,
    });
    await expect(
      assertTagVendor(t.db, sister, ['online.activity'], 'analytics'),
    ).rejects.toMatchObject({
      reason: 'related_entity',
    });
  });
});

/** A choice cookie allowing both categories under the current policy version. */
const choices = () => `a:g.d:g.v:${currentPolicy.version.replace('.', '_')}`;
