import { describe, expect, it } from 'vitest';
import { findHealthData, segments } from './health-data.js';

const kinds = (t: string) => findHealthData(t).map((f) => f.kind);

describe('health data detection', () => {
  it.each([
    ['My DOB is 03/14/1962 and I need help with a bill', 'date'],
    ['born on 1962-03-14', 'date'],
    ['Patient born March 14, 1962', 'date'],
    ['member ID: XJH123456789 keeps getting denied', 'member_id'],
    ['policy # 88812-2231 was billed twice', 'member_id'],
    ['my Medicare number is 1EG4-TE5-MK73', 'member_id'],
    ['SSN 123-45-6789', 'ssn'],
    ['claims for E11.9 and J45.909 were denied', 'diagnosis_code'],
    ['diagnosis code I10 keeps bouncing', 'diagnosis_code'],
  ])('flags %j', (text, kind) => {
    expect(kinds(text)).toContain(kind);
  });

  it.each([
    'We are a 6-provider family practice in Dallas looking for help with denials.',
    'Our credentialing with Aetna and BCBS is behind; we need help by next month.',
    'Please call about your RCM service, we see about 120 patients a day.',
    'Suite 200, practice management system is Kareo, member of the MGMA',
    'We need coding help for our group practice',
  ])('leaves ordinary business text alone: %j', (text) => {
    expect(findHealthData(text)).toEqual([]);
  });

  it('splits text around the flagged passages', () => {
    const text = 'DOB 01/02/1980 thanks';
    const parts = segments(text, findHealthData(text));
    expect(parts.map((p) => p.text).join('')).toBe(text);
    expect(parts.some((p) => p.flag === 'date')).toBe(true);
  });
});
