import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config/env.js';
import { TestClock } from '../test-support/app.js';
import { appWithMail, askFor, linkIn, mailsTo, settle, submitLead } from './testing.js';

// An access report opens to whoever holds its link, so the link works for a short while only:
// 7 days by default, PRIVACY_REPORT_LINK_DAYS to change it.

const DAY = 86_400_000;
const MINUTE = 60_000;

describe.each<{ env: Record<string, string>; days: number }>([
  { env: {}, days: 7 },
  { env: { PRIVACY_REPORT_LINK_DAYS: '10' }, days: 10 },
])('a report link with $env', ({ env, days }) => {
  it(`opens the report until ${days} days after verification, and not after`, async () => {
    const clock = new TestClock(new Date('2026-12-01T15:00:00.000Z'));
    const { t, smtp, close } = await appWithMail(clock, env);
    try {
      await submitLead(t, 'riley@stone-ortho.example');
      await askFor(t, { kind: 'access', email: 'riley@stone-ortho.example' });
      await settle(t, smtp);
      const mail = mailsTo(smtp, 'riley@stone-ortho.example')[0]!;
      const link = linkIn(mail.raw);
      expect((await t.app.inject({ method: 'POST', url: link })).statusCode).toBe(303);

      clock.advance(days * DAY - MINUTE);
      const open = await t.app.inject({ method: 'GET', url: link });
      expect(open.statusCode).toBe(200);
      expect(open.body).toContain('Riley Stone');
      expect(open.headers['referrer-policy']).toBe('no-referrer');
      expect(open.headers['cache-control']).toBe('no-store');
      const json = await t.app.inject({ method: 'GET', url: `${link}/report.json` });
      expect(json.statusCode).toBe(200);
      expect(json.headers['referrer-policy']).toBe('no-referrer');

      clock.advance(2 * MINUTE);
      const closed = await t.app.inject({ method: 'GET', url: link });
      expect(closed.body).not.toContain('Riley Stone');
      expect(closed.headers['cache-control']).toBe('no-store');
      expect((await t.app.inject({ method: 'GET', url: `${link}/report.json` })).statusCode).toBe(
        404,
      );
    } finally {
      await close();
    }
  });
});

describe('PRIVACY_REPORT_LINK_DAYS', () => {
  it('defaults to 7 and refuses what is not 1 to 30 whole days, naming the variable', () => {
    expect(loadConfig({}).privacyReportLinkDays).toBe(7);
    expect(loadConfig({ PRIVACY_REPORT_LINK_DAYS: '14' }).privacyReportLinkDays).toBe(14);
    for (const bad of ['0', '31', '2.5', 'a week']) {
      expect(() => loadConfig({ PRIVACY_REPORT_LINK_DAYS: bad }), bad).toThrow(ConfigError);
      expect(() => loadConfig({ PRIVACY_REPORT_LINK_DAYS: bad }), bad).toThrow(
        /PRIVACY_REPORT_LINK_DAYS: must be/,
      );
    }
  });
});
