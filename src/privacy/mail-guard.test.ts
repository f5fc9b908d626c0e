import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutgoingMail } from '../adapters/mailer.js';
import { addRecipient } from '../disclosures/testing.js';
import { createTestApp, type TestApp } from '../test-support/app.js';
import { startSmtp } from '../test-support/smtp.js';
import { DisclosureRefusedError, processorKeys } from './disclosures.js';
import type { Category } from './vocabulary.js';

// The app's own mailer (the one the outbox worker sends through) against a real SMTP server.

const leadId = randomUUID();
const personalMail = (categories: Category[]): OutgoingMail => ({
  to: ['riley@stone-ortho.example'],
  subject: 'Your request',
  text: 'Hello Riley, here is what you asked for.',
  messageId: `<${randomUUID()}@starspmb.test>`,
  personal: {
    categories,
    basis: 'requested_service',
    purpose: 'service_request',
    subjects: [{ type: 'lead', id: leadId }],
  },
});

const ledgerFor = (t: TestApp) =>
  t.db
    .selectFrom('disclosures')
    .innerJoin('disclosure_subjects as s', 's.disclosure_id', 'disclosures.id')
    .select([
      'disclosures.channel',
      'disclosures.actor_id',
      'disclosures.categories',
      'disclosures.recipient_id',
    ])
    .where('s.subject_id', '=', leadId)
    .execute();

describe('email through an SMTP relay', () => {
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let t: TestApp;
  beforeAll(async () => {
    smtp = await startSmtp();
    t = await createTestApp({ env: { SMTP_URL: `smtp://127.0.0.1:${smtp.port}` } });
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  it('sends mail without personal data (staff notifications) with no registration', async () => {
    await t.app.mailer.send({
      to: ['leads@starspmb.test'],
      subject: 'New lead',
      text: 'A link.',
      messageId: '<n1@starspmb.test>',
    });
    expect(smtp.received).toHaveLength(1);
    expect(await ledgerFor(t)).toEqual([]);
  });

  it('refuses personal data while no relay is registered, and sends nothing', async () => {
    const err = await t.app.mailer
      .send(personalMail(['contact.email', 'contact.name']))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DisclosureRefusedError);
    expect((err as DisclosureRefusedError).reason).toBe('unknown_recipient');
    expect(smtp.received).toHaveLength(1);
    expect(await ledgerFor(t)).toEqual([]);
  });

  it('refuses a category the relay is not registered for, and sends nothing', async () => {
    await addRecipient(t, {
      key: processorKeys.email,
      name: 'Relay Mail Co',
      categories: ['contact.email'],
    });
    await expect(
      t.app.mailer.send(personalMail(['contact.email', 'contact.name'])),
    ).rejects.toMatchObject({
      reason: 'processor_not_registered',
      message: expect.stringContaining('contact.name'),
    });
    expect(smtp.received).toHaveLength(1);
    expect(await ledgerFor(t)).toEqual([]);
  });

  it('delivers through a relay registered for every category, and records the hand-off', async () => {
    await t.db
      .updateTable('recipients')
      .set({ categories: JSON.stringify(['contact.email', 'contact.name']) })
      .where('key', '=', processorKeys.email)
      .execute();
    await t.app.mailer.send(personalMail(['contact.email', 'contact.name']));
    expect(smtp.received).toHaveLength(2);
    const mail = smtp.received[1]!;
    expect(mail.to).toEqual(['riley@stone-ortho.example']);
    expect(mail.raw).toContain('Hello Riley');
    // The declaration stays on our side: nothing of it reaches the relay.
    expect(mail.raw).not.toContain('requested_service');
    const relay = await t.db
      .selectFrom('recipients')
      .select('id')
      .where('key', '=', processorKeys.email)
      .executeTakeFirstOrThrow();
    expect(await ledgerFor(t)).toEqual([
      {
        channel: 'email_provider',
        actor_id: 'outbox',
        categories: '["contact.email","contact.name"]',
        recipient_id: relay.id,
      },
    ]);
  });
});

describe('email without a relay', () => {
  it('writes personal mail to a local file: nothing leaves, so nothing is checked or recorded', async () => {
    const t = await createTestApp();
    try {
      await t.app.mailer.send(personalMail(['contact.email']));
      const files = fs
        .readdirSync(path.join(t.dataDir, 'outbox'))
        .filter((f) => f.endsWith('.eml'));
      expect(files).toHaveLength(1);
      expect(await ledgerFor(t)).toEqual([]);
    } finally {
      await t.close();
    }
  });
});
