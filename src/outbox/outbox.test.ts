import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../test-support/app.js';
import { submitIntake } from '../test-support/intake.js';
import { startSmtp } from '../test-support/smtp.js';
import { settle } from '../privacy-center/testing.js';

const submitLead = (t: TestApp, email: string) =>
  submitIntake(t, email, { needs: 'Please help credentialing Dr. Okafor.' });

describe('staff notification over SMTP', () => {
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let t: TestApp;
  beforeAll(async () => {
    smtp = await startSmtp();
    t = await createTestApp({
      env: { SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, NOTIFY_EMAIL: 'leads@starspmb.test' },
    });
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  it('delivers a console link to staff and none of the person’s data', async () => {
    const leadId = await submitLead(t, 'riley@stone-ortho.example');
    // The commit nudged the worker too: wait until whichever run took the job has sent it.
    await settle(t, smtp);
    expect(smtp.received).toHaveLength(1);
    const mail = smtp.received[0]!;
    expect(mail.to).toEqual(['leads@starspmb.test']);
    expect(mail.raw).toContain(`http://localhost:3000/console/leads/${leadId}`);
    // Not even the kind of person (patient, provider, partner): a patient's category hints at health.
    for (const secret of [
      'Riley',
      'Stone Orthopedics',
      'riley@stone-ortho.example',
      '555-0177',
      '7135550177',
      'Okafor',
      'provider',
    ]) {
      expect(mail.raw).not.toContain(secret);
    }
    // The sender's confirmation carries their address: with no relay registered it waits.
    const row = await t.db
      .selectFrom('outbox')
      .select(['sent_at', 'attempts', 'payload'])
      .where('kind', '=', 'lead_notification')
      .executeTakeFirstOrThrow();
    expect(row.sent_at).not.toBeNull();
    // Patients are not prospects: the queued job holds no category either, only the lead and event.
    expect(Object.keys(JSON.parse(row.payload) as object).sort()).toEqual(['event', 'leadId']);
    // Running again sends nothing twice.
    await t.app.outbox.runOnce();
    expect(smtp.received).toHaveLength(1);
  });
});

describe('outbox without SMTP and when delivery fails', () => {
  it('writes an .eml file under the data directory when SMTP_URL is unset', async () => {
    const t = await createTestApp({ env: { NOTIFY_EMAIL: 'leads@starspmb.test' } });
    try {
      const leadId = await submitLead(t, 'eml@stone-ortho.example');
      await settle(t);
      const dir = path.join(t.dataDir, 'outbox');
      const files = fs.readdirSync(dir).filter((f) => f.endsWith('.eml'));
      // The staff notification and the sender's own confirmation.
      expect(files).toHaveLength(2);
      const texts = files.map((f) => fs.readFileSync(path.join(dir, f), 'utf8'));
      expect(texts.filter((m) => m.includes(`/console/leads/${leadId}`))).toHaveLength(1);
      expect(texts.filter((m) => m.includes('To: eml@stone-ortho.example'))).toHaveLength(1);
    } finally {
      await t.close();
    }
  });

  it('keeps the job and schedules a retry when the SMTP server is unreachable', async () => {
    const smtp = await startSmtp();
    const port = smtp.port;
    await smtp.close();
    const t = await createTestApp({
      env: { SMTP_URL: `smtp://127.0.0.1:${port}`, NOTIFY_EMAIL: 'leads@starspmb.test' },
    });
    try {
      await submitLead(t, 'retry@stone-ortho.example');
      await settle(t);
      const row = await t.db
        .selectFrom('outbox')
        .select(['sent_at', 'attempts', 'last_error', 'next_attempt_at'])
        .executeTakeFirstOrThrow();
      expect(row.sent_at).toBeNull();
      expect(row.attempts).toBe(1);
      expect(row.last_error).toBeTruthy();
      expect(new Date(row.next_attempt_at).getTime()).toBeGreaterThan(t.clock.now().getTime());
    } finally {
      await t.close();
    }
  });
});
