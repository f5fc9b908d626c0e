import { z } from 'zod';
import { toE164 } from '../privacy/phone.js';

export const userTypes = ['patient', 'provider', 'partner'] as const;
export const practiceSizes = ['1', '2-5', '6-20', '21-50', '51+'] as const;

// USPS codes: states, DC, territories and military mail.
export const usStates: Record<string, string> = {
  AL: 'Alabama',
  AK: 'Alaska',
  AZ: 'Arizona',
  AR: 'Arkansas',
  CA: 'California',
  CO: 'Colorado',
  CT: 'Connecticut',
  DE: 'Delaware',
  DC: 'District of Columbia',
  FL: 'Florida',
  GA: 'Georgia',
  HI: 'Hawaii',
  ID: 'Idaho',
  IL: 'Illinois',
  IN: 'Indiana',
  IA: 'Iowa',
  KS: 'Kansas',
  KY: 'Kentucky',
  LA: 'Louisiana',
  ME: 'Maine',
  MD: 'Maryland',
  MA: 'Massachusetts',
  MI: 'Michigan',
  MN: 'Minnesota',
  MS: 'Mississippi',
  MO: 'Missouri',
  MT: 'Montana',
  NE: 'Nebraska',
  NV: 'Nevada',
  NH: 'New Hampshire',
  NJ: 'New Jersey',
  NM: 'New Mexico',
  NY: 'New York',
  NC: 'North Carolina',
  ND: 'North Dakota',
  OH: 'Ohio',
  OK: 'Oklahoma',
  OR: 'Oregon',
  PA: 'Pennsylvania',
  RI: 'Rhode Island',
  SC: 'South Carolina',
  SD: 'South Dakota',
  TN: 'Tennessee',
  TX: 'Texas',
  UT: 'Utah',
  VT: 'Vermont',
  VA: 'Virginia',
  WA: 'Washington',
  WV: 'West Virginia',
  WI: 'Wisconsin',
  WY: 'Wyoming',
  AS: 'American Samoa',
  GU: 'Guam',
  MP: 'Northern Mariana Islands',
  PR: 'Puerto Rico',
  VI: 'U.S. Virgin Islands',
  AA: 'Armed Forces Americas',
  AE: 'Armed Forces Europe',
  AP: 'Armed Forces Pacific',
};

const text = (max: number, missing: string) =>
  z
    .string({ error: missing })
    .trim()
    .min(1, missing)
    .max(max, `Please keep this under ${max} characters.`);

// Checkboxes post "on" when ticked and nothing when not; JSON clients may send booleans.
const checkbox = z
  .union([z.boolean(), z.enum(['on', 'yes', 'true', '1', 'false', '0', ''])])
  .optional()
  .transform((v) => v === true || v === 'on' || v === 'yes' || v === 'true' || v === '1');

/** A US phone number as typed, kept in E.164; `missing` words the refusal of a non-string. */
export const usPhone = (missing?: { error: string }) =>
  z
    .string(missing)
    .trim()
    .max(40, 'That phone number is too long.')
    .transform((p, ctx) => {
      const e164 = toE164(p);
      if (!e164) {
        ctx.addIssue({ code: 'custom', message: 'Enter a US phone number, like (214) 555-0142.' });
        return z.NEVER;
      }
      return e164;
    });

const optionalTag = z
  .string()
  .trim()
  .max(300, 'Campaign tags are limited to 300 characters.')
  .optional();

/** The intake form's fields, declared once: Fastify validates with it and the view reads its names. */
export const intakeBody = z
  .strictObject(
    {
      userType: z.enum(userTypes, {
        error: 'Choose whether you are a patient, provider or partner.',
      }),
      name: text(120, 'Enter your name.'),
      organization: z
        .string()
        .trim()
        .max(200, 'Please keep this under 200 characters.')
        .default(''),
      practiceSize: z
        .union([z.enum(practiceSizes), z.literal('')], {
          error: 'Choose the number of providers in your practice.',
        })
        .default(''),
      address: text(200, 'Enter your street address.'),
      city: text(100, 'Enter your city.'),
      state: z
        .string({ error: 'Choose your state.' })
        .trim()
        .toUpperCase()
        .refine((s) => s in usStates, 'Choose your state (a two-letter code such as TX).'),
      zip: z
        .string({ error: 'Enter your ZIP code.' })
        .trim()
        .regex(/^\d{5}(-?\d{4})?$/, 'Enter a 5-digit ZIP code, or ZIP+4 such as 75001-1234.')
        .transform((z) => (z.length === 9 ? `${z.slice(0, 5)}-${z.slice(5)}` : z)),
      email: z
        .string({ error: 'Enter your email address.' })
        .trim()
        .max(254, 'That email address is too long.')
        .pipe(z.email('Enter an email address like name@example.com.')),
      // Asked only of someone who wants text messages: a number has no other use (the policy).
      phone: z.preprocess(
        (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
        usPhone({ error: 'Enter a US phone number, like (214) 555-0142.' }).optional(),
      ),
      needs: text(2000, 'Tell us briefly what you need.'),
      consentMarketing: checkbox,
      consentSms: checkbox,
      confirmNoHealthInfo: checkbox,
      formToken: z.string({ error: 'This form is missing its security token.' }).max(300),
      website: z.string().max(300).optional(),
      referrer: z.string().trim().max(500).optional(),
      utm_source: optionalTag,
      utm_medium: optionalTag,
      utm_campaign: optionalTag,
      utm_term: optionalTag,
      utm_content: optionalTag,
      gclid: optionalTag,
      msclkid: optionalTag,
    },
    {
      error: (issue) =>
        issue.code === 'unrecognized_keys'
          ? `Unexpected fields: ${issue.keys.join(', ')}.`
          : undefined,
    },
  )
  .superRefine((v, ctx) => {
    phoneOnlyForTexts(v, ctx);
    // A practice has a name and a size; a patient writing about their own bill may have neither.
    if (v.userType === 'patient') return;
    if (!v.organization) {
      ctx.addIssue({
        code: 'custom',
        path: ['organization'],
        message: 'Enter your practice or organization name.',
      });
    }
    if (!v.practiceSize) {
      ctx.addIssue({
        code: 'custom',
        path: ['practiceSize'],
        message: 'Choose the number of providers in your practice.',
      });
    }
  });

/**
 * The policy uses phone numbers solely for SMS, so a number given without agreeing to texts has
 * no lawful use: it is refused with a field error rather than silently dropped, so the person
 * knows it was not kept and can choose texts if that is what they meant.
 */
function phoneOnlyForTexts(
  v: { phone?: string | undefined; consentSms: boolean },
  ctx: z.RefinementCtx,
) {
  if (v.phone && !v.consentSms)
    ctx.addIssue({
      code: 'custom',
      path: ['phone'],
      message:
        'Leave the phone number empty unless you want text messages: we use it for nothing else. Clear it, or tick the box to get texts.',
    });
  if (v.consentSms && !v.phone)
    ctx.addIssue({
      code: 'custom',
      path: ['phone'],
      message: 'Enter the number we should text, or untick the box for text messages.',
    });
}

export type IntakeBody = z.output<typeof intakeBody>;

export const campaignTags = [
  'utm_source',
  'utm_medium',
  'utm_campaign',
  'utm_term',
  'utm_content',
  'gclid',
  'msclkid',
] as const;
export type CampaignTag = (typeof campaignTags)[number];
