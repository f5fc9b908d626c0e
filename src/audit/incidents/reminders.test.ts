import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StaffUser } from '../../accounts/service.js';
import type { Mailer, OutgoingMail } from '../../adapters/mailer.js';
import { TestClock, createTestApp, type TestApp } from '../../test-support/app.js';
import { addCalendarDays } from '../../adapters/dates.js';
import { deadlineFor, reminderDue } from './deadline.js';
import { createIncidentService, type IncidentService } from './service.js';

const DAY = 86_400_000;
// The clock starts at 2026-11-28 12:00 UTC.
const clock = new TestClock();
const sent: OutgoingMail[] = [];
const mailer: Mailer = { send: async (m) => void sent.push(m), close: () => undefined };
let t: TestApp;
let service: IncidentService;
let officer: StaffUser;

beforeAll(async () => {
  t = await createTestApp({ clock, mailer });
  officer = await t.app.accounts.createStaffUser({
    email: 'officer@example.test',
    password: 'correct horse battery staple',
    role: 'privacy',
  });
  await t.app.accounts.createStaffUser({
    email: 'boss@example.test',
    password: 'correct horse battery staple',
    role: 'admin',
  });
  service = createIncidentService({ db: t.db, clock });
});
afterAll(async () => t.close());

const reminders = () =>
  t.db
    .selectFrom('outbox')
    .select(['kind', 'payload', 'sent_at'])
    .where('kind', '=', 'incident_reminder')
    .execute();

/** Opens an incident whose deadline is `days` days after the clock's today. */
async function openWithDeadlineIn(days: number) {
  const today = clock.now().toISOString().slice(0, 10);
  return service.open(officer, {
    summary: 'Misdirected export.',
    discoveredOn: addCalendarDays(today, days - 60),
    categories: ['contact.email'],
  });
}

describe('deadline rules', () => {
  it('is 60 days from discovery, or a shorter contract period', () => {
    expect(deadlineFor('2026-01-01', null)).toBe('2026-03-02');
    expect(deadlineFor('2026-01-01', 10)).toBe('2026-01-11');
    expect(deadlineFor('2026-01-01', 90)).toBe('2026-03-02');
  });

  it('reminds at 14 and at 3 days, the most urgent one when late', () => {
    expect([20, 15, 14, 10, 4, 3, 0, -2].map(reminderDue)).toEqual([
      undefined,
      undefined,
      14,
      14,
      14,
      3,
      3,
      3,
    ]);
  });
});

describe('dueIncidentReminders', () => {
  it('queues the 14-day and 3-day reminders once each, however often it runs', async () => {
    const id = await openWithDeadlineIn(20);
    expect(await service.dueIncidentReminders(clock.now())).toBe(0);
    clock.advance(6 * DAY); // 14 days left
    expect(await service.dueIncidentReminders(clock.now())).toBe(1);
    expect(await service.dueIncidentReminders(clock.now())).toBe(0);
    clock.advance(5 * DAY); // 9 days left: the 14-day reminder went already
    expect(await service.dueIncidentReminders(clock.now())).toBe(0);
    clock.advance(6 * DAY); // 3 days left
    // Two schedulers at once (two instances): still one reminder.
    const both = await Promise.all([
      service.dueIncidentReminders(clock.now()),
      service.dueIncidentReminders(clock.now()),
    ]);
    expect(both[0] + both[1]).toBe(1);
    const payloads = (await reminders()).map(
      (r) => JSON.parse(r.payload) as Record<string, string>,
    );
    expect(payloads.filter((p) => p.incidentId === id).map((p) => p.daysBefore)).toEqual([
      '14',
      '3',
    ]);
  });

  it('sends nothing for a closed incident', async () => {
    const before = (await reminders()).length;
    const id = await openWithDeadlineIn(2);
    await service.close(officer, id);
    expect(await service.dueIncidentReminders(clock.now())).toBe(0);
    expect((await reminders()).length).toBe(before);
  });

  it('gives a moved deadline its own reminders', async () => {
    const id = await openWithDeadlineIn(10);
    expect(await service.dueIncidentReminders(clock.now())).toBe(1);
    const incident = await t.db
      .selectFrom('incidents')
      .select('discovered_on')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    await service.update(officer, id, {
      summary: 'Misdirected export.',
      discoveredOn: incident.discovered_on,
      categories: ['contact.email'],
      contractDays: 50,
    });
    expect(await service.dueIncidentReminders(clock.now())).toBe(1);
  });

  it('emails the privacy officers a link and the date, and nothing about anyone', async () => {
    sent.length = 0;
    await t.app.outbox.runOnce();
    expect(sent.length).toBeGreaterThan(0);
    for (const mail of sent) {
      expect(mail.to).toEqual(['officer@example.test']);
      expect(mail.subject).toMatch(
        /^Incident notification deadline (in \d+ days|tomorrow|today|\d+ days ago) \(\d{4}-\d{2}-\d{2}\)$/,
      );
      expect(mail.text).toMatch(/\/console\/incidents\/[0-9a-f-]{36}\n/);
      expect(mail.personal).toBeUndefined();
    }
    expect((await reminders()).every((r) => r.sent_at !== null)).toBe(true);
  });
});
