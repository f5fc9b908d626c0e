import type { Database } from '../db/schema.js';
import type { Category, Purpose, RetentionRule, Subject } from './vocabulary.js';

export interface PersonalField {
  personal: true;
  category: Category;
  subjects: readonly Subject[];
  purposes: readonly Purpose[];
  retention: RetentionRule;
  /** Sealed at rest with AES-256-GCM by the kernel (src/privacy/kernel.ts, src/privacy/cipher.ts). */
  encrypted: boolean;
  /**
   * A keyed hash of another column, for exact lookups inside the kernel. It reveals nothing, so
   * it is never shown, exported or reported; it shares the purposes of the column it indexes.
   */
  blindIndexOf?: string;
}

export interface NonPersonalField {
  personal: false;
  why: string;
  /** A record id or token: shown in an access report only as the row's own reference. */
  identifier?: true;
}

export type FieldClass = PersonalField | NonPersonalField;
type TableMap<Row> = { [Column in keyof Row]-?: FieldClass };
export type DataMap = { [Table in keyof Database]: TableMap<Database[Table]> };

const key = (why = 'identifier, names no one'): NonPersonalField => ({
  personal: false,
  why,
  identifier: true,
});
const meta = (why: string): NonPersonalField => ({ personal: false, why });

const leadSubjects = ['prospect', 'patient', 'provider', 'partner'] as const;
const lead = (
  category: Category,
  purposes: readonly Purpose[],
  retention: RetentionRule = 'lead',
  subjects: readonly Subject[] = leadSubjects,
): PersonalField => ({
  personal: true,
  category,
  subjects,
  purposes,
  retention,
  encrypted: false,
});
/**
 * Whom the intake form asks a question: a patient with a bill question is not asked where they
 * live or how big a practice is (src/intake/fields.ts `askedOf`; a test keeps the two in step).
 */
const askedOf = (subjects: readonly Subject[], f: PersonalField): PersonalField => ({
  ...f,
  subjects,
});
const practices = ['provider', 'partner'] as const;

const sealed = (f: PersonalField): PersonalField => ({ ...f, encrypted: true });
const indexOf = (column: string, f: PersonalField): PersonalField => ({
  ...f,
  encrypted: false,
  blindIndexOf: column,
});

// Contact details from the intake form serve the request, and marketing only with consent.
// The policy: phone numbers are used solely for SMS communication.
// `legal`: the policy lets us answer law and legal process with what the person gave us. The
// phone number is not among them: the policy reserves it for text messages, with no exception.
const requestAndMarketing = [
  'service_request',
  'marketing',
  'usability_research',
  'legal',
] as const;
const intakeFields = {
  user_type: lead('profile.user_type', ['service_request', 'marketing', 'legal']),
  name: lead('contact.name', requestAndMarketing),
  organization: askedOf(['patient', ...practices], lead('org.name', requestAndMarketing)),
  practice_size: askedOf(practices, lead('org.size', ['service_request', 'marketing', 'legal'])),
  address: askedOf(['provider'], sealed(lead('contact.address', ['service_request', 'legal']))),
  city: askedOf(practices, lead('location.city_state', ['service_request', 'marketing', 'legal'])),
  state: askedOf(practices, lead('location.city_state', ['service_request', 'marketing', 'legal'])),
  zip: askedOf(['provider'], lead('location.city_state', ['service_request', 'legal'])),
  email: sealed(lead('contact.email', requestAndMarketing)),
  phone: sealed(lead('contact.phone', ['sms_communication'])),
  // Free text: a patient may write what they should not; sealed like the contact fields.
  needs: sealed(lead('request.needs', ['service_request', 'legal'])),
} as const;

const staff = (
  category: Category,
  purposes: readonly Purpose[],
  retention: RetentionRule,
): PersonalField => ({
  personal: true,
  category,
  subjects: ['staff'],
  purposes,
  retention,
  encrypted: false,
});

const signInFailure: PersonalField = {
  personal: true,
  category: 'account.sign_in_failures',
  subjects: ['staff', 'visitor'],
  purposes: ['security'],
  retention: 'sign_in_failures',
  encrypted: false,
};

const acquisition = lead('acquisition.campaign', ['service_request', 'advertising']);

