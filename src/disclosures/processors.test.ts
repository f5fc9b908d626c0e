import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { visibleText } from '../pages/testing.js';
import { currentPolicy } from '../privacy/policy-versions.js';
import { createTestApp, type TestApp } from '../test-support/app.js';
import { getAs, postForm, staffSessions } from '../test-support/staff.js';

const url = '/console/settings/processors';
let t: TestApp;
let staff: Awaited<ReturnType<typeof staffSessions>>;

beforeAll(async () => {
  t = await createTestApp();
  staff = await staffSessions(t, ['admin', 'sales', 'marketing', 'privacy']);
});
afterAll(async () => t.close());

const admin = () => staff.admin!.jar;
const relay = {
  kind: 'processor',
  key: 'smtp-relay',
  name: 'Postmark Relay Ltd',
  categories: ['contact.email', 'contact.name'],
  purpose: 'delivers the emails we send',
  contractRef: 'DPA-2026-07',
};
const recipients = () =>
  t.db
    .selectFrom('recipients')
    .select(['id', 'key', 'kind', 'name', 'categories', 'active', 'related_entity'])
    .orderBy('created_at')
    .orderBy('key')
    .execute();
const changes = () =>
  t.db
    .selectFrom('audit_log')
    .select(['actor_id', 'target_id', 'detail'])
    .where('action', '=', 'processor_change')
    .orderBy('seq')
    .execute();
const privacyText = async () => visibleText((await t.app.inject('/privacy')).body);
/** The policy's list of service providers, without the change log that names past ones. */
const providersText = async () =>
  /Service providers\s+(.*?)\s+Cookies and automatic collection/s.exec(
    (await privacyText()).split('Who we are')[2] ?? '',
  )?.[1] ?? '';

describe('registering a service provider', () => {
  it('stores it, audits it, and lists it on the privacy policy', async () => {
    expect(await privacyText()).toContain('No outside company processes personal information');
    const res = await postForm(t, admin(), url, relay);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(url);
    const [row] = await recipients();
    expect(row).toMatchObject({
      key: 'smtp-relay',
      kind: 'processor',
      name: 'Postmark Relay Ltd',
      active: 1,
      related_entity: 0,
    });
    expect(JSON.parse(row!.categories)).toEqual(['contact.email', 'contact.name']);
    const [audit] = await changes();
    expect(audit).toMatchObject({ actor_id: staff.admin!.id, target_id: row!.id });
    expect(JSON.parse(audit!.detail!)).toMatchObject({
      change: 'registered',
      key: 'smtp-relay',
      categories: 'contact.email,contact.name',
    });

    const list = await getAs(t, admin(), url);
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('Postmark Relay Ltd');
    const policy = await privacyText();
    expect(policy).not.toContain('No outside company processes personal information');
    expect(policy).toContain('Postmark Relay Ltd');
    expect(policy).toMatch(
      /Postmark Relay Ltd\s*Your name and your email address\s*Delivers the emails we send/,
    );
  });

  it('never lists a third party on the policy page', async () => {
    const res = await postForm(t, admin(), url, {
      kind: 'third_party',
      key: 'county-court',
      name: 'Dallas County Court',
    });
    expect(res.statusCode).toBe(303);
    expect(await privacyText()).not.toContain('Dallas County Court');
  });
});

describe('the registration form refuses, with the reason beside the field', () => {
  const cases: [string, Record<string, string | string[]>, string, string][] = [
    [
      'no categories',
      { ...relay, key: 'x-1', categories: [] },
      'categories',
      'Tick each kind of data',
    ],
    [
      'no contract',
      { ...relay, key: 'x-2', contractRef: '' },
      'contractRef',
      'bound by a contract',
    ],
    [
      'no purpose',
      { ...relay, key: 'x-3', purpose: ' ' },
      'purpose',
      'the privacy policy prints it',
    ],
    ['no name', { ...relay, key: 'x-4', name: '' }, 'name', 'Enter the name'],
    ['a bad key', { ...relay, key: 'SMTP Relay!' }, 'key', 'lower-case letters and digits'],
    ['a taken key', { ...relay }, 'key', 'already belongs to Postmark Relay Ltd'],
    [
      'an unknown category',
      { ...relay, key: 'x-5', categories: ['contact.fax'] },
      'categories',
      'not in the data map',
    ],
    [
      'a third party with categories',
      { ...relay, kind: 'third_party', key: 'x-6' },
      'categories',
      'Third parties are not registered',
    ],
    [
      'a related company as a service provider, in any category',
      { ...relay, key: 'x-7', relatedEntity: 'on', categories: ['online.activity'] },
      'categories',
      'cannot be a service provider',
    ],
    [
      'an unknown kind',
      { ...relay, key: 'x-8', kind: 'friend' },
      'kind',
      'service provider or a third party',
    ],
  ];
  it.each(cases)('%s', async (_label, fields, field, message) => {
    const before = await recipients();
    const res = await postForm(t, admin(), url, fields);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain(message);
    expect(res.body).toMatch(
      new RegExp(`id="${field}"[^>]*aria-(invalid="true"|describedby="[^"]*${field}-error)`),
    );
    expect(await recipients()).toEqual(before);
  });

  it('keeps what was typed, ticked boxes included', async () => {
    const res = await postForm(t, admin(), url, { ...relay, key: 'x-9', contractRef: '' });
    expect(res.body).toContain('value="x-9"');
    expect(res.body).toMatch(/value="contact\.name"[^>]*checked/);
  });
});

