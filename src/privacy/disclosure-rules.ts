import type { AuditActor } from '../audit/log.js';
import type { DisclosureChannel } from '../db/schema.js';
import { dataMap, type FieldClass, type PersonalField } from './data-map.js';
import type { Recipient } from './disclosure-store.js';
import {
  categories as categoryLabels,
  disclosureBases,
  purposes,
  type Category,
  type DisclosureBasis,
  type Purpose,
} from './vocabulary.js';

// The rules of the disclosure ledger, as pure checks: each throws DisclosureRefusedError with a
// reason a person can act on. recordDisclosure (disclosures.ts) runs them all before writing.

export const disclosureChannels = [
  'csv_export',
  'api',
  'email_provider',
  'sms_provider',
  'legal_process',
  'other',
] as const satisfies readonly DisclosureChannel[];

/** Tables the intake form writes: every category stored in them is intake-form data. */
const intakeTables = ['leads', 'lead_submissions', 'consents'] as const;

const personalFields = (tables: readonly (keyof typeof dataMap)[]): PersonalField[] =>
  tables.flatMap((t) =>
    (Object.values(dataMap[t]) as FieldClass[]).filter((f): f is PersonalField => f.personal),
  );

export const intakeCategories: ReadonlySet<Category> = new Set(
  personalFields(intakeTables).map((f) => f.category),
);

/**
 * A category may leave for a purpose only if some stored field of that category allows it.
 * Blind indexes are left out: they never leave, so their purposes (an opt-out list is kept for
 * legal reasons) must not widen what the data they hash may be disclosed for.
 */
const allowedPurposes = new Map<Category, Set<Purpose>>();
for (const f of personalFields(Object.keys(dataMap) as (keyof typeof dataMap)[])) {
  if (f.blindIndexOf) continue;
  const set = allowedPurposes.get(f.category) ?? new Set<Purpose>();
  f.purposes.forEach((p) => set.add(p));
  allowedPurposes.set(f.category, set);
}
export const purposesAllowedFor = (c: Category): Purpose[] => [...(allowedPurposes.get(c) ?? [])];

export type RefusalReason =
  | 'invalid_request'
  | 'unknown_recipient'
  | 'inactive_recipient'
  | 'not_a_processor'
  | 'purpose_not_allowed'
  | 'related_entity'
  | 'processor_not_registered'
  | 'intake_to_third_party'
  | 'third_party_basis'
  | 'contract_required'
  | 'evidence_required'
  | 'phone_only_for_sms'
  | 'patient_not_prospect';

/** A disclosure the policy does not allow. The message says why and what would make it allowed. */
export class DisclosureRefusedError extends Error {
  constructor(
    readonly reason: RefusalReason,
    message: string,
  ) {
    super(message);
    this.name = 'DisclosureRefusedError';
  }
}

export interface DisclosureSubject {
  type: 'lead';
  id: string;
}

export interface Disclosure {
  recipientId: string;
  basis: DisclosureBasis;
  purpose: Purpose;
  categories: Category[];
  subjects: DisclosureSubject[];
  /** Case number, order or agreement; for a third party the evidence records' references are added. */
  reference?: string | undefined;
  /** The evidence record (disclosure_authorities.id) chosen for a third party: only it counts. */
  evidence?: string | undefined;
  actor: AuditActor;
  channel: DisclosureChannel;
}

export const refuse = (reason: RefusalReason, message: string) =>
  new DisclosureRefusedError(reason, message);
export const named = (cs: readonly Category[]) =>
  cs.map((c) => `${c} (${categoryLabels[c]})`).join(', ');
export const who = (r: Recipient) => `${r.name} (${r.key})`;

