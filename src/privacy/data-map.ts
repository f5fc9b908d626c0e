import type { Database } from '../db/schema.js';
import type { Category, Purpose, RetentionRule, Subject } from './vocabulary.js';

export interface PersonalField {
  personal: true;
  category: Category;
  subjects: readonly Subject[];
  purposes: readonly Purpose[];
  retention: RetentionRule;
  encrypted: boolean;
}

export interface NonPersonalField {
  personal: false;
  why: string;
}

export type FieldClass = PersonalField | NonPersonalField;
type TableMap<Row> = { [Column in keyof Row]-?: FieldClass };
export type DataMap = { [Table in keyof Database]: TableMap<Database[Table]> };

const key = (why = 'identifier, names no one'): NonPersonalField => ({ personal: false, why });
const meta = (why: string): NonPersonalField => ({ personal: false, why });

const leadSubjects = ['prospect', 'patient', 'provider', 'partner'] as const;
const lead = (
  category: Category,
  purposes: readonly Purpose[],
  retention: RetentionRule = 'lead',
): PersonalField => ({
  personal: true,
  category,
  subjects: leadSubjects,
  purposes,
  retention,
  encrypted: false,
});

// Contact details from the intake form serve the request, and marketing only with consent.
// The policy: phone numbers are used solely for SMS communication.
const requestAndMarketing = ['service_request', 'marketing', 'usability_research'] as const;
const intakeFields = {
  user_type: lead('profile.user_type', ['service_request', 'marketing']),
  name: lead('contact.name', requestAndMarketing),
  organization: lead('org.name', requestAndMarketing),
  practice_size: lead('org.size', ['service_request', 'marketing']),
  address: lead('contact.address', ['service_request']),
  city: lead('location.city_state', ['service_request', 'marketing']),
  state: lead('location.city_state', ['service_request', 'marketing']),
  zip: lead('location.city_state', ['service_request']),
  email: lead('contact.email', requestAndMarketing),
  phone: lead('contact.phone', ['sms_communication']),
  needs: lead('request.needs', ['service_request']),
} as const;

const staff = (
  category: Category,
  purposes: readonly Purpose[],
  retention: RetentionRule,
): PersonalField => ({ personal: true, category, subjects: ['staff'], purposes, retention, encrypted: false });

const acquisition = lead('acquisition.campaign', ['service_request', 'advertising']);

/** Every column the system stores, classified. A new column fails typecheck until it is here. */
export const dataMap = {
  leads: {
    id: key(),
    created_at: meta('time of first contact'),
    updated_at: meta('record bookkeeping'),
    last_activity_at: meta('drives the retention clock'),
    status: meta('sales pipeline stage'),
    ...intakeFields,
    email_normalized: lead('contact.email', ['service_request']),
  },
  lead_submissions: {
    id: key(),
    lead_id: key(),
    created_at: meta('time of submission'),
    idempotency_key: key('random token against double submits'),
    form_id: meta('which form was shown'),
    form_version: meta('which version of the form was shown'),
    health_confirmed: meta('the person confirmed the text holds no health information'),
    ...intakeFields,
    referrer: acquisition,
    utm_source: acquisition,
    utm_medium: acquisition,
    utm_campaign: acquisition,
    utm_term: acquisition,
    utm_content: acquisition,
    gclid: acquisition,
    msclkid: acquisition,
  },
  lead_events: {
    id: key(),
    lead_id: key(),
    at: meta('time of the event'),
    kind: meta('kind of event'),
    submission_id: key(),
    staff_user_id: key(),
    from_status: meta('pipeline stage'),
    to_status: meta('pipeline stage'),
  },
  consents: {
    id: key(),
    subject_type: meta('kind of record the consent belongs to'),
    subject_id: key(),
    purpose: lead('consent.record', ['legal'], 'consent'),
    channel: lead('consent.record', ['legal'], 'consent'),
    granted: lead('consent.record', ['legal'], 'consent'),
    at: meta('time of the choice'),
    form_id: meta('which form was shown'),
    form_version: meta('which version of the form was shown'),
    text_shown: meta('the wording shown, the same for everyone'),
    submission_id: key(),
  },
  staff_users: {
    id: key(),
    email: staff('account.login', ['account', 'security'], 'staff_account'),
    password_hash: staff('account.login', ['security'], 'staff_account'),
    role: meta('permission level'),
    created_at: meta('account bookkeeping'),
    disabled_at: meta('account bookkeeping'),
    failed_logins: meta('lockout counter'),
    locked_until: meta('lockout timer'),
    last_login_at: staff('account.session', ['security'], 'staff_account'),
  },
  sessions: {
    id_hash: key('hash of a random session token'),
    user_id: key(),
    created_at: staff('account.session', ['security'], 'session'),
    last_seen_at: staff('account.session', ['security'], 'session'),
    expires_at: meta('session bookkeeping'),
  },
  setup_tokens: {
    token_hash: key('hash of a one-time setup token'),
    created_at: meta('token bookkeeping'),
    expires_at: meta('token bookkeeping'),
    used_at: meta('token bookkeeping'),
  },
  outbox: {
    id: key(),
    created_at: meta('job bookkeeping'),
    kind: meta('job kind'),
    payload: meta('job arguments: record ids only, never personal data'),
    attempts: meta('job bookkeeping'),
    next_attempt_at: meta('job bookkeeping'),
    sent_at: meta('job bookkeeping'),
    last_error: meta('delivery error, without addresses'),
  },
} as const satisfies DataMap;

export type TableName = keyof typeof dataMap;

export function fieldClass(table: string, column: string): FieldClass | undefined {
  const t = (dataMap as Record<string, Record<string, FieldClass>>)[table];
  return t?.[column];
}
