import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRandom, fakePerson } from '../adapters/demo-data.js';
import { createKernel } from '../privacy/kernel.js';
import { loadKeyring } from '../privacy/keyring.js';
import { createTestApp, rowCount, TestClock, type TestApp } from '../test-support/app.js';
import { getAs, staffJar } from '../test-support/staff.js';
import { demoCommand, looksLive } from './demo.js';

// `starspmb demo seed` on the test database (SQLite, or PostgreSQL with TEST_DATABASE_URL): it
// writes through the services and the kernel, so the console shows it and nothing is plaintext.

const clock = new TestClock(new Date('2026-11-28T12:00:00.000Z'));
let t: TestApp;
const lines: string[] = [];
const io = { print: (l: string) => lines.push(l), error: (l: string) => lines.push(l) };
const seed = (...args: string[]) => demoCommand(t.config, ['seed', ...args], io, clock);

beforeAll(async () => {
  // The app reads the key file the command makes in the data folder, as a started server would.
  t = await createTestApp({ clock, kernel: (dataDir) => createKernel(loadKeyring({ dataDir })) });
  // Sixty days: each closed day is compacted on its own, and a year takes long on PostgreSQL.
  expect(await seed('--leads', '30', '--events', '800', '--days', '60', '--seed', '7')).toBe(0);
});
afterAll(() => t.close());

describe('demo seed', () => {
  it('fills each capability: leads of every type and status, consents, requests, two months of visits', async () => {
    const leads = await t.db.selectFrom('leads').select(['status', 'user_type']).execute();
    // Thirty made; a completed deletion request removes its lead.
    expect(leads.length).toBeGreaterThan(25);
    expect(leads.length).toBeLessThanOrEqual(30);
    expect(new Set(leads.map((l) => l.status))).toEqual(
      new Set(['new', 'contacted', 'qualified', 'won', 'lost']),
    );
    expect(new Set(leads.map((l) => l.user_type))).toEqual(
      new Set(['patient', 'provider', 'partner']),
    );
    const consents = await t.db.selectFrom('consents').select(['purpose', 'granted']).execute();
    const kinds = new Set(consents.map((c) => `${c.purpose}:${c.granted}`));
    for (const k of ['marketing:1', 'marketing:0', 'sms_communication:1', 'sms_communication:0'])
      expect(kinds).toContain(k);
    expect(await rowCount(t.db, 'privacy_requests')).toBe(3);
    const events = await rowCount(t.db, 'analytics_events');
    const segments = await t.db.selectFrom('analytics_segments').select('day').execute();
    // The closed days went to segments; what is left in the table is today's.
    expect(segments.length).toBeGreaterThan(50);
    expect(events).toBeLessThan(100);
    // Demo mail is never sent: nothing the seed queued is left in the outbox.
    expect(await rowCount(t.db, 'outbox')).toBe(0);
    expect(lines.join('\n')).toMatch(/Demo data seeded in [\d.]+ s \(seed 7\)/);
  });

  it('seals contact details: only the kernel reads them, and they are obviously fake', async () => {
    const rows = await t.db.selectFrom('leads').select(['email', 'name', 'phone']).execute();
    for (const row of rows) {
      expect(JSON.stringify(row)).not.toMatch(/example\.(com|org)|555-01|\(\d{3}\)/);
      const open = t.kernel.open('leads', row);
      expect(open.email).toMatch(/@example\.(com|org)$/);
      if (open.phone) expect(open.phone).toMatch(/555.?01\d\d$/);
    }
    const requests = await t.db.selectFrom('privacy_requests').select('email').execute();
    for (const r of requests) expect(String(r.email)).not.toContain('@example.');
  });

  it('shows on the console: leads, privacy requests and the analytics dashboard', async () => {
    const leadsPage = await getAs(t, await staffJar(t, 'sales'), '/console/leads');
    expect(leadsPage.statusCode).toBe(200);
    expect(leadsPage.body).toContain('(demo)');
    const queue = await getAs(t, await staffJar(t, 'privacy'), '/console/privacy');
    expect(queue.statusCode).toBe(200);
    const dashboard = await getAs(
      t,
      await staffJar(t, 'marketing'),
      '/console/analytics?range=12m',
    );
    expect(dashboard.statusCode).toBe(200);
    expect(dashboard.body).toContain('/services');
    expect(dashboard.body).toContain('google');
  });

  it('refuses a database that holds leads unless --force, and a live site unless --force', async () => {
    lines.length = 0;
    expect(await seed('--leads', '2')).toBe(1);
    expect(lines.join('\n')).toMatch(/holds \d+ leads, which may be real people.*--force/);
    expect(looksLive('https://www.starspmb.com')).toBe(true);
    for (const local of ['http://localhost:3000', 'https://demo.example.com', 'https://site.test'])
      expect(looksLive(local)).toBe(false);
  });

  it('refuses while the site runs on the database: its sender could send demo mail', async () => {
    expect(await t.app.jobLeases.take('outbox', 60_000)).toBe(true);
    lines.length = 0;
    expect(await seed('--force', '--leads', '1', '--events', '0')).toBe(1);
    expect(lines.join('\n')).toContain('The site is running on this database');
  });

  it('makes the same people from the same seed, and refuses a count it cannot read', async () => {
    const a = createRandom(42);
    const b = createRandom(42);
    expect(fakePerson(a, 3)).toEqual(fakePerson(b, 3));
    lines.length = 0;
    expect(await seed('--leads', 'many')).toBe(1);
    expect(lines.join('\n')).toContain('--leads takes a whole number');
  });
});
