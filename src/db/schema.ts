import type { ColumnType, Generated } from 'kysely';
import type { AuditAction } from '../audit/log.js';
import type { DisclosureBasis, Purpose } from '../privacy/vocabulary.js';

// Timestamps are ISO-8601 UTC strings and booleans are 0/1 on both databases, so every query
// returns the same shapes on SQLite and PostgreSQL.
export type Timestamp = string;

export type LeadStatus = 'new' | 'contacted' | 'qualified' | 'won' | 'lost';
/** Who a lead is: one list for the intake form, the console's filters and exports. */
export const userTypes = ['patient', 'provider', 'partner'] as const;
export type UserType = (typeof userTypes)[number];
export type StaffRole = 'admin' | 'sales' | 'marketing' | 'privacy';

export interface LeadsTable {
  id: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  last_activity_at: Timestamp;
  status: LeadStatus;
  user_type: UserType;
  name: string;
  organization: string;
  practice_size: string;
  address: string;
  city: string;
  state: string;
  zip: string;
  /** Sealed (AES-256-GCM) like phone, address and needs; found through the blind indexes. */
  email: string;
  /** Keyed hash of the normalised email: exact lookups and duplicate detection without decrypting. */
  email_index: string | null;
  phone: string;
  phone_index: string | null;
  needs: string;
}

export interface LeadSubmissionsTable {
  id: string;
  lead_id: string;
  created_at: Timestamp;
  idempotency_key: string;
  form_id: string;
  form_version: string;
  user_type: UserType;
  name: string;
  organization: string;
  practice_size: string;
  address: string;
  city: string;
  state: string;
  zip: string;
  email: string;
  phone: string;
  needs: string;
  health_confirmed: number;
  referrer: string | null;
  utm_source: string | null;
  utm_medium: string | null;
  utm_campaign: string | null;
  utm_term: string | null;
  utm_content: string | null;
  gclid: string | null;
  msclkid: string | null;
}

export interface LeadEventsTable {
  id: Generated<number>;
  lead_id: string;
  at: Timestamp;
  kind: 'submitted' | 'resubmitted' | 'status_changed';
  submission_id: string | null;
  staff_user_id: string | null;
  from_status: LeadStatus | null;
  to_status: LeadStatus | null;
}

export interface ConsentsTable {
  id: string;
  subject_type: 'lead';
  subject_id: string;
  purpose: 'marketing' | 'sms_communication';
  channel: 'email' | 'sms';
  granted: number;
  at: Timestamp;
  form_id: string;
  form_version: string;
  text_shown: string;
  submission_id: string | null;
  /** Policy version in force at the choice; null for rows from before it was recorded (1.0). */
  policy_version: string | null;
}

export interface StaffUsersTable {
  id: string;
  email: string;
  password_hash: string;
  role: StaffRole;
  created_at: Timestamp;
  disabled_at: Timestamp | null;
  last_login_at: Timestamp | null;
  /** What colleagues call them; given at invitation or when accepting it. */
  name: string | null;
  /** Set while an invitation waits to be accepted; null once it is, or for accounts made otherwise. */
  invited_at: Timestamp | null;
}

/** The kinds of account that sign in; each has its own idle limit (src/accounts/sessions-store.ts). */
export type AccountKind = 'staff' | 'client' | 'partner';
/** How far sign-in got: `code` waits for the second factor, `enrol` for a required enrolment. */
export type SessionStage = 'active' | 'code' | 'enrol';

export interface SessionsTable {
  id_hash: string;
  user_id: string;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
  account_kind: Generated<AccountKind>;
  stage: Generated<SessionStage>;
  /** When the person last proved who they are (password, code): step-up asks again after 15 min. */
  verified_at: Timestamp | null;
  /** A short label such as "Firefox 120 on Windows (desktop)", never the raw user agent. */
  device: string | null;
  code_failures: Generated<number>;
}

export interface AccountTotpTable {
  id: string;
  account_kind: AccountKind;
  account_id: string;
  /** Sealed by the kernel (src/privacy/cipher.ts). */
  secret: string;
  enrol_token_hash: string | null;
  created_at: Timestamp;
  confirmed_at: Timestamp | null;
  last_step: number | null;
}

export interface AccountRecoveryCodesTable {
  code_hash: string;
  account_kind: AccountKind;
  account_id: string;
  created_at: Timestamp;
  used_at: Timestamp | null;
}

