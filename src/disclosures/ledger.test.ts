import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { elementTexts } from '../pages/testing.js';
import { recordDisclosure, type Disclosure } from '../privacy/disclosures.js';
import { createTestApp, type TestApp } from '../test-support/app.js';
import { getAs, staffSessions } from '../test-support/staff.js';
import { addAuthority, addRecipient } from './testing.js';

const url = '/console/disclosures';
let t: TestApp;
let staff: Awaited<ReturnType<typeof staffSessions>>;
let relay: string;
let court: string;
const riley = randomUUID();
const sam = randomUUID();

beforeAll(async () => {
  t = await createTestApp();
  staff = await staffSessions(t, ['admin', 'sales', 'marketing', 'privacy']);
  relay = await addRecipient(t, {
    name: 'Relay Mail Co',
    categories: ['contact.email', 'contact.name'],
  });
  court = await addRecipient(t, {
    kind: 'third_party',
    name: 'Dallas County Court',
    contractRef: null,
  });
  const at = (i: number) => new Date(Date.UTC(2026, 11, 1) + i * 60_000);
  const email = (subjects: Disclosure['subjects']): Disclosure => ({
    recipientId: relay,
    basis: 'requested_service',
    purpose: 'service_request',
    categories: ['contact.email'],
    subjects,
    actor: { kind: 'system', name: 'outbox' },
    channel: 'email_provider',
  });
  // 55 hand-offs about Sam, one about both, and one court order about Riley.
  for (let i = 0; i < 55; i++)
    await recordDisclosure(t.db, email([{ type: 'lead', id: sam }]), at(i));
  await recordDisclosure(
    t.db,
    email([
      { type: 'lead', id: sam },
      { type: 'lead', id: riley },
    ]),
    at(60),
  );
  // The court order, as a privacy officer entered it: it names Riley.
  await addAuthority(t, {
    kind: 'legal_process',
    recipientId: court,
    reference: 'Subpoena 2026-CV-0142',
    leads: [riley],
  });
  await recordDisclosure(
    t.db,
    {
      ...email([{ type: 'lead', id: riley }]),
      recipientId: court,
      basis: 'legal_obligation',
      reference: 'Subpoena 2026-CV-0142',
      actor: { kind: 'staff', id: staff.privacy!.id },
      channel: 'legal_process',
    },
    at(61),
  );
});
afterAll(async () => t.close());

const rows = (html: string) => elementTexts(html.slice(html.indexOf('<tbody>')), 'tr');
const count = (html: string) =>
  elementTexts(html, 'p').find((p) => /^(Showing|No disclosures)/.test(p));

describe('the ledger', () => {
  it('lists every disclosure newest first, fifty a page', async () => {
    const first = await getAs(t, staff.privacy!.jar, url);
    expect(first.statusCode).toBe(200);
    expect(count(first.body)).toBe('Showing 1–50 of 57');
    const top = rows(first.body)[0]!;
    expect(top).toContain('Dallas County Court');
    expect(top).toContain('legal obligation');
    expect(top).toContain('Subpoena 2026-CV-0142');
    expect(top).toContain(`lead ${riley.slice(0, 8)}`);
    // Staff who disclosed are named; no person's data is shown, only categories and record ids.
    expect(top).toMatch(/privacy-\w+@example\.test/);
    const second = await getAs(t, staff.privacy!.jar, `${url}?page=2`);
    expect(count(second.body)).toBe('Showing 51–57 of 57');
    expect(rows(second.body)).toHaveLength(7);
  });

  it('filters by person, recipient and basis', async () => {
    const jar = staff.admin!.jar;
    expect(count((await getAs(t, jar, `${url}?lead=${riley}`)).body)).toBe('Showing 1–2 of 2');
    expect(count((await getAs(t, jar, `${url}?lead=${sam}`)).body)).toBe('Showing 1–50 of 56');
    expect(count((await getAs(t, jar, `${url}?recipient=${court}`)).body)).toBe('Showing 1–1 of 1');
    expect(count((await getAs(t, jar, `${url}?basis=requested_service&lead=${riley}`)).body)).toBe(
      'Showing 1–1 of 1',
    );
    expect(count((await getAs(t, jar, `${url}?basis=consent`)).body)).toBe('No disclosures match.');
    const empty = await getAs(t, jar, `${url}?lead=&recipient=&basis=&page=`);
    expect(count(empty.body)).toBe('Showing 1–50 of 57');
  });

  it('keeps the filters on the pager links', async () => {
    const res = await getAs(t, staff.admin!.jar, `${url}?lead=${sam}`);
    expect(res.body).toContain(`href="${url}?lead=${sam}&amp;page=2"`);
  });

  it('answers bad filters with 400 and a message, never 500', async () => {
    const jar = staff.admin!.jar;
    const cases: [string, string][] = [
      ['basis=gift', 'Basis must be one of'],
      ['page=0', 'The page number must be a whole number'],
      ['page=abc', 'The page number must be a whole number'],
      [`lead=${'x'.repeat(65)}`, 'A lead id is at most 64 characters'],
      ['lead=a&lead=b', 'Enter one lead id'],
    ];
    for (const [query, message] of cases) {
      const res = await getAs(t, jar, `${url}?${query}`);
      expect(res.statusCode, query).toBe(400);
      expect(res.body, query).toContain(message);
    }
  });
});

describe('who may read the ledger', () => {
  it.each(['admin', 'privacy'])('%s may, with a menu item', async (role) => {
    const res = await getAs(t, staff[role]!.jar, url);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(`href="${url}"`);
  });

  it.each(['sales', 'marketing'])('%s may not', async (role) => {
    const res = await getAs(t, staff[role]!.jar, url);
    expect(res.statusCode).toBe(403);
    expect(res.body).not.toContain('Dallas County Court');
    expect(res.body).not.toContain(`href="${url}"`);
  });

  it('nobody may without a session', async () => {
    const res = await t.app.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toContain('/console/login');
  });
});
