import { describe, expect, it } from 'vitest';
import { conditions, findHealthData, segments } from './health-data.js';

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

  // One sentence per pattern of conditions in words, in the list's order.
  const conditionSentences: [string, string][] = [
    ['I was billed twice for my diabetes check-up', 'diabetes'],
    ['The statement says hypertension follow-up but I only came once', 'hypertension'],
    ['My son is asthmatic and the inhaler visit was charged twice', 'asthmatic'],
    ['Why was I charged for a COPD test?', 'COPD'],
    ['I need help with the bill for my chemotherapy', 'chemotherapy'],
    ['I have depression and missed the appointment, is there a fee?', 'depression'],
    ['The bill is for an anxiety visit I never had', 'anxiety'],
    ['Billed for bipolar disorder counselling in March', 'bipolar disorder'],
    ['Is my HIV test covered?', 'HIV'],
    ['I got a second bill for my hepatitis C treatment', 'hepatitis C'],
    ['I was pregnant and the ultrasound bill is wrong', 'pregnant'],
    ["My mother has Alzheimer's and I manage her bills", "Alzheimer's"],
    ['After his heart attack the hospital bill came twice', 'heart attack'],
    ['My daughter had a seizure, the ER bill is too high', 'seizure'],
    ['Physical therapy for rheumatoid arthritis was not covered', 'rheumatoid arthritis'],
    ['My dialysis sessions were billed twice', 'dialysis'],
    ['I had pneumonia in May and got two bills', 'pneumonia'],
    ['Speech therapy for autism was denied', 'autism'],
    ['I was diagnosed with multiple sclerosis last year', 'multiple sclerosis'],
    ['Treatment for opioid use disorder is not on my statement', 'opioid use disorder'],
    ['Sleep apnea study charged at the wrong rate', 'Sleep apnea'],
    ['The X-ray for my broken wrist was billed twice', 'broken wrist'],
  ];

  it('has one sentence for every pattern of conditions in words', () => {
    expect(conditionSentences).toHaveLength(conditions.length);
    conditions.forEach((source, i) => {
      const [text, word] = conditionSentences[i]!;
      expect(new RegExp(`^(?:${source})$`, 'i').test(word), `${source} ~ ${word}`).toBe(true);
      expect(text).toContain(word);
    });
  });

  it.each(conditionSentences)('flags the condition in %j', (text, word) => {
    const flags = findHealthData(text).filter((f) => f.kind === 'condition');
    expect(flags.length, text).toBeGreaterThan(0);
    const start = text.indexOf(word);
    // The flagged passage covers the condition's words.
    expect(flags.some((f) => f.start <= start && f.end >= start + word.length)).toBe(true);
  });

  it.each([
    'We are a diabetes practice with 3 providers; our denials doubled this year.',
    'Our cancer center billing is behind by two months.',
    'We see many asthma patients and need help with prior authorizations.',
    'Our anxiety and depression program is billed under behavioral health codes.',
    'We sell hearing aids and need help with claims to Medicare.',
    'Coding for our cardiology group, write-offs and patient statements.',
    'Our billing process is fractured across three systems; we want one partner.',
    'I have a question about a statement: the balance looks higher than my last one.',
  ])('leaves ordinary billing language alone: %j', (text) => {
    expect(findHealthData(text)).toEqual([]);
  });

  it('splits text around the flagged passages', () => {
    const text = 'DOB 01/02/1980 thanks';
    const parts = segments(text, findHealthData(text));
    expect(parts.map((p) => p.text).join('')).toBe(text);
    expect(parts.some((p) => p.flag === 'date')).toBe(true);
  });
});