/** A blind index kept only so an opt-out is honoured; the address it hashes is not stored. */
const optOut = (category: Category, of: string, purposes: readonly Purpose[]): PersonalField => ({
  personal: true,
  category,
  subjects: ['visitor', ...leadSubjects, 'client_user'],
  purposes,
  retention: 'opt_out',
  encrypted: false,
  blindIndexOf: of,
});

// The privacy request log serves one purpose: showing the request was answered (legal).
const requestLog = (encrypted = false): PersonalField => ({
  ...lead('privacy.request', ['legal'], 'privacy_request'),
  encrypted,
});
const requestEmail = sealed(lead('contact.email', ['legal'], 'privacy_request'));

// Website analytics: pseudonymous, about visitors, for the analytics purpose only, 13 months.
const visit = (category: Category): PersonalField => ({
  personal: true,
  category,
  subjects: ['visitor'],
  purposes: ['analytics'],
  retention: 'analytics_event',
  encrypted: false,
});
const aggregate = (why: string): NonPersonalField =>
  meta(`${why}; counts over all visitors, no one in them`);

/** Every column the system stores, classified. A new column fails typecheck until it is here. */
export const dataMap = {
  leads: {
    id: key(),
    created_at: meta('time of first contact'),
    updated_at: meta('record bookkeeping'),
    last_activity_at: meta('drives the retention clock'),
    status: meta('sales pipeline stage'),
    ...intakeFields,
    email_index: indexOf('email', intakeFields.email),
    phone_index: indexOf('phone', intakeFields.phone),
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
    policy_version: meta('which version of the privacy policy was in force'),
  },
  staff_users: {
    id: key(),
    email: staff('account.login', ['account', 'security'], 'staff_account'),
    password_hash: staff('account.login', ['security'], 'staff_account'),
    role: meta('permission level'),
    created_at: meta('account bookkeeping'),
    disabled_at: meta('account bookkeeping'),
    last_login_at: staff('account.session', ['security'], 'staff_account'),
    name: staff('contact.name', ['account', 'security'], 'staff_account'),
    invited_at: meta('account bookkeeping: an invitation is waiting to be accepted'),
  },
  sessions: {
    id_hash: key('hash of a random session token'),
    user_id: key(),
    created_at: staff('account.session', ['security'], 'session'),
    last_seen_at: staff('account.session', ['security'], 'session'),
    expires_at: meta('session bookkeeping'),
    account_kind: meta('which kind of account the session is for'),
    stage: meta('how far sign-in got'),
    verified_at: staff('account.session', ['security'], 'session'),
    // A label derived from the user agent ("Firefox 120 on Windows"), shown to its owner only.
    device: staff('online.device', ['security'], 'session'),
    code_failures: meta('wrong second-factor codes typed during this sign-in'),
  },
  // The second factor: the TOTP secret sealed at rest; recovery codes as keyed hashes only.
  account_totp: {
    id: key(),
    account_kind: meta('which kind of account the secret is for'),
    account_id: key(),
    secret: sealed(staff('account.login', ['security'], 'staff_account')),
    enrol_token_hash: key('hash of a one-time enrolment token'),
    created_at: meta('account bookkeeping'),
    confirmed_at: meta('account bookkeeping'),
    last_step: meta('the last 30-second step a code was accepted for'),
  },
  account_recovery_codes: {
    code_hash: staff('account.login', ['security'], 'staff_account'),
    account_kind: meta('which kind of account the code is for'),
    account_id: key(),
    created_at: meta('account bookkeeping'),
    used_at: meta('account bookkeeping'),
  },
  // Keyed fingerprints (HMAC with the app secret) of the email typed, whoever's it is, and of
  // the source network: counted for security, never shown, gone an hour after their window.
  login_failures: {
    account_key: signInFailure,
    source_key: signInFailure,
    failures: signInFailure,
    window_started_at: signInFailure,
    notified_at: meta('when the account owner was last emailed about failures'),
  },
  setup_tokens: {
    token_hash: key('hash of a one-time setup token'),
    created_at: meta('token bookkeeping'),
    expires_at: meta('token bookkeeping'),
    used_at: meta('token bookkeeping'),
    purpose: meta('what the link does: first-run setup, invitation or password reset'),
    user_id: key(),
    nonce: meta('random value the mailed link is derived from with the app secret'),
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
  legal_holds: {
    id: key(),
    target_type: meta('kind of record held'),
    target_id: key(),
    // Free text, so the form asks for a matter or case reference and no personal details.
    reason: meta('matter or case reference for the hold, no personal details'),
    placed_by: key(),
    placed_at: meta('hold bookkeeping'),
    released_at: meta('hold bookkeeping'),
    released_by: key(),
  },
  policy_revisions: {
    version: meta('policy version number'),
    base_version: meta('the shipped policy version it builds on'),
    effective: meta('date the version applies from'),
    created_at: meta('when the change was published'),
    source: meta('which registry changed'),
    fingerprint: meta('hash of the published registry'),
    summary: meta('change-log line naming organisations, never people'),
  },
  retention_runs: {
    id: key(),
    started_at: meta('run bookkeeping'),
    finished_at: meta('run bookkeeping'),
    dry_run: meta('run bookkeeping'),
    trigger: meta('what started the run'),
    started_by: key(),
    counts: meta('numbers of records removed per rule'),
    error: meta('failure message, record ids only'),
  },
  // The audit log names people only by record id (staff id, lead id); what those ids point to is
  // classified in its own table. Emails and IP addresses are never written here.
  audit_log: {
    seq: meta('position in the hash chain'),
    at: meta('time of the audited action'),
    actor_kind: meta('staff, system, person or anonymous'),
    actor_id: key('staff id, job name or record reference; never an email or IP'),
    action: meta('kind of audited action'),
    target_type: meta('kind of record acted on'),
    target_id: key(),
    purpose: meta('stated purpose of the access'),
    detail: meta('ids, counts and field names only, never personal values'),
    prev_hash: meta('hash of the previous entry'),
    chain_version: meta('how the hash was made: plain SHA-256 (legacy) or keyed HMAC'),
    hash: meta('hash of this entry'),
  },
  // The register describes an incident, not the people in it: those are found from the audit
  // log when the page is shown, and never copied here.
  incidents: {
    id: key(),
    summary: meta('what happened, with record ids rather than personal details'),
    discovered_on: meta('incident bookkeeping'),
    categories: meta('names of the data categories involved'),
    window_start: meta('incident bookkeeping'),
    window_end: meta('incident bookkeeping'),
    contract_days: meta('notification period a contract sets'),
    deadline_on: meta('notification deadline'),
    status: meta('open or closed'),
    opened_by: key(),
    opened_at: meta('incident bookkeeping'),
    updated_at: meta('incident bookkeeping'),
    closed_by: key(),
    closed_at: meta('incident bookkeeping'),
  },
  incident_reminders: {
    incident_id: key(),
    days_before: meta('which reminder'),
    deadline_on: meta('the deadline it reminded of'),
    enqueued_at: meta('reminder bookkeeping'),
  },
  // The processor registry names organisations (the form asks for a company, not a person).
  recipients: {
    id: key(),
    kind: meta('service provider or third party'),
    key: meta('stable name an adapter looks itself up by'),
    name: meta('name of the receiving organisation'),
    categories: meta('kinds of data it may receive, never the data'),
    purpose: meta('the service it performs for us'),
    contract_ref: meta('contract or agreement reference'),
    related_entity: meta('whether it is a related company'),
    active: meta('registry bookkeeping'),
    created_at: meta('registry bookkeeping'),
    updated_at: meta('registry bookkeeping'),
  },
  // The disclosure ledger records which kinds of data left and about whom (by record id only).
  // Subject ids have no foreign key: the proof of a disclosure outlives the lead it was about.
  disclosures: {
    id: key(),
    at: meta('time of the disclosure'),
    recipient_id: key(),
    basis: meta('legal basis from the closed list'),
    purpose: meta('stated purpose of the disclosure'),
    categories: meta('kinds of data disclosed, never the data'),
    reference: meta('case number or agreement reference, no personal details'),
    channel: meta('how the data left'),
    actor_kind: meta('staff, system, person or anonymous'),
    actor_id: key('staff id or job name; never an email'),
    subject_count: meta('number of people concerned'),
  },
  disclosure_subjects: {
    disclosure_id: key(),
    subject_type: meta('kind of record the disclosure concerned'),
    subject_id: key(),
  },
  // Evidence for third-party disclosures, entered by a privacy officer: references and reasons
  // written without personal details; the people covered are ids only.
  disclosure_authorities: {
    id: key(),
    kind: meta('legal process, protection or buyer undertaking'),
    recipient_id: key(),
    issuer: meta('court, agency or company that issued it, not a private person'),
    reference: meta('case number or agreement reference, no personal details'),
    issued_on: meta('date of the process or undertaking'),
    justification: meta('why a protection disclosure is needed, written without personal details'),
    entered_by: key('staff id of the privacy officer'),
    entered_at: meta('time it was entered'),
  },
  disclosure_authority_subjects: {
    authority_id: key(),
    subject_type: meta('kind of record covered'),
    subject_id: key(),
  },
  // Opt-outs that outlive the person's record: keyed hashes of the address only, never the
  // address, so a deleted person is still never contacted again (docs/decisions/005-erasure.md).
  suppressions: {
    id: key(),
    channel: meta('what the person opted out of'),
    email_index: optOut('contact.email', 'email', ['legal']),
    // Phone numbers are used solely for SMS: a phone opt-out is checked only before a text.
    phone_index: optOut('contact.phone', 'phone', ['sms_communication']),
    created_at: meta('time of the opt-out'),
    key_id: meta('which data key made the index, so that key is kept while the opt-out stands'),
  },
  privacy_requests: {
    id: key(),
    created_at: requestLog(),
    kind: requestLog(),
    channel: requestLog(),
    status: requestLog(),
    email: requestEmail,
    email_index: indexOf('email', requestEmail),
    lead_ids: key('ids of the records the verified email matched'),
    correction_field: requestLog(),
    correction_value: requestLog(true),
    new_email_confirmed_at: meta('request bookkeeping'),
    verified_at: meta('request bookkeeping'),
    receipt_due_at: meta('deadline bookkeeping'),
    receipt_sent_at: meta('deadline bookkeeping'),
    due_at: meta('deadline bookkeeping'),
    extended_at: meta('deadline bookkeeping'),
    extension_reason: requestLog(),
    reminded_for: meta('deadline bookkeeping'),
    report_until: meta('request bookkeeping'),
    responded_at: requestLog(),
    response: requestLog(),
    denial_reason: requestLog(),
    handled_by: key(),
    closed_at: requestLog(),
  },
  privacy_request_tokens: {
    token_hash: key('hash of a one-time link token'),
    request_id: key(),
    purpose: meta('what the link confirms'),
    nonce: key('random; the link is derived from it with the app secret, which is not stored here'),
    created_at: meta('token bookkeeping'),
    expires_at: meta('token bookkeeping'),
    used_at: meta('token bookkeeping'),
  },
  // A GPC application names a lead by id at most (browsers are not identified); no IP is kept.
  gpc_applications: {
    id: key(),
    at: meta('time the signal was applied'),
    subject_kind: meta('a browser or a known person'),
    subject_id: key(),
    source: meta('where the signal was seen'),
    overrode: lead('consent.record', ['legal'], 'gpc_proof'),
  },
  // How many requests carried the signal each day; no browser, person or address in it.
  job_leases: {
    job: key('name of a scheduled job'),
    holder: key('random id of the app process holding the lease, made at its start'),
    lease_until: meta('when the lease lapses'),
  },
  gpc_daily: {
    day: meta('UTC day of the count'),
    signals: meta('requests that carried Global Privacy Control that day; a count over everyone'),
  },
  // Cookie choices name no one: a random browser id, or a staff id, and what was chosen.
  cookie_consents: {
    id: key(),
    consent_id: key('random id kept in the browser that chose, names no one'),
    at: meta('time of the choice'),
    day: meta('day of the choice, for daily rates'),
    subject_kind: meta('a browser or a signed-in staff member'),
    subject_id: key(),
    analytics: meta('the choice made for analytics cookies'),
    advertising: meta('the choice made for advertising cookies'),
    source: meta('where the choice was made'),
    gpc: meta('whether a Global Privacy Control signal applied'),
    policy_version: meta('which version of the privacy policy was in force'),
    banner_version: meta('which version of the cookie notice was shown'),
    ua_class: meta('browser family and device type, shared by many people'),
  },
  tags: {
    id: key(),
    name: meta('name of a third-party tag'),
    category: meta('cookie category the tag needs consent to'),
    vendor: meta('the company that serves the tag'),
    origin: meta('the web origin the tag loads from'),
    script_url: meta('address of the tag script'),
    inline_snippet: meta('the tag code, the same for everyone'),
    data_received: meta('what the vendor receives, as the policy states it'),
    active: meta('whether the tag is served'),
    created_at: meta('time registered'),
    updated_at: meta('time changed'),
    updated_by: key(),
    recipient_id: key('the registered service provider that serves it'),
    categories: meta('kinds of data the tag sends its vendor, never the data'),
  },
  // The ledger of what an active tag sends, to whom, from when until when: no people.
  tag_disclosures: {
    id: key(),
    tag_id: key(),
    recipient_id: key(),
    categories: meta('kinds of data sent, never the data'),
    purpose: meta('analytics or advertising'),
    started_at: meta('when the tag was activated'),
    started_by: key('staff id'),
    ended_at: meta('when the tag was deactivated'),
    ended_by: key('staff id'),
  },
  // Signed boundaries below which audit entries were purged (docs/decisions/022).
  audit_purges: {
    through_seq: meta('the last purged entry'),
    through_hash: meta('its hash, where the remaining chain starts'),
    count: meta('entries in the chain up to it'),
    legacy_until: meta('the last entry hashed without the key'),
    at: meta('when the purge ran'),
    key_id: meta('which audit key signed it'),
    sig: meta('signature under the audit key'),
  },
  // Analytics (docs/decisions/010-analytics-storage.md). The IP address is never stored: the
  // location columns hold what it was looked up to. Dictionary strings are paths, hosts, browser
  // names and campaign tags with query strings removed, shared by every visitor.
  analytics_dict: {
    id: key(),
    kind: meta('which kind of string'),
    value: meta(
      'a page path, referring host, campaign tag, place or browser name, shared by many visits',
    ),
  },
  analytics_sessions: {
    id: key(),
    visitor: visit('online.identifier'),
    started_at: visit('online.activity'),
    last_at: visit('online.activity'),
    pageviews: visit('online.activity'),
    events: visit('online.activity'),
    entry_path: visit('online.activity'),
    exit_path: visit('online.activity'),
    channel: visit('acquisition.campaign'),
    referrer: visit('acquisition.campaign'),
    engine: visit('acquisition.campaign'),
    utm_source: visit('acquisition.campaign'),
    utm_medium: visit('acquisition.campaign'),
    utm_campaign: visit('acquisition.campaign'),
    country: visit('online.location'),
    region: visit('online.location'),
    city: visit('online.location'),
    browser: visit('online.device'),
    browser_version: visit('online.device'),
    os: visit('online.device'),
    device: visit('online.device'),
    visitor_kind: visit('online.activity'),
    client: visit('online.activity'),
    funnel: visit('online.activity'),
  },
  analytics_events: {
    id: key(),
    at: visit('online.activity'),
    session_id: key(),
    type: visit('online.activity'),
    path: visit('online.activity'),
    name: visit('online.activity'),
  },
  analytics_event_props: {
    event_id: key(),
    prop_key: visit('online.activity'),
    prop_value: visit('online.activity'),
  },
  analytics_visitor_days: {
    day: visit('online.activity'),
    visitor: visit('online.identifier'),
  },
  analytics_rollup: {
    hour: aggregate('hour of the totals'),
    dim: aggregate('which breakdown'),
    key: aggregate('which value of the breakdown'),
    visits: aggregate('number of visits'),
    pageviews: aggregate('number of page views'),
    bounces: aggregate('number of single-page visits'),
    duration: aggregate('total seconds of the visits'),
    events: aggregate('number of events'),
  },
  analytics_prop_rollup: {
    hour: aggregate('hour of the totals'),
    name: aggregate('event name'),
    prop_key: aggregate('property name'),
    prop_value: aggregate('property value'),
    events: aggregate('number of events'),
  },
  // Decision 014: closed days' visits, events and props as columns; the same data as the rows
  // they replace, so classified as the most personal of them.
  analytics_segments: {
    id: key(),
    day: visit('online.activity'),
    visits: meta('how many visits the segment holds'),
    events: meta('how many events the segment holds'),
    props: meta('how many event properties the segment holds'),
    day_visitors: meta('how many visitor ids the day saw'),
  },
  analytics_segment_columns: {
    segment_id: key(),
    col: meta('which column of the segment'),
    width: meta('bytes per value'),
    data: visit('online.identifier'),
  },
  analytics_visitors: {
    visitor: visit('online.identifier'),
    last_at: visit('online.activity'),
  },
  analytics_salts: {
    day: meta('day the secret is for'),
    salt: meta('random secret for the daily visitor hash, deleted after two days'),
  },
} as const satisfies DataMap;

export type TableName = keyof typeof dataMap;

export function fieldClass(table: string, column: string): FieldClass | undefined {
  const t = (dataMap as Record<string, Record<string, FieldClass>>)[table];
  return t?.[column];
}

/** What an erasure does with a table's rows about the person (docs/decisions/005-erasure.md). */
export type EraseAction =
  /** Delete the rows. */
  | 'delete'
  /** Keep the record, give it a fresh random subject id so nothing ties it to the person. */
  | 'pseudonymise'
  /** Keep the record as it is; `why` says what makes that right. */
  | 'keep';

/** How a table shows up in the person's access report. */
export type ReportAs =
  { section: string } | { list: 'consents' | 'disclosures' } | { omitted: string };

/** Rows that hold a lead id: `column` (and `where`, e.g. subject_type = 'lead'). */
export interface LeadLink {
  column: string;
  where?: Readonly<Record<string, string>>;
  /** On 'pseudonymise': further columns set to null (ids of records erased with the person). */
  clear?: readonly string[];
  report: ReportAs;
  erase: EraseAction;
  why?: string;
}

/** Rows found by blind index of the person's email or phone, not by record id. */
export interface ContactLink {
  contact: { email?: string; phone?: string };
  report: ReportAs;
  erase: EraseAction;
  why: string;
}

/**
 * Pseudonymous rows about website visitors: no name, email or IP, and a visitor id that is a
 * daily-salted hash or a random cookie id, so no request can be matched to them; they leave by
 * retention. The text says what makes them unmatchable.
 */
export interface PseudonymousLink {
  pseudonymous: string;
}

export type SubjectLink = LeadLink | ContactLink | PseudonymousLink | { none: string };

/**
 * How each table reaches a person, for access reports and erasure (src/privacy/subject-data.ts).
 * Every table with a personal field about someone other than staff must be here: a test fails
 * otherwise, so a new table cannot be forgotten by an access report or a deletion.
 */
export const subjectLinks: { readonly [T in keyof DataMap]?: SubjectLink } = {
  leads: { column: 'id', report: { section: 'Your contact details and request' }, erase: 'delete' },
  lead_submissions: {
    column: 'lead_id',
    report: { section: 'Each form you sent us, with how you found us' },
    erase: 'delete',
  },
  lead_events: {
    column: 'lead_id',
    report: { section: 'The history of your request with us' },
    erase: 'delete',
  },
  consents: {
    column: 'subject_id',
    where: { subject_type: 'lead' },
    clear: ['submission_id'],
    report: { list: 'consents' },
    erase: 'pseudonymise',
    why: 'proof of what was agreed and withdrawn is kept five years, tied to no one',
  },
  disclosure_subjects: {
    column: 'subject_id',
    where: { subject_type: 'lead' },
    report: { list: 'disclosures' },
    erase: 'delete',
    why: 'the disclosure itself stays in the ledger with its count of people; only the link to the person goes',
  },
  legal_holds: {
    column: 'target_id',
    where: { target_type: 'lead' },
    report: {
      omitted:
        'a hold names a legal matter and no personal details; it is why an erasure is refused',
    },
    erase: 'keep',
    why: 'an active hold refuses the erasure; a released hold is the record of what was held, ids only',
  },
  suppressions: {
    contact: { email: 'email_index', phone: 'phone_index' },
    report: { section: 'What you opted out of' },
    erase: 'keep',
    why: 'an opt-out must outlive the record, or a deleted person could be contacted again',
  },
  privacy_requests: {
    contact: { email: 'email_index' },
    report: { section: 'Your privacy requests and our answers' },
    erase: 'keep',
    why: 'the request log is kept 24 months after the request closes, for the legal purpose only, as proof it was answered',
  },
  gpc_applications: {
    column: 'subject_id',
    where: { subject_kind: 'lead' },
    report: { section: 'Global Privacy Control signals we honoured for you' },
    erase: 'pseudonymise',
    why: 'proof that the signal was honoured is kept like a consent record, tied to no one',
  },
  job_leases: {
    none: 'which app process runs each scheduled job, naming no one',
  },
  gpc_daily: {
    none: 'a count of signals per day, naming no one; kept like the other aggregates (no retention rule)',
  },
  privacy_request_tokens: {
    none: 'hashes of one-time link tokens; the request they confirm is linked by email',
  },
  disclosure_authorities: {
    none: 'issuer, reference and reason of evidence for disclosures; the people covered are linked by disclosure_authority_subjects',
  },
  disclosure_authority_subjects: {
    column: 'subject_id',
    where: { subject_type: 'lead' },
    report: {
      omitted:
        'a legal process may forbid telling the person it exists; every disclosure made under it is in the ledger list',
    },
    erase: 'delete',
  },
  staff_users: { none: 'staff accounts, not people who contacted us' },
  sessions: { none: 'staff sign-in sessions' },
  account_totp: { none: 'staff second-factor secrets, not people who contacted us' },
  account_recovery_codes: { none: 'hashes of staff recovery codes' },
  setup_tokens: {
    none: 'one-time links for staff setup, invitations and password resets; staff ids only',
  },
  login_failures: {
    pseudonymous:
      'failed sign-in counts under keyed fingerprints of the email typed and the network, deleted an hour after their 15-minute window opens',
  },
  outbox: {
    none: 'job arguments are record ids only; pending jobs about an erased lead are dropped with it',
  },
  retention_runs: { none: 'counts per rule, no people' },
  policy_revisions: { none: 'versions of the policy page, naming organisations only' },
  audit_log: {
    none: 'ids only, never personal data, and append-only: the hash chain proves nothing was removed, so entries naming an erased lead id stay',
  },
  incidents: { none: 'describes an incident with record ids, never the people in it' },
  incident_reminders: { none: 'deadline reminders, no people' },
  recipients: { none: 'organisations that receive data, not people' },
  cookie_consents: {
    none: 'cookie choices by a random browser id or a staff id, never by contact details',
  },
  tags: { none: 'third-party tags and their vendors, not people' },
  tag_disclosures: { none: 'which provider received which kinds of data, when; no people' },
  audit_purges: { none: 'positions and hashes in the audit chain, no people' },
  disclosures: {
    none: 'what left and on what basis; the people concerned are in disclosure_subjects',
  },
  analytics_sessions: {
    pseudonymous:
      'visits with no name, email or IP; the visitor id is a daily-salted hash or a random cookie id, deleted after 13 months',
  },
  analytics_events: { pseudonymous: 'page views and clicks, linked only to a pseudonymous visit' },
  analytics_event_props: { pseudonymous: 'properties of pseudonymous events' },
  analytics_visitor_days: {
    pseudonymous: 'pseudonymous visitor ids per day, for unique-visitor counts',
  },
  analytics_dict: { none: 'paths, hosts, places and browser names shared by all visits' },
  analytics_rollup: { none: 'hourly counts over all visitors' },
  analytics_prop_rollup: { none: 'hourly counts of event properties over all visitors' },
  analytics_salts: { none: 'random secrets, no people' },
  analytics_segments: {
    pseudonymous: 'which closed days of pseudonymous visits are stored as columns',
  },
  analytics_segment_columns: {
    pseudonymous:
      'closed days of visits, events and props as columns, with a hash of the pseudonymous visitor id, deleted after 13 months',
  },
  analytics_visitors: {
    pseudonymous: 'when each pseudonymous visitor id was last seen, deleted after 13 months',
  },
};
