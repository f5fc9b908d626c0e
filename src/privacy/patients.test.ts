import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addRecipient } from '../disclosures/testing.js';
import { createTestApp, hiddenField, type TestApp } from '../test-support/app.js';
import { DisclosureRefusedError, recordDisclosure, type Disclosure } from './disclosures.js';
import { usableForPurpose } from './patients.js';

// "We may use your information ... for our own marketing" and "to invite you to participate in
// studies": that is about prospective customers. A patient is not one unless they said so.

let t: TestApp;
const at = new Date('2026-12-01T10:00:00.000Z');
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

let seq = 0;
async function lead(userType: string, extra: Record<string, string> = {}): Promise<string> {
  const page = await t.app.inject({ method: 'GET', url: '/get-started' });
  const email = `person${++seq}@mail.example`;
  const res = await t.app.inject({
    method: 'POST',
    url: '/get-started',
    payload: {
      userType,
      name: `Person ${seq}`,
      ...(userType === 'patient' ? {} : { organization: 'Cedar Clinic', practiceSize: '2-5' }),
      address: '5 Oak Lane',
      city: 'Dallas',
      state: 'TX',
      zip: '75201',
      email,
      needs: 'A question about a statement.',
      formToken: hiddenField(page.body, 'formToken'),
      ...extra,
    },
  });
  expect(res.statusCode).toBe(201);
  return t.leadIdByEmail(email);
}

const send = async (recipientId: string, id: string, purpose: Disclosure['purpose']) =>
  recordDisclosure(
    t.db,
    {
      recipientId,
      basis: 'consent',
      purpose,
      categories: ['contact.email'],
      subjects: [{ type: 'lead', id }],
      actor: { kind: 'staff', id: 'staff-1' },
      channel: 'email_provider',
    },
    at,
  ).then(
    () => 'allowed',
    (e: unknown) => (e instanceof DisclosureRefusedError ? e.reason : e),
  );

describe('patients are not prospects', () => {
  it('refuses marketing or usability use of a patient who did not agree to it themselves', async () => {
    const relay = await addRecipient(t, { categories: ['contact.email'] });
    const patient = await lead('patient');
    expect(await send(relay, patient, 'marketing')).toBe('patient_not_prospect');
    expect(await send(relay, patient, 'usability_research')).toBe('patient_not_prospect');
    // Serving their own request is not marketing.
    expect(await send(relay, patient, 'service_request')).toBe('allowed');
    expect(await usableForPurpose(t.db, [patient], 'service_request')).toEqual(new Set([patient]));
  });

  it('allows marketing to a patient who ticked the marketing box, and nothing more', async () => {
    const relay = await addRecipient(t, { categories: ['contact.email'] });
    const patient = await lead('patient', { consentMarketing: 'on' });
    expect(await send(relay, patient, 'marketing')).toBe('allowed');
    expect(await send(relay, patient, 'usability_research')).toBe('patient_not_prospect');
  });

  it('leaves providers and partners to the usual rules', async () => {
    const relay = await addRecipient(t, { categories: ['contact.email'] });
    const provider = await lead('provider');
    const patient = await lead('patient');
    expect(await usableForPurpose(t.db, [provider, patient], 'marketing')).toEqual(
      new Set([provider]),
    );
    expect(await send(relay, provider, 'usability_research')).toBe('allowed');
  });
});
