import { describe, expect, it } from 'vitest';
import { dataMap, type FieldClass, type PersonalField } from './data-map.js';
import { categoryLabels, fidesDataCategories, fidesDataUses, purposeLabels } from './fideslang.js';
import { gpcDeclaration } from './privacy-json.js';
import { policyVersions } from './policy-versions.js';
import { categories, purposes } from './vocabulary.js';

const personal = Object.entries(dataMap).flatMap(([table, columns]) =>
  (Object.entries(columns) as [string, FieldClass][])
    .filter((e): e is [string, PersonalField] => e[1].personal)
    .map(([column, f]) => ({ at: `${table}.${column}`, f })),
);

describe('fideslang labels', () => {
  it('label every personal column of the data map by its category and each of its purposes', () => {
    expect(personal.length).toBeGreaterThan(20);
    for (const { at, f } of personal) {
      expect(categoryLabels[f.category]?.length ?? 0, `${at}: ${f.category}`).toBeGreaterThan(0);
      for (const p of f.purposes)
        expect(purposeLabels[p]?.length ?? 0, `${at}: purpose ${p}`).toBeGreaterThan(0);
    }
  });

  it('cover the whole vocabulary, with keys of the fideslang default taxonomy only', () => {
    expect(Object.keys(categoryLabels).sort()).toEqual(Object.keys(categories).sort());
    expect(Object.keys(purposeLabels).sort()).toEqual(Object.keys(purposes).sort());
    const cats: readonly string[] = fidesDataCategories;
    const uses: readonly string[] = fidesDataUses;
    for (const labels of Object.values(categoryLabels))
      for (const l of labels) expect(cats, l).toContain(l);
    for (const labels of Object.values(purposeLabels))
      for (const l of labels) expect(uses, l).toContain(l);
    // Keys as fideslang spells them: lowercase words joined by dots, under its top-level keys.
    for (const k of cats) expect(k).toMatch(/^user(\.[a-z_]+)+$/);
    for (const k of uses)
      expect(k).toMatch(/^(essential|analytics|marketing|functional)(\.[a-z_]+)+$/);
  });

  it('say the phone number is used for text messages only, as the policy promises', () => {
    expect(categoryLabels['contact.phone']).toEqual(['user.contact.phone_number']);
    const phones = personal.filter(({ f }) => f.category === 'contact.phone');
    expect(phones.length).toBeGreaterThan(0);
    for (const { f } of phones)
      expect(f.purposes.flatMap((p) => purposeLabels[p])).toEqual(['marketing.communications.sms']);
  });
});

describe('gpc.json', () => {
  it('dates the declaration by the newest policy version that speaks of GPC', () => {
    const versions = [
      {
        version: '1',
        effective: '2026-01-01',
        fingerprint: 'x',
        material: true,
        summary: 'First.',
      },
      {
        version: '2',
        effective: '2026-02-01',
        fingerprint: 'y',
        material: true,
        summary: 'Honours Global Privacy Control.',
      },
      {
        version: '3',
        effective: '2026-03-01',
        fingerprint: 'z',
        material: false,
        summary: 'Typo.',
      },
    ];
    expect(gpcDeclaration(versions)).toEqual({ gpc: true, lastUpdate: '2026-02-01' });
    expect(() => gpcDeclaration(versions.slice(0, 1))).toThrow(/no policy version/);
    expect(gpcDeclaration(policyVersions).gpc).toBe(true);
  });
});