describe('editing and deactivating', () => {
  const relayRow = async () => (await recipients()).find((r) => r.key === 'smtp-relay')!;

  it('edits categories but never the kind or key', async () => {
    const { id } = await relayRow();
    const res = await postForm(t, admin(), `${url}/${id}`, {
      ...relay,
      kind: 'third_party',
      key: 'other',
      categories: ['contact.email'],
    });
    expect(res.statusCode).toBe(303);
    const row = await relayRow();
    expect(row).toMatchObject({ id, kind: 'processor', key: 'smtp-relay' });
    expect(JSON.parse(row.categories)).toEqual(['contact.email']);
    expect(JSON.parse((await changes()).at(-1)!.detail!)).toMatchObject({
      change: 'edited',
      categories: 'contact.email',
    });
    const form = await getAs(t, admin(), `${url}/${id}`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('DPA-2026-07');
  });

  it('refuses an edit that breaks a rule, and changes nothing', async () => {
    const before = await relayRow();
    const res = await postForm(t, admin(), `${url}/${before.id}`, { ...relay, contractRef: '' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('bound by a contract');
    expect(await relayRow()).toEqual(before);
  });

  it('deactivates (off the policy page) and reactivates, each audited', async () => {
    const { id } = await relayRow();
    expect((await postForm(t, admin(), `${url}/${id}/deactivate`, {})).statusCode).toBe(303);
    expect((await relayRow()).active).toBe(0);
    expect(await providersText()).toContain('No outside company processes personal information');
    expect(await providersText()).not.toContain('Postmark Relay Ltd');
    expect((await postForm(t, admin(), `${url}/${id}/activate`, {})).statusCode).toBe(303);
    expect((await relayRow()).active).toBe(1);
    expect(await privacyText()).toContain('Postmark Relay Ltd');
    const last = (await changes())
      .slice(-2)
      .map((c) => (JSON.parse(c.detail!) as { change: string }).change);
    expect(last).toEqual(['deactivated', 'reactivated']);
  });

  it('publishes each change the policy page prints as a new version, with a dated change-log line', async () => {
    const versions = () =>
      t.db
        .selectFrom('policy_revisions')
        .select(['version', 'summary'])
        .orderBy('created_at')
        .orderBy('version')
        .execute();
    const v = currentPolicy.version;
    // Registered, edited, deactivated and reactivated above: four printed changes, four versions.
    expect((await versions()).map((r) => r.version)).toEqual([
      `${v}.1`,
      `${v}.2`,
      `${v}.3`,
      `${v}.4`,
    ]);
    const page = await privacyText();
    expect(page).toMatch(new RegExp(`Version ${v}\\.4, effective`));
    expect(page).toContain('Postmark Relay Ltd no longer receives information from us.');
    expect(page).toMatch(
      /Postmark Relay Ltd now acts as a service provider for us \(delivers the emails we send\), receiving your name and your email address\./i,
    );
    expect(JSON.parse((await changes()).at(-1)!.detail!)).toMatchObject({
      policy_version: `${v}.4`,
    });

    // Saving an entry unchanged, or a change the page does not print (a contract reference), adds
    // no version; nor does registering a third party, which the page never lists.
    const { id } = await relayRow();
    await postForm(t, admin(), `${url}/${id}`, {
      ...relay,
      categories: ['contact.email'],
      contractRef: 'DPA-2027-01',
    });
    await postForm(t, admin(), url, {
      kind: 'third_party',
      key: 'state-board',
      name: 'Texas Medical Board',
    });
    expect(await versions()).toHaveLength(4);
  });

  it('answers an unknown id with 404', async () => {
    expect((await getAs(t, admin(), `${url}/no-such-id`)).statusCode).toBe(404);
    expect((await postForm(t, admin(), `${url}/no-such-id/deactivate`, {})).statusCode).toBe(404);
  });
});

describe('who may manage the registry', () => {
  it.each(['sales', 'marketing', 'privacy'])('%s may not see or change it', async (role) => {
    const jar = staff[role]!.jar;
    expect((await getAs(t, jar, url)).statusCode).toBe(403);
    expect((await getAs(t, jar, `${url}/new`)).statusCode).toBe(403);
    const before = await recipients();
    const res = await postForm(t, jar, url, { ...relay, key: `by-${role}` });
    expect(res.statusCode).toBe(403);
    expect((await postForm(t, jar, `${url}/${before[0]!.id}/deactivate`, {})).statusCode).toBe(403);
    expect(await recipients()).toEqual(before);
  });

  it('nobody may change it without the CSRF token or a session', async () => {
    const before = await recipients();
    expect(
      (await postForm(t, admin(), url, { ...relay, key: 'no-csrf' }, { csrf: false })).statusCode,
    ).toBe(403);
    const anon = await t.app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        ...relay,
        key: 'anon',
        categories: 'contact.email',
      }).toString(),
    });
    expect(anon.statusCode).toBe(401);
    expect(await recipients()).toEqual(before);
  });

  it('shows the menu item to admins only', async () => {
    expect((await getAs(t, admin(), url)).body).toContain(`href="${url}"`);
    expect((await getAs(t, staff.privacy!.jar, '/console/disclosures')).body).not.toContain(
      `href="${url}"`,
    );
  });
});