/** Failed sign-ins per (account, source network), and per account with source_key '*'. */
export interface LoginFailuresTable {
  /** Keyed fingerprint of the normalised email typed, whether or not an account has it. */
  account_key: string;
  /** Keyed fingerprint of the source network, or '*' for all sources. */
  source_key: string;
  failures: number;
  window_started_at: Timestamp;
  /** On the '*' row: when the account's owner was last emailed about failures. */
  notified_at: Timestamp | null;
}

/** One-time account links: the first-run setup, staff invitations and password resets. */
export interface SetupTokensTable {
  token_hash: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: Timestamp | null;
  purpose: ColumnType<AccountLinkPurpose, AccountLinkPurpose | undefined, AccountLinkPurpose>;
  /** The account an invitation or reset is for; null for the first-run setup link. */
  user_id: string | null;
  /** For mailed links: the token is derived from it with the app secret (never stored). */
  nonce: string | null;
}

export type AccountLinkPurpose = 'setup' | 'invite' | 'reset';

export interface OutboxTable {
  id: string;
  created_at: Timestamp;
  kind:
    | 'lead_notification'
    | 'intake_confirmation'
    | 'incident_reminder'
    | 'login_alert'
    | 'staff_invitation'
    | 'password_reset'
    | PrivacyMailKind;
  payload: string;
  attempts: number;
  next_attempt_at: Timestamp;
  sent_at: Timestamp | null;
  last_error: string | null;
}

export interface LegalHoldsTable {
  id: string;
  target_type: 'lead';
  target_id: string;
  reason: string;
  placed_by: string;
  placed_at: Timestamp;
  released_at: Timestamp | null;
  released_by: string | null;
}

export interface RetentionRunsTable {
  id: Generated<number>;
  started_at: Timestamp;
  finished_at: Timestamp | null;
  dry_run: number;
  trigger: 'scheduled' | 'cli' | 'console';
  /** The staff member who pressed "run now"; null for the scheduler and the CLI. */
  started_by: string | null;
  /** JSON: per purger, the records removed (or that would be, on a dry run). */
  counts: string;
  error: string | null;
}

export interface AuditLogTable {
  /** Position in the chain, assigned by the appender: a gap means a deleted row. */
  seq: number;
  at: Timestamp;
  actor_kind: 'staff' | 'system' | 'person' | 'anonymous';
  /** Staff id, system job name or person reference; null for anonymous. Never an email or IP. */
  actor_id: string | null;
  action: AuditAction;
  target_type: string | null;
  target_id: string | null;
  purpose: Purpose | null;
  /** Canonical JSON (sorted keys) of ids, counts and field names; never personal data. */
  detail: string | null;
  prev_hash: string;
  /** 0: hash is plain SHA-256 (rows from before migration 0022); 1: HMAC-SHA256 under the audit key. */
  chain_version: ColumnType<0 | 1, 0 | 1, never>;
  /** Hash over this row's content and prev_hash (src/audit/log.ts rowHash). */
  hash: string;
}

