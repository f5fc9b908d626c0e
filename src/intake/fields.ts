import { z } from 'zod';
import { toE164 } from '../privacy/phone.js';
import { userTypes } from '../db/schema.js';

export { userTypes };

export const practiceSizes = ['1', '2-5', '6-20', '21-50', '51+'] as const;

export { usStates } from './us-states.js';
import { usStates } from './us-states.js';

const text = (max: number, missing: string) =>
  z
    .string({ error: missing })
    .trim()
    .min(1, missing)
    .max(max, `Please keep this under ${max} characters.`);

/** Text whose requirement depends on the type of user: checked by `askedOf`, empty allowed here. */
const maybeText = (max: number) =>
  z.string().trim().max(max, `Please keep this under ${max} characters.`).default('');

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

export type UserType = (typeof userTypes)[number];

/** The fields whose question, and whether it is asked at all, depend on the type of user. */
export const typedFields = [
  'name',
  'email',
  'phone',
  'organization',
  'practiceSize',
  'address',
  'city',
  'state',
  'zip',
  'needs',
] as const;
export type TypedField = (typeof typedFields)[number];

/** Every field of the form in the order the page shows them: errors are listed in this order. */
export const fieldOrder = [
  'userType',
  ...typedFields,
  'confirmNoHealthInfo',
  'consentMarketing',
  'consentSms',
] as const;

export type Need = 'required' | 'optional' | 'not_asked';

export interface FieldQuestion {
  need: Need;
  label: string;
  hint?: string;
  /** The refusal when a required field is left empty. */
  missing?: string;
}

const q = (need: Need, label: string, extra: Omit<FieldQuestion, 'need' | 'label'> = {}) => ({
  need,
  label,
  ...extra,
});
const notAsked: FieldQuestion = { need: 'not_asked', label: '' };
const phoneHint =
  'Only if you want text messages (tick the box below too). A US number, used for texts and nothing else, never shared.';
const common = {
  name: q('required', 'Your name', { missing: 'Enter your name.' }),
  email: q('required', 'Email address', { missing: 'Enter your email address.' }),
  phone: q('optional', 'Telephone, for text messages', { hint: phoneHint }),
};

/**
 * What each type of user is asked, and whether it must be answered: the page's labels, the
 * script that updates them in place, the validation and what is stored all read this one table.
 * A question that is not asked of a type is not stored for it either, even if a browser sends it.
 * The data map's subjects of each column say the same (a test in src/intake holds them together).
 */
export const askedOf: Record<UserType, Record<TypedField, FieldQuestion>> = {
  // A question about a bill: who billed them is useful, where they live or a practice size is not.
  patient: {
    ...common,
    organization: q('optional', 'Practice or provider named on your bill', {
      hint: 'So we know which of the practices we bill for sent it.',
    }),
    practiceSize: notAsked,
    address: notAsked,
    city: notAsked,
    state: notAsked,
    zip: notAsked,
    needs: q('required', 'What is your question about the bill?', {
      hint: 'For example: I do not understand a charge, or I was billed twice.',
      missing: 'Tell us briefly what your question is.',
    }),
  },
  // A practice asking for our services: its size and where it is shape the offer.
  provider: {
    ...common,
    organization: q('required', 'Practice name', {
      missing: 'Enter the name of your practice.',
    }),
    practiceSize: q('required', 'Number of providers in your practice', {
      missing: 'Choose the number of providers in your practice.',
    }),
    address: q('optional', 'Street address of the practice'),
    city: q('required', 'City', { missing: 'Enter the city of your practice.' }),
    state: q('required', 'State', { missing: 'Choose the state of your practice.' }),
    zip: q('required', 'ZIP code', { missing: 'Enter the ZIP code of your practice.' }),
    needs: q('required', 'What do you need help with?', {
      hint: 'For example: denied claims, coding, credentialing.',
      missing: 'Tell us briefly what you need.',
    }),
  },
  // Someone who refers practices to us: their organization, and about the practice they refer.
  partner: {
    ...common,
    organization: q('required', 'Your company or organization', {
      missing: 'Enter the name of your company or organization.',
    }),
    practiceSize: q('optional', 'Providers at the practice you refer', {
      hint: 'If you are referring one practice now; leave it empty otherwise.',
    }),
    address: notAsked,
    city: q('optional', 'City of the practice you refer'),
    state: q('optional', 'State of the practice you refer'),
    zip: notAsked,
    needs: q('required', 'Tell us about the practice you refer and what it needs', {
      hint: 'For example: a two-doctor clinic whose claims are often denied.',
      missing: 'Tell us briefly about the practice you refer.',
    }),
  },
};

