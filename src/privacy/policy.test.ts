import { describe, expect, it } from 'vitest';
import { runningCapabilities } from './capabilities.js';
import { cookies, disclosureBases, policyFingerprint, policyModel } from './policy.js';
import { currentPolicy, policyVersions } from './policy-versions.js';
import { categories } from './vocabulary.js';

const today = () => new Date().toISOString().slice(0, 10);

describe('policy versions', () => {
  it('pins the fingerprint of the policy the data map generates', () => {
    const actual = policyFingerprint();
    const next = `{ version: '<next>', effective: '${today()}', fingerprint: '${actual}', material: <true|false>, summary: '<what changed>' }`;
    expect(
      actual,
      [
        'The generated privacy policy changed (data map, vocabulary, processors or cookies).',
        "Do not edit the fingerprint of a published version: append a new entry with today's date",
        `to policyVersions in src/privacy/policy-versions.ts:\n  ${next}`,
        'Mark it material when it adds a category, a purpose, a recipient or a longer retention.',
      ].join('\n'),
    ).toBe(currentPolicy.fingerprint);
  });

  it('lists versions oldest first, each with a unique number and a real date', () => {
    const versions = policyVersions.map((v) => v.version);
    expect(new Set(versions).size).toBe(versions.length);
    for (const v of policyVersions) {
      expect(v.effective).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(Number.isNaN(Date.parse(v.effective)), v.effective).toBe(false);
    }
    const dates = policyVersions.map((v) => v.effective);
    expect(dates).toEqual([...dates].sort());
    expect(currentPolicy).toBe(policyVersions.at(-1));
  });
});

describe('policy model', () => {
  const model = policyModel();

  it('names each category once, with its plain label, people, purposes and retention', () => {
    const keys = model.categories.map((c) => c.category);
    expect(new Set(keys).size).toBe(keys.length);
    for (const c of model.categories) {
      expect(c.label).toBe(categories[c.category]);
      expect(c.subjects.length, c.category).toBeGreaterThan(0);
      expect(c.purposes.length, c.category).toBeGreaterThan(0);
      expect(c.retention.length, c.category).toBeGreaterThan(0);
    }
  });

  it('finds the phone number used for SMS and nothing else', () => {
    expect(model.smsOnly).toContain(categories['contact.phone']);
  });

  it('carries the closed list of disclosure situations and every cookie in use', () => {
    expect(model.disclosures.map((d) => d.basis)).toEqual(Object.keys(disclosureBases));
    expect(model.cookies).toEqual(cookies.filter((c) => c.name !== 'spmb_client'));
    // The analytics cookies the first-party analytics sets only after consent are declared too;
    // the client marker only once client accounts exist.
    const analytics = model.cookies.filter((c) => c.category === 'analytics').map((c) => c.name);
    expect(analytics).toEqual(['spmb_vid']);
    const withPortal = policyModel([], [], { ...runningCapabilities, clientPortal: true });
    expect(withPortal.cookies.map((c) => c.name)).toContain('spmb_client');
    expect(model.cookies.every((c) => c.party === 'first' && c.lifetime.length > 0)).toBe(true);
  });

  it('does not change fingerprint when nothing changes', () => {
    expect(policyFingerprint(policyModel())).toBe(policyFingerprint(model));
  });
});