/** A service provider acting for us (processor) or anyone else who may receive data. */
export interface RecipientsTable {
  id: string;
  kind: 'processor' | 'third_party';
  /** Stable name adapters look themselves up by ('smtp-relay', 'sms-gateway'); never changes. */
  key: string;
  name: string;
  /** JSON array of data-map categories a processor may receive; [] for third parties. */
  categories: string;
  /** The service it performs for us, as the policy page prints it. */
  purpose: string;
  contract_ref: string | null;
  /** 1 for a parent, sister or other related company: it never receives intake-form data. */
  related_entity: number;
  active: number;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type DisclosureChannel =
  'csv_export' | 'api' | 'email_provider' | 'sms_provider' | 'legal_process' | 'other';

/** One hand-off of personal data, with its legal basis; the people it concerns are in disclosure_subjects. */
export interface DisclosuresTable {
  id: string;
  at: Timestamp;
  recipient_id: string;
  basis: DisclosureBasis;
  purpose: Purpose;
  /** JSON array of the data-map categories that left (never the values). */
  categories: string;
  reference: string | null;
  channel: DisclosureChannel;
  actor_kind: 'staff' | 'system' | 'person' | 'anonymous';
  actor_id: string | null;
  subject_count: number;
}

export interface DisclosureSubjectsTable {
  disclosure_id: string;
  subject_type: 'lead';
  subject_id: string;
}

export type DisclosureAuthorityKind = 'legal_process' | 'protection' | 'buyer_undertaking';

/** Evidence for a disclosure to a third party, entered by a privacy officer (migration 0026). */
export interface DisclosureAuthoritiesTable {
  id: string;
  kind: DisclosureAuthorityKind;
  recipient_id: string;
  /** Court, agency or officer who issued it; for a buyer, who signed the undertaking. */
  issuer: string;
  reference: string;
  /** YYYY-MM-DD */
  issued_on: string;
  justification: string | null;
  entered_by: string;
  entered_at: Timestamp;
}

export interface DisclosureAuthoritySubjectsTable {
  authority_id: string;
  subject_type: 'lead';
  subject_id: string;
}

export type IncidentStatus = 'open' | 'closed';

/** A suspected or confirmed breach, and the clock it starts for notifying the people affected. */
export interface IncidentsTable {
  id: string;
  /** What happened, in the officer's words; the form asks for record ids, not personal details. */
  summary: string;
  /** Calendar dates (YYYY-MM-DD): the law counts the deadline in days from discovery. */
  discovered_on: string;
  /** JSON array of data-map categories involved. */
  categories: string;
  window_start: string | null;
  window_end: string | null;
  /** A contract's shorter notification period in days (under 60), or null for the legal 60. */
  contract_days: number | null;
  deadline_on: string;
  status: IncidentStatus;
  opened_by: string;
  opened_at: Timestamp;
  updated_at: Timestamp;
  closed_by: string | null;
  closed_at: Timestamp | null;
}

export interface IncidentRemindersTable {
  incident_id: string;
  days_before: number;
  deadline_on: string;
  enqueued_at: Timestamp;
}

/**
 * An opt-out that outlives the person's record: keyed hashes of the address only, never the
 * address itself. One of email_index and phone_index is set. See docs/decisions/005-erasure.md.
 */
export interface PolicyRevisionsTable {
  /** `<base>.<n>`: the nth registry change on top of the code's version <base>. */
  version: string;
  base_version: string;
  /** YYYY-MM-DD */
  effective: string;
  created_at: Timestamp;
  /** Which registry the page prints changed: service providers or third-party tag vendors. */
  source: 'processors' | 'tags';
  /** Of that registry as the page prints it, so an edit that changes nothing printed adds nothing. */
  fingerprint: string;
  summary: string;
}

export interface SuppressionsTable {
  id: string;
  channel: 'email_marketing' | 'sms' | 'advertising' | 'sensitive_limit';
  email_index: string | null;
  phone_index: string | null;
  created_at: Timestamp;
  /** The data key that made the index; null on rows older than the column, until labelled. */
  key_id: string | null;
}

export type PrivacyRequestKind = 'access' | 'correction' | 'deletion';
export type PrivacyRequestStatus = 'unverified' | 'verified' | 'completed' | 'denied';
export type PrivacyMailKind =
  | 'privacy_verify'
  | 'privacy_receipt'
  | 'privacy_response'
  | 'privacy_reminder'
  | 'privacy_new_request';

export type PrivacyRequestChannel = 'web' | 'phone' | 'post' | 'email';

/** One request from the Privacy Center: the request log kept 24 months after it is closed. */
export interface PrivacyRequestsTable {
  id: string;
  /** When the request arrived: the 45-day clock runs from here, however long verification took. */
  created_at: Timestamp;
  kind: PrivacyRequestKind;
  /** How it came: the Privacy Center, or by phone, post or plain email, taken down by staff. */
  channel: PrivacyRequestChannel;
  status: PrivacyRequestStatus;
  /** Sealed; where the answer goes. Cleared once the closing answer has been sent. */
  email: string | null;
  email_index: string | null;
  /** JSON array of the lead ids the verified email matched (ids only). */
  lead_ids: string;
  correction_field: string | null;
  /** Sealed: the corrected value the person asked for. */
  correction_value: string | null;
  new_email_confirmed_at: Timestamp | null;
  verified_at: Timestamp | null;
  receipt_due_at: Timestamp;
  receipt_sent_at: Timestamp | null;
  due_at: Timestamp;
  extended_at: Timestamp | null;
  extension_reason: string | null;
  /** The due date the 10-days-left reminder was queued for (so it is queued once per deadline). */
  reminded_for: Timestamp | null;
  report_until: Timestamp | null;
  responded_at: Timestamp | null;
  response: 'report_provided' | 'corrected' | 'deleted' | 'denied' | null;
  denial_reason: string | null;
  handled_by: string | null;
  closed_at: Timestamp | null;
}

export interface PrivacyRequestTokensTable {
  /** SHA-256 of the token in the emailed link; the token itself is never stored. */
  token_hash: string;
  request_id: string;
  purpose: 'verify' | 'confirm_email';
  /** Random; the link token is HMAC(app secret, nonce), so this alone opens nothing. */
  nonce: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: Timestamp | null;
}

/** Each time a Global Privacy Control signal was applied, to a browser or a known person. No IP. */
export interface GpcApplicationsTable {
  id: Generated<number>;
  at: Timestamp;
  subject_kind: 'browser' | 'lead';
  subject_id: string | null;
  source: 'page' | 'intake' | 'verification';
  overrode: 'none' | 'advertising_opt_in';
}

/** Who runs each scheduled job now, and until when (one run across instances, decision 027). */
export interface JobLeasesTable {
  job: string;
  /** A random id of the holding process, made at its start; names no one. */
  holder: string;
  lease_until: Timestamp;
}

/** Requests that carried Global Privacy Control, per UTC day (YYYY-MM-DD): a count, no one in it. */
export interface GpcDailyTable {
  day: string;
  signals: number;
}

/** One row per cookie choice: proof of what was chosen, when, under which texts. */
export interface CookieConsentsTable {
  id: Generated<number>;
  /** Random id kept in the browser's spmb_consent cookie. */
  consent_id: string;
  at: Timestamp;
  /** UTC day of `at` (YYYY-MM-DD), for the console's rates by day. */
  day: string;
  subject_kind: 'browser' | 'staff';
  subject_id: string | null;
  /** 1 granted, 0 refused. */
  analytics: number;
  advertising: number;
  source: 'banner' | 'cookies_page' | 'privacy_center';
  /** 1 when a Global Privacy Control signal forced advertising off in this choice. */
  gpc: number;
  policy_version: string;
  banner_version: string;
  /** Browser family and device type, e.g. "Chrome desktop": shared by many, names no one. */
  ua_class: string;
}

/** Third-party tags, loaded only after consent to their category and never under GPC. */
export interface TagsTable {
  id: string;
  name: string;
  category: 'analytics' | 'advertising';
  vendor: string;
  /** The origin the site's CSP allows while the tag is active. */
  origin: string;
  script_url: string | null;
  inline_snippet: string | null;
  data_received: string;
  active: number;
  created_at: Timestamp;
  updated_at: Timestamp;
  updated_by: string;
  /** The registered service provider that serves it (migration 0028); null until linked. */
  recipient_id: string | null;
  /** JSON array of the data-map categories the tag sends its vendor. */
  categories: Generated<string>;
}

/** One period during which a tag sent categories to its provider: the ledger of standing flows. */
export interface TagDisclosuresTable {
  id: string;
  tag_id: string;
  recipient_id: string;
  /** JSON array of data-map categories, never data. */
  categories: string;
  purpose: Purpose;
  started_at: Timestamp;
  started_by: string;
  ended_at: Timestamp | null;
  ended_by: string | null;
}

/** A signed record that the audit log's entries up to through_seq were purged (decision 022). */
export interface AuditPurgesTable {
  through_seq: number;
  through_hash: string;
  /** Entries in the chain up to and including through_seq. */
  count: number;
  legacy_until: number;
  at: Timestamp;
  key_id: string;
  sig: string;
}

// Analytics (docs/decisions/010-analytics-storage.md): times are seconds (`at`) or hours since
// ANALYTICS_EPOCH_MS in src/analytics/codes.ts; strings are ids in analytics_dict; small codes
// (type, channel, device, dim) are listed in the same file.
export interface AnalyticsDictTable {
  id: Generated<number>;
  kind: number;
  value: string;
}

export interface AnalyticsSessionsTable {
  id: Generated<number>;
  /** Salted hash or consented cookie id (12 chars); null under GPC / Do Not Track. */
  visitor: string | null;
  started_at: number;
  last_at: number;
  pageviews: number;
  /** Events other than page views. */
  events: number;
  entry_path: number | null;
  exit_path: number | null;
  channel: number;
  referrer: number | null;
  engine: number | null;
  utm_source: number | null;
  utm_medium: number | null;
  utm_campaign: number | null;
  country: number | null;
  region: number | null;
  city: number | null;
  browser: number | null;
  browser_version: number | null;
  os: number | null;
  device: number;
  /** visitorKinds: 0 unknown, 1 new, 2 returning. */
  visitor_kind: number;
  /** 1 when the browser belongs to an existing client. */
  client: number;
  /** Furthest funnel step reached (funnelSteps). */
  funnel: number;
}

export interface AnalyticsEventsTable {
  id: Generated<number>;
  at: number;
  session_id: number;
  type: number;
  path: number;
  name: number | null;
}

export interface AnalyticsEventPropsTable {
  event_id: number;
  prop_key: number;
  prop_value: number;
}

export interface AnalyticsVisitorDaysTable {
  day: number;
  visitor: string;
}

export interface AnalyticsRollupTable {
  hour: number;
  dim: number;
  key: number;
  visits: number;
  pageviews: number;
  bounces: number;
  /** Sum of visit durations in seconds. */
  duration: number;
  events: number;
}

export interface AnalyticsPropRollupTable {
  hour: number;
  name: number;
  prop_key: number;
  prop_value: number;
  events: number;
}

/** One closed UTC day's raw analytics as columns (decision 014); see src/analytics/segments. */
export interface AnalyticsSegmentsTable {
  id: Generated<number>;
  day: number;
  visits: number;
  events: number;
  props: number;
  day_visitors: number;
}

export interface AnalyticsSegmentColumnsTable {
  segment_id: number;
  /** segmentColumns in src/analytics/segments/codec.ts. */
  col: number;
  /** Bytes per value: 0 (every value 0, no data), 1, 2 or 4. */
  width: number;
  data: Uint8Array;
}

export interface AnalyticsVisitorsTable {
  visitor: string;
  last_at: number;
}

export interface AnalyticsSaltsTable {
  day: number;
  salt: string;
}

export interface Database {
  leads: LeadsTable;
  lead_submissions: LeadSubmissionsTable;
  lead_events: LeadEventsTable;
  consents: ConsentsTable;
  staff_users: StaffUsersTable;
  sessions: SessionsTable;
  account_totp: AccountTotpTable;
  account_recovery_codes: AccountRecoveryCodesTable;
  setup_tokens: SetupTokensTable;
  login_failures: LoginFailuresTable;
  outbox: OutboxTable;
  legal_holds: LegalHoldsTable;
  retention_runs: RetentionRunsTable;
  audit_log: AuditLogTable;
  incidents: IncidentsTable;
  incident_reminders: IncidentRemindersTable;
  recipients: RecipientsTable;
  disclosures: DisclosuresTable;
  disclosure_subjects: DisclosureSubjectsTable;
  disclosure_authorities: DisclosureAuthoritiesTable;
  disclosure_authority_subjects: DisclosureAuthoritySubjectsTable;
  suppressions: SuppressionsTable;
  policy_revisions: PolicyRevisionsTable;
  privacy_requests: PrivacyRequestsTable;
  privacy_request_tokens: PrivacyRequestTokensTable;
  gpc_applications: GpcApplicationsTable;
  gpc_daily: GpcDailyTable;
  job_leases: JobLeasesTable;
  cookie_consents: CookieConsentsTable;
  tags: TagsTable;
  tag_disclosures: TagDisclosuresTable;
  audit_purges: AuditPurgesTable;
  analytics_dict: AnalyticsDictTable;
  analytics_sessions: AnalyticsSessionsTable;
  analytics_events: AnalyticsEventsTable;
  analytics_event_props: AnalyticsEventPropsTable;
  analytics_visitor_days: AnalyticsVisitorDaysTable;
  analytics_rollup: AnalyticsRollupTable;
  analytics_prop_rollup: AnalyticsPropRollupTable;
  analytics_salts: AnalyticsSaltsTable;
  analytics_segments: AnalyticsSegmentsTable;
  analytics_segment_columns: AnalyticsSegmentColumnsTable;
  analytics_visitors: AnalyticsVisitorsTable;
}
