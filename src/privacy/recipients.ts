import { z } from 'zod';
import type { RecipientsTable } from '../db/schema.js';
import { categories, type Category } from './vocabulary.js';

// What makes a registry entry acceptable. The console's form validates with these schemas, so
// the rules a service provider must meet are written once, in the privacy kernel.

export type RecipientKind = RecipientsTable['kind'];
export const recipientKinds = [
  'processor',
  'third_party',
] as const satisfies readonly RecipientKind[];
export const recipientKindLabels: Record<RecipientKind, string> = {
  processor: 'Service provider (processes data for us)',
  third_party: 'Third party (receives data for its own use)',
};

const categoryKeys = Object.keys(categories) as [Category, ...Category[]];
const text = (max: number, label: string) =>
  z
    .string({ error: `${label} must be text.` })
    .trim()
    .max(max, `${label} is limited to ${max} characters.`)
    .default('');

/** A form sends one checkbox as a string, several as an array, none as nothing. */
const checkboxes = z.preprocess(
  (v) => (v === undefined || v === '' ? [] : [v].flat()),
  z.array(
    z.enum(categoryKeys, {
      error: 'Choose categories from the list; that one is not in the data map.',
    }),
  ),
);

export const recipientEditBody = z.object({
  name: text(120, 'The name').pipe(
    z.string().min(1, 'Enter the name of the organisation that receives the data.'),
  ),
  categories: checkboxes,
  purpose: text(200, 'The purpose'),
  contractRef: text(200, 'The contract reference'),
  relatedEntity: z.preprocess((v) => v === 'on' || v === 'true' || v === '1', z.boolean()),
  _csrf: z.string().optional(),
});

export const recipientCreateBody = recipientEditBody.extend({
  kind: z.enum(recipientKinds, {
    error: 'Choose whether this is a service provider or a third party.',
  }),
  key: z
    .string({ error: 'Enter a key.' })
    .trim()
    .regex(
      /^[a-z0-9]+(-[a-z0-9]+)*$/,
      'The key is lower-case letters and digits joined by single dashes, such as smtp-relay.',
    )
    .max(40, 'The key is limited to 40 characters.'),
});

export type RecipientEdit = z.output<typeof recipientEditBody>;
export type RecipientCreate = z.output<typeof recipientCreateBody>;

/**
 * The rules that depend on the kind of recipient, as field errors (empty when acceptable).
 * Service providers are printed on the policy page and bound by a contract, so they need all
 * three; a related company never receives intake-form data, so it cannot be registered for it.
 */
export function registryProblems(kind: RecipientKind, r: RecipientEdit): Record<string, string> {
  const problems: Record<string, string> = {};
  if (kind === 'processor') {
    if (r.categories.length === 0)
      problems.categories = 'Tick each kind of data this service provider receives.';
    if (!r.purpose)
      problems.purpose = 'Say what the service provider does for us; the privacy policy prints it.';
    if (!r.contractRef)
      problems.contractRef =
        'Enter the contract reference: a service provider must be bound by a contract.';
  } else if (r.categories.length > 0) {
    problems.categories =
      'Third parties are not registered for categories: each disclosure to them names its own. Untick them.';
  }
  // Related companies receive nothing for business purposes, and a service provider's work for
  // us is a business purpose, whatever the categories.
  if (r.relatedEntity && kind === 'processor' && !problems.categories)
    problems.categories =
      'A related company (parent or sister) cannot be a service provider: it receives nothing for business purposes. Untick the related-company box, or register it as a third party.';
  return problems;
}
