import { z } from 'zod';
import { usPhone, usStates } from '../intake/fields.js';
import { toE164 } from '../privacy/phone.js';

export const requestKinds = ['access', 'correction', 'deletion'] as const;
export const correctableFields = [
  'name',
  'organization',
  'address',
  'city',
  'state',
  'zip',
  'email',
  'phone',
] as const;
export type CorrectableField = (typeof correctableFields)[number];

export const correctableLabels: Record<CorrectableField, string> = {
  name: 'Name',
  organization: 'Practice or organization name',
  address: 'Street address',
  city: 'City',
  state: 'State',
  zip: 'ZIP code',
  email: 'Email address',
  phone: 'Telephone',
};

const blank = (v: unknown) => (v === '' ? undefined : v);
const email = (missing: string) =>
  z
    .string({ error: missing })
    .trim()
    .min(1, missing)
    .max(254, 'That email address is too long.')
    .pipe(z.email('Enter an email address like name@example.com.'));

const checkbox = z
  .union([z.boolean(), z.enum(['on', 'yes', 'true', '1', ''])])
  .optional()
  .transform((v) => v === true || v === 'on' || v === 'yes' || v === 'true' || v === '1');

const strictKeys = {
  error: (issue: { code: string; keys?: string[] }) =>
    issue.code === 'unrecognized_keys'
      ? `Unexpected fields: ${(issue.keys ?? []).join(', ')}.`
      : undefined,
};

/** A corrected value checked the way the intake form checks the original. */
function checkCorrection(
  field: CorrectableField,
  value: string,
): { value?: string; error?: string } {
  const v = value.trim();
  if (!v) return { error: 'Enter the corrected value.' };
  switch (field) {
    case 'email':
      return z.email().safeParse(v).success && v.length <= 254
        ? { value: v }
        : { error: 'Enter the new email address, like name@example.com.' };
    case 'phone': {
      const e164 = toE164(v);
      return e164 ? { value: e164 } : { error: 'Enter a US phone number, like (214) 555-0142.' };
    }
    case 'state':
      return v.toUpperCase() in usStates
        ? { value: v.toUpperCase() }
        : { error: 'Enter a two-letter state code such as TX.' };
    case 'zip':
      return /^\d{5}(-?\d{4})?$/.test(v)
        ? { value: v }
        : { error: 'Enter a 5-digit ZIP code, or ZIP+4 such as 75001-1234.' };
    case 'name':
    case 'organization':
    case 'address':
    case 'city':
      return v.length <= 200 ? { value: v } : { error: 'Please keep this under 200 characters.' };
  }
}

/** What a request is about, whoever takes it down: the person online, or staff by phone or post. */
const requestShape = {
  kind: z.enum(requestKinds, {
    error: 'Choose what you would like us to do: see, correct or delete your information.',
  }),
  email: email('Enter the email address you gave us.'),
  correctionField: z.preprocess(
    blank,
    z.enum(correctableFields, { error: 'Choose which detail to correct.' }).optional(),
  ),
  correctionValue: z.string().max(300, 'Please keep this under 300 characters.').optional(),
};

export interface Correction {
  field: CorrectableField;
  value: string;
}

type RequestShape = {
  kind: (typeof requestKinds)[number];
  email: string;
  correctionField?: CorrectableField | undefined;
  correctionValue?: string | undefined;
};

/** A correction names its field and a value checked like the original; other kinds carry neither. */
function withCorrection<T extends RequestShape>(
  v: T,
  ctx: z.RefinementCtx,
): Omit<T, 'correctionField' | 'correctionValue'> & { correction?: Correction } {
  const { correctionField, correctionValue, ...rest } = v;
  if (v.kind !== 'correction') return rest;
  if (!correctionField) {
    ctx.addIssue({
      code: 'custom',
      path: ['correctionField'],
      message: 'Choose which detail to correct.',
    });
    return z.NEVER;
  }
  const checked = checkCorrection(correctionField, correctionValue ?? '');
  if (checked.error) {
    ctx.addIssue({ code: 'custom', path: ['correctionValue'], message: checked.error });
    return z.NEVER;
  }
  if (correctionField === 'email' && checked.value!.toLowerCase() === v.email.toLowerCase()) {
    ctx.addIssue({
      code: 'custom',
      path: ['correctionValue'],
      message:
        'The new address is the same as the one above. Enter the address you want us to use instead.',
    });
    return z.NEVER;
  }
  return { ...rest, correction: { field: correctionField, value: checked.value! } };
}

export const requestBody = z
  .strictObject(
    {
      ...requestShape,
      formToken: z
        .string({ error: 'This form is missing its security token. Please reload the page.' })
        .max(300),
      website: z.string().max(300).optional(),
    },
    strictKeys,
  )
  .transform(withCorrection);

/** Ways staff take down a request that did not come through the Privacy Center. */
export const offlineChannels = ['phone', 'post', 'email'] as const;
export type OfflineChannel = (typeof offlineChannels)[number];

export const loggedRequestBody = z
  .strictObject(
    {
      ...requestShape,
      email: email('Enter the email address the person gave us: the confirmation link goes there.'),
      channel: z.enum(offlineChannels, { error: 'Choose how the request reached us.' }),
      _csrf: z.string().optional(),
    },
    strictKeys,
  )
  .transform(withCorrection);

export type LoggedRequestInput = z.output<typeof loggedRequestBody>;
export type RequestInput = z.output<typeof requestBody>;

const browserChoice = z.preprocess(
  blank,
  z.enum(['allow', 'deny'], { error: 'Choose allow or do not allow.' }).optional(),
);

export const choicesBody = z
  .strictObject(
    {
      email: z.preprocess(blank, email('Enter an email address.').optional()),
      phone: z.preprocess(blank, usPhone().optional()),
      marketing: checkbox,
      sms: checkbox,
      advertising: checkbox,
      sensitive: checkbox,
      analyticsCookies: browserChoice,
      advertisingCookies: browserChoice,
    },
    strictKeys,
  )
  .superRefine((v, ctx) => {
    if (v.marketing && !v.email)
      ctx.addIssue({
        code: 'custom',
        path: ['email'],
        message: 'Enter the email address that should get no marketing email.',
      });
    if (v.sms && !v.phone)
      ctx.addIssue({
        code: 'custom',
        path: ['phone'],
        message: 'Enter the phone number that should get no text messages.',
      });
    if (v.sensitive && !v.email && !v.phone) {
      ctx.addIssue({
        code: 'custom',
        path: ['email'],
        message: 'Enter your email address or phone number, so we know whose information to limit.',
      });
    }
    const any =
      v.marketing ||
      v.sms ||
      v.advertising ||
      v.sensitive ||
      v.analyticsCookies ||
      v.advertisingCookies;
    if (!any)
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: 'Tick at least one choice, or choose a setting for this browser.',
      });
  });
export type ChoicesInput = z.output<typeof choicesBody>;
