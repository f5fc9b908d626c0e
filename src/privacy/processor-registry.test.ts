import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addRecipient } from '../disclosures/testing.js';
import { createTestApp, type TestApp } from '../test-support/app.js';
import { assertProcessorFor, registeredProcessors, type RefusalReason } from './disclosures.js';

// What adapters and the policy page ask of the registry.

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

describe('assertProcessorFor, for adapters', () => {
  it('returns the active processor registered for every category', async () => {
    await addRecipient(t, { key: 'relay-ok', categories: ['contact.email', 'contact.name'] });
    expect((await assertProcessorFor(t.db, 'relay-ok', ['contact.email'])).key).toBe('relay-ok');
    expect((await assertProcessorFor(t.db, 'relay-ok', [])).key).toBe('relay-ok');
  });

  it('refuses a missing, inactive, third-party, under-registered or related recipient', async () => {
    await addRecipient(t, { key: 'relay-off', categories: ['contact.email'], active: false });
    await addRecipient(t, { key: 'relay-court', kind: 'third_party' });
    await addRecipient(t, { key: 'relay-narrow', categories: ['contact.name'] });
    await addRecipient(t, {
      key: 'relay-sister',
      categories: ['contact.email'],
      relatedEntity: true,
    });
    const cases: [string, RefusalReason][] = [
      ['no-such-relay', 'unknown_recipient'],
      ['relay-off', 'inactive_recipient'],
      ['relay-court', 'not_a_processor'],
      ['relay-narrow', 'processor_not_registered'],
      ['relay-sister', 'related_entity'],
    ];
    for (const [key, reason] of cases) {
      await expect(assertProcessorFor(t.db, key, ['contact.email']), key).rejects.toMatchObject({
        reason,
      });
    }
  });
});

describe('the registry on the policy page', () => {
  it('lists active service providers only, with category labels in vocabulary order', async () => {
    const fresh = await createTestApp();
    try {
      expect(await registeredProcessors(fresh.db)).toEqual([]);
      await addRecipient(fresh, {
        name: 'Mail Relay Inc',
        categories: ['contact.email', 'contact.name'],
      });
      await addRecipient(fresh, {
        name: 'Old Relay',
        categories: ['contact.email'],
        active: false,
      });
      await addRecipient(fresh, { name: 'County Court', kind: 'third_party', contractRef: null });
      expect(await registeredProcessors(fresh.db)).toEqual([
        {
          name: 'Mail Relay Inc',
          receives: ['your name', 'your email address'],
          purpose: 'delivers email',
        },
      ]);
    } finally {
      await fresh.close();
    }
  });
});