/** Values a caller may have taken from a form or a URL: checked against the closed lists. */
export function checkShape(d: Disclosure): {
  reference: string | null;
  subjects: DisclosureSubject[];
} {
  if (!Object.hasOwn(disclosureBases, d.basis))
    throw refuse(
      'invalid_request',
      `Unknown basis "${String(d.basis)}": use one of ${Object.keys(disclosureBases).join(', ')}.`,
    );
  if (!Object.hasOwn(purposes, d.purpose))
    throw refuse('invalid_request', `Unknown purpose "${String(d.purpose)}".`);
  if (!disclosureChannels.includes(d.channel))
    throw refuse('invalid_request', `Unknown channel "${String(d.channel)}".`);
  const unknown = d.categories.filter((c) => !Object.hasOwn(categoryLabels, c));
  if (unknown.length)
    throw refuse('invalid_request', `Unknown data categories: ${unknown.join(', ')}.`);
  if (d.categories.length === 0)
    throw refuse('invalid_request', 'Name the categories of data that leave.');
  const seen = new Map(d.subjects.map((s) => [`${s.type}:${s.id}`, s]));
  if (seen.size === 0) throw refuse('invalid_request', 'Name the people the data is about.');
  const reference = d.reference?.trim() || null;
  if (reference && reference.length > 200)
    throw refuse('invalid_request', 'The reference is limited to 200 characters.');
  return { reference, subjects: [...seen.values()] };
}

/** The purpose limit of the data map holds outside the system too: phone numbers leave only for SMS. */
export function checkPurpose(d: Disclosure): void {
  const refused = d.categories.filter((c) => !allowedPurposes.get(c)?.has(d.purpose));
  if (refused.length === 0) return;
  const options = refused
    .map((c) => `${c}: ${purposesAllowedFor(c).join(', ') || 'none'}`)
    .join('; ');
  throw refuse(
    'purpose_not_allowed',
    `The purpose ${d.purpose} is not allowed for ${named(refused)}. Allowed purposes: ${options}.`,
  );
}

/** The key the SMS adapter looks itself up by: the one recipient a phone number may reach. */
export const smsProviderKey = 'sms-gateway';

/**
 * The policy: phone numbers are used solely for SMS and never shared with third parties. Only the
 * registered SMS provider receives one, to send a text; no purpose label or basis changes that.
 */
export function checkPhone(r: Recipient, categories: readonly Category[], purpose?: Purpose): void {
  if (!categories.includes('contact.phone')) return;
  // An adapter states no purpose: the SMS adapter's only use is sending a text.
  const smsProvider = r.kind === 'processor' && r.key === smsProviderKey;
  if (smsProvider && (purpose === undefined || purpose === 'sms_communication')) return;
  throw refuse(
    'phone_only_for_sms',
    `${who(r)} may not receive telephone numbers: they are used only to send text messages, through the registered SMS provider (${smsProviderKey}), and are never shared with anyone else.`,
  );
}

/** The rules for a service provider: registered for every category, bound by a contract. */
export function checkProcessorDisclosure(r: Recipient, d: Disclosure): void {
  const outside = d.categories.filter((c) => !r.categories.includes(c));
  if (outside.length > 0)
    throw refuse(
      'processor_not_registered',
      `${who(r)} is not registered to receive ${named(outside)}. An administrator can add them under Settings, Service providers, or leave them out.`,
    );
  if (!r.contractRef)
    throw refuse(
      'contract_required',
      `${who(r)} has no contract reference; a service provider receives nothing until one is registered.`,
    );
}

export function loadActive(found: Recipient | undefined, asked: string): Recipient {
  if (!found) throw refuse('unknown_recipient', `No recipient ${asked} is registered.`);
  if (!found.active)
    throw refuse(
      'inactive_recipient',
      `${who(found)} has been deactivated and may not receive data.`,
    );
  return found;
}

/** For adapters: the recipient must be a processor registered for every category it would get. */
export function checkProcessorFor(r: Recipient, categories: readonly Category[]): void {
  checkPhone(r, categories);
  if (r.kind !== 'processor')
    throw refuse(
      'not_a_processor',
      `${who(r)} is registered as a third party, not as a service provider acting for us.`,
    );
  const outside = categories.filter((c) => !r.categories.includes(c));
  if (outside.length > 0)
    throw refuse(
      'processor_not_registered',
      `${who(r)} is not registered to receive ${named(outside)}.`,
    );
  if (r.relatedEntity)
    throw refuse(
      'related_entity',
      `${who(r)} is a related company, and related companies receive nothing for business purposes.`,
    );
}