const isUserType = (v: unknown): v is UserType =>
  typeof v === 'string' && (userTypes as readonly string[]).includes(v);

/** A type's answers with every question it was not asked emptied, before anything checks them. */
function dropNotAsked(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  const body = raw as Record<string, unknown>;
  const type = body.userType;
  if (!isUserType(type)) return raw;
  const out = { ...body };
  for (const f of typedFields) if (askedOf[type][f].need === 'not_asked') delete out[f];
  return out;
}

const objectShape = {
  userType: z.enum(userTypes, {
    error: 'Choose whether you are a patient, provider or partner.',
  }),
  name: text(120, 'Enter your name.'),
  email: z
    .string({ error: 'Enter your email address.' })
    .trim()
    .min(1, 'Enter your email address.')
    .max(254, 'That email address is too long.')
    .pipe(z.email('Enter an email address like name@example.com.')),
  // Asked only of someone who wants text messages: a number has no other use (the policy).
  phone: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    usPhone({ error: 'Enter a US phone number, like (214) 555-0142.' }).optional(),
  ),
  organization: maybeText(200),
  practiceSize: z
    .union([z.enum(practiceSizes), z.literal('')], {
      error: 'Choose the number of providers from the list.',
    })
    .default(''),
  address: maybeText(200),
  city: maybeText(100),
  state: z
    .string({ error: 'Choose a state from the list.' })
    .trim()
    .toUpperCase()
    .refine((s) => s === '' || s in usStates, 'Choose a state (a two-letter code such as TX).')
    .default(''),
  zip: z
    .string({ error: 'Enter a 5-digit ZIP code.' })
    .trim()
    .regex(/^(\d{5}(-?\d{4})?)?$/, 'Enter a 5-digit ZIP code, or ZIP+4 such as 75001-1234.')
    .transform((z) => (z.length === 9 ? `${z.slice(0, 5)}-${z.slice(5)}` : z))
    .default(''),
  needs: text(2000, 'Tell us briefly what you need.'),
  consentMarketing: checkbox,
  consentSms: checkbox,
  confirmNoHealthInfo: checkbox,
  formToken: z.string({ error: 'This form is missing its security token.' }).max(300),
  /** The no-JavaScript "show the questions for this choice" button (src/intake/routes.ts). */
  show: z.string().max(20).optional(),
  website: z.string().max(300).optional(),
  referrer: z.string().trim().max(500).optional(),
  utm_source: optionalTag,
  utm_medium: optionalTag,
  utm_campaign: optionalTag,
  utm_term: optionalTag,
  utm_content: optionalTag,
  gclid: optionalTag,
  msclkid: optionalTag,
};

/**
 * The intake form's fields, declared once: Fastify validates with it and the view reads its names.
 * Every check runs on every post (the refinement runs even when a field failed), so a person sees
 * all that is wrong at once; questions not asked of the chosen type are dropped first.
 */
export const intakeBody = z.preprocess(
  dropNotAsked,
  z
    .strictObject(objectShape, {
      error: (issue) =>
        issue.code === 'unrecognized_keys'
          ? `Unexpected fields: ${issue.keys.join(', ')}.`
          : undefined,
    })
    .superRefine(
      (v, ctx) => {
        phoneOnlyForTexts(v, ctx);
        requiredForType(v, ctx);
      },
      { when: () => true },
    ),
);

/** Empty answers to what the chosen type must answer; other checks already named their fields. */
function requiredForType(v: Partial<Record<string, unknown>>, ctx: z.RefinementCtx) {
  const type = v.userType;
  if (!isUserType(type)) return;
  for (const f of ['organization', 'practiceSize', 'address', 'city', 'state', 'zip'] as const) {
    const asked = askedOf[type][f];
    if (asked.need === 'required' && (v[f] === '' || v[f] === undefined))
      ctx.addIssue({ code: 'custom', path: [f], message: asked.missing ?? 'Please answer this.' });
  }
}

/**
 * The policy uses phone numbers solely for SMS, so a number given without agreeing to texts has
 * no lawful use: it is refused with a field error rather than silently dropped, so the person
 * knows it was not kept and can choose texts if that is what they meant.
 */
function phoneOnlyForTexts(v: Partial<Record<string, unknown>>, ctx: z.RefinementCtx) {
  if (v.phone && !v.consentSms)
    ctx.addIssue({
      code: 'custom',
      path: ['phone'],
      message:
        'Leave the phone number empty unless you want text messages: we use it for nothing else. Clear it, or tick the box to get texts.',
    });
  // Beside the box, not the number: the number stays optional, the box is what asks for one.
  if (v.consentSms && !v.phone)
    ctx.addIssue({
      code: 'custom',
      path: ['consentSms'],
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
