import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addRecipient } from '../disclosures/testing.js';
import { createTestApp, type TestApp } from '../test-support/app.js';
import {
  assertProcessorFor,
  DisclosureRefusedError,
  processorKeys,
  recordDisclosure,
  type Disclosure,
} from './disclosures.js';
import { purposes, type Purpose } from './vocabulary.js';

// "The SMS and phone numbers provided will be used solely for SMS communication and will not be
// shared with any third parties": the ledger's rules, whatever label the caller passes.

let t: TestApp;
const at = new Date('2026-12-01T10:00:00.000Z');
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const phoneTo = (recipientId: string, over: Partial<Disclosure> = {}): Disclosure => ({
  recipientId,
  basis: 'legal_obligation',
  purpose: 'sms_communication',
  categories: ['contact.phone'],
  subjects: [{ type: 'lead', id: randomUUID() }],
  reference: 'Case 2026-CV-0142',
  actor: { kind: 'staff', id: 'staff-1' },
  channel: 'legal_process',
  ...over,
});

const reasonOf = (p: Promise<unknown>) =>
  p.then(
    () => 'allowed',
    (e: unknown) => (e instanceof DisclosureRefusedError ? e.reason : e),
  );

describe('"phone numbers ... will not be shared with any third parties"', () => {
  it('refuses a phone number to a third party whatever purpose, basis and reference are given', async () => {
    const court = await addRecipient(t, { kind: 'third_party', name: 'County Court' });
    for (const purpose of Object.keys(purposes) as Purpose[]) {
      for (const basis of ['legal_obligation', 'protection', 'person_request'] as const) {
        const reason = await reasonOf(
          recordDisclosure(t.db, phoneTo(court, { purpose, basis }), at),
        );
        expect(['phone_only_for_sms', 'purpose_not_allowed'], `${purpose}/${basis}`).toContain(
          reason,
        );
      }
    }
    // The label the policy would seem to allow is the one that used to slip through.
    expect(await reasonOf(recordDisclosure(t.db, phoneTo(court), at))).toBe('phone_only_for_sms');
  });

  it('refuses a phone number to any service provider but the registered SMS provider', async () => {
    const relay = await addRecipient(t, {
      key: 'smtp-relay-phone-test',
      categories: ['contact.email', 'contact.phone'],
    });
    const d = phoneTo(relay, { basis: 'requested_service', channel: 'email_provider' });
    expect(await reasonOf(recordDisclosure(t.db, d, at))).toBe('phone_only_for_sms');
    expect(
      await reasonOf(assertProcessorFor(t.db, 'smtp-relay-phone-test', ['contact.phone'])),
    ).toBe('phone_only_for_sms');
  });
});

describe('"phone numbers will be used solely for SMS communication"', () => {
  it('lets the registered SMS provider receive a number, for sending a text only', async () => {
    const gateway = await addRecipient(t, {
      key: processorKeys.sms,
      name: 'Text Gateway Co',
      categories: ['contact.phone'],
      purpose: 'sends text messages',
    });
    expect((await assertProcessorFor(t.db, processorKeys.sms, ['contact.phone'])).id).toBe(gateway);
    const send = phoneTo(gateway, {
      basis: 'consent',
      channel: 'sms_provider',
      reference: undefined,
    });
    expect(await reasonOf(recordDisclosure(t.db, send, at))).toBe('allowed');
    for (const purpose of ['service_request', 'marketing', 'legal'] as const) {
      expect(await reasonOf(recordDisclosure(t.db, { ...send, purpose }, at)), purpose).not.toBe(
        'allowed',
      );
    }
  });
});
