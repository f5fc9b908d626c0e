// The public form is no place for protected health information. These patterns catch the
// common shapes (dates of birth, member and policy numbers, diagnosis codes) so the person can
// take them out before anything is stored. They are prompts, not proof: the person may confirm.

export type HealthKind = 'date' | 'member_id' | 'ssn' | 'diagnosis_code' | 'condition';

export interface HealthFlag {
  kind: HealthKind;
  start: number;
  end: number;
  text: string;
}

export const healthKindLabels: Record<HealthKind, string> = {
  date: 'looks like a date of birth',
  member_id: 'looks like an insurance member or policy number',
  ssn: 'looks like a Social Security number',
  diagnosis_code: 'looks like a diagnosis (ICD-10) code',
  condition: 'names a diagnosis or medical condition',
};

/**
 * Common diagnoses as people write them, one pattern each (regular-expression source, matched
 * case-insensitively on word boundaries). A test holds one sentence per pattern.
 */
export const conditions: readonly string[] = [
  'diabet(?:es|ic)',
  'hypertension|high blood pressure',
  'asthma(?:tic)?',
  'copd|emphysema',
  'cancer|tumou?rs?|leuk(?:a)?emia|lymphoma|melanoma|chemo(?:therapy)?',
  'depression',
  'anxiety|panic attacks?',
  'bipolar(?: disorder)?|schizophreni(?:a|c)',
  'hiv',
  'hepatitis(?: [abc])?',
  'pregnan(?:t|cy)|miscarriage',
  "dementia|alzheimer(?:[’']?s)?",
  'strokes?|heart attack|heart failure|heart disease',
  'epilep(?:sy|tic)|seizures?',
  '(?:rheumatoid |osteo)?arthritis',
  '(?:chronic )?kidney disease|dialysis',
  'covid(?:-?19)?|pneumonia',
  'autism|autistic|adhd',
  "multiple sclerosis|parkinson(?:[’']?s)?",
  'addiction|opioid use disorder|substance (?:ab)?use',
  'sleep apnea|migraines?',
  'broken (?:arm|leg|wrist|ankle|hip)|(?:hip|wrist|ankle) fracture',
];
const conditionWords = conditions.join('|');
// Words that make a condition the name of a specialty or service, not someone's diagnosis:
// "our diabetes program", "cancer center billing", "we see many asthma patients".
const serviceWords =
  'practice|practices|clinic|clinics|center|centre|program|programs|specialists?|billing|codes?|coding|patients|services|department|unit|group|screenings?|education|awareness|research';
// Words that make it someone's: "my diabetes", "diagnosed with", "treated for".
// ("our" and "their" are left out: a practice says "our asthma patients".)
const personal =
  "my|his|her|i have|i had|i've had|i am|i'm|diagnosed with|treated for|treatment for|suffer(?:s|ing)? from|because of";

const month = '(?:0?[1-9]|1[0-2])';
const day = '(?:0?[1-9]|[12]\\d|3[01])';
const monthNames =
  '(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)';
const idToken = '[A-Z0-9][A-Z0-9-]{4,19}';
const mbi =
  '[1-9][AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\\d-?[AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\\d-?[AC-HJKMNP-RT-Y]{2}\\d{2}';
const icd = '[A-TV-Z]\\d[0-9AB]';

const patterns: { kind: HealthKind; re: RegExp }[] = [
  // Numeric and written dates: 3/14/1962, 1962-03-14, March 14, 1962, DOB 3-14-62.
  { kind: 'date', re: new RegExp(`\\b${month}[/.-]${day}[/.-](?:19|20)?\\d{2}\\b`, 'g') },
  { kind: 'date', re: new RegExp(`\\b(?:19|20)\\d{2}-${month}-${day}\\b`, 'g') },
  {
    kind: 'date',
    re: new RegExp(`\\b${monthNames}\\.? ${day}(?:st|nd|rd|th)?,? (?:19|20)\\d{2}\\b`, 'gi'),
  },
  { kind: 'date', re: /\b(?:dob|d\.o\.b\.?|date of birth|born(?: on)?)\b[:#\s]*\S+/gi },
  // Identifiers after the words that usually introduce them, and Medicare's MBI shape anywhere.
  {
    kind: 'member_id',
    re: new RegExp(
      `\\b(?:member|subscriber|policy|insurance|medicaid|medicare|group|patient|account|mrn|mbi)\\s*(?:id|no\\.?|number|num|#)?\\s*[:#]?\\s*${idToken}\\b`,
      'gi',
    ),
  },
  { kind: 'member_id', re: new RegExp(`\\b${mbi}\\b`, 'g') },
  { kind: 'ssn', re: /\b\d{3}-\d{2}-\d{4}\b/g },
  // ICD-10-CM: dotted codes alone are distinctive; undotted ones only next to diagnosis words.
  { kind: 'diagnosis_code', re: new RegExp(`\\b${icd}\\.[0-9A-TV-Z]{1,4}\\b`, 'g') },
  {
    kind: 'diagnosis_code',
    re: new RegExp(
      `\\b(?:icd(?:-?10)?|dx|diagnos[ie]s|diagnosed with|code)\\s*[:#]?\\s*${icd}[0-9A-TV-Z]{0,4}\\b`,
      'gi',
    ),
  }, // A condition in words, unless it names a specialty or service; always when it is someone's.
  {
    kind: 'condition',
    re: new RegExp(
      // "anxiety and depression program": a list of conditions before the service word too.
      `\\b(?:${conditionWords})\\b(?!(?:\\s*(?:,|and|or|&)\\s*[\\w’'-]+)*\\s+(?:${serviceWords})\\b)`,
      'gi',
    ),
  },
  {
    kind: 'condition',
    re: new RegExp(`\\b(?:${personal})\\s+(?:[a-z’']+\\s+){0,2}?(?:${conditionWords})\\b`, 'gi'),
  },
];

// "member id" must be followed by something with a digit to be an identifier, not prose.
const hasDigit = /\d/;

export function findHealthData(text: string): HealthFlag[] {
  const flags: HealthFlag[] = [];
  for (const { kind, re } of patterns) {
    for (const m of text.matchAll(re)) {
      if (kind === 'member_id' && !hasDigit.test(m[0])) continue;
      if (kind === 'date' && /^(dob|date|born)/i.test(m[0]) && !hasDigit.test(m[0])) continue;
      flags.push({ kind, start: m.index, end: m.index + m[0].length, text: m[0] });
    }
  }
  return mergeOverlaps(flags);
}

function mergeOverlaps(flags: HealthFlag[]): HealthFlag[] {
  const sorted = flags.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: HealthFlag[] = [];
  for (const f of sorted) {
    const last = out[out.length - 1];
    if (last && f.start < last.end) {
      if (f.end > last.end) {
        last.end = f.end;
        last.text = '';
      }
      continue;
    }
    out.push({ ...f });
  }
  return out;
}

/** The text split into plain and flagged pieces, for a view to wrap the flagged ones in <mark>. */
export function segments(text: string, flags: HealthFlag[]): { text: string; flag?: HealthKind }[] {
  const out: { text: string; flag?: HealthKind }[] = [];
  let at = 0;
  for (const f of flags) {
    if (f.start > at) out.push({ text: text.slice(at, f.start) });
    out.push({ text: text.slice(f.start, f.end), flag: f.kind });
    at = f.end;
  }
  if (at < text.length) out.push({ text: text.slice(at) });
  return out;
}
