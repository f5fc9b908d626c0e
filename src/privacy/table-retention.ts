import type { Database } from '../db/schema.js';

/**
 * How every table leaves the database: the purger (by key, src/retention/registry.ts) that
 * deletes or anonymises its rows when their period ends, the record whose deletion takes its
 * rows along, or an explicit decision to keep it with the reason. A table missing here fails
 * typecheck and the schema walk in src/retention/coverage.test.ts.
 */
export type TableRetention =
  | { purger: string }
  | { with: string; how: string }
  | { kept: string }
  /** Deleted by the capability that owns it, outside the retention run (and why). */
  | { deletedBy: string }
  /** Kept for now, with what remains to be built; a purge would break a proof as it stands. */
  | { pending: string };

export const tableRetention = {
  leads: { purger: 'lead' },
  lead_submissions: { with: 'leads', how: 'deleted with the lead by the lead purger' },
  lead_events: { with: 'leads', how: 'deleted with the lead by the lead purger' },
  consents: { purger: 'consent' },
  staff_users: { purger: 'staff_account' },
  sessions: { purger: 'session' },
  account_totp: {
    with: 'staff_users',
    how: 'deleted when the staff-account purger anonymises the closed account',
  },
  account_recovery_codes: {
    with: 'staff_users',
    how: 'deleted when the staff-account purger anonymises the closed account',
  },
  login_failures: { purger: 'login_failures' },
  setup_tokens: { purger: 'setup_token' },
  outbox: { purger: 'outbox_sent' },
  legal_holds: {
    kept: 'names a legal matter and record ids, no personal details; the record of what was held and why',
  },
  policy_revisions: { kept: 'published versions of the policy, naming organisations only' },
  retention_runs: { kept: 'counts per rule, no people: the proof that retention runs' },
  audit_log: { purger: 'audit_log' },
  audit_purges: {
    kept: 'where the purged prefix of the audit chain ended, signed; verify starts there, so deleting it would show the purge as tampering',
  },
  incidents: {
    kept: 'incident register with record ids only, kept as breach documentation',
  },
  incident_reminders: { with: 'incidents', how: 'reminders of an incident, no people' },
  recipients: { kept: 'organisations that receive data, not people' },
  disclosures: {
    kept: 'what left, on what basis and how many people, no one named; the links to people go with them',
  },
  disclosure_subjects: { with: 'leads', how: 'unlinked with the lead by the lead purger' },
  disclosure_authorities: {
    kept: 'the legal process, protection record or buyer undertaking behind a disclosure, naming organisations and staff, kept with the ledger it justifies',
  },
  disclosure_authority_subjects: {
    with: 'leads',
    how: 'unlinked with the lead by the lead purger and by erasure',
  },
  suppressions: {
    kept: 'an opt-out is kept as long as it stands, as keyed hashes, so the person is never contacted again',
  },
  privacy_requests: { purger: 'privacy_request' },
  privacy_request_tokens: {
    with: 'privacy_requests',
    how: 'deleted with the request by foreign key',
  },
  gpc_applications: { purger: 'gpc_application' },
  gpc_daily: { kept: 'a count of signals per day over everyone, naming no one' },
  job_leases: { kept: 'one row per scheduled job, overwritten by each lease, naming no one' },
  cookie_consents: { purger: 'cookie_consent' },
  tags: { kept: 'third-party tags and their vendors, not people' },
  tag_disclosures: {
    kept: 'when each tag sent which kinds of data to which provider, no one named: the ledger the policy answers from',
  },
  analytics_dict: { kept: 'paths, hosts, places and browser names shared by all visits' },
  analytics_sessions: { purger: 'analytics_event' },
  analytics_events: { purger: 'analytics_event' },
  analytics_event_props: { purger: 'analytics_event' },
  analytics_visitor_days: { purger: 'analytics_event' },
  analytics_rollup: { kept: 'hourly counts over all visitors, naming no one' },
  analytics_prop_rollup: { kept: 'hourly counts of event properties over all visitors' },
  analytics_salts: {
    deletedBy: 'src/analytics/identity.ts deletes each daily salt two days later, when it rotates',
  },
  analytics_segments: { purger: 'analytics_event' },
  analytics_segment_columns: { purger: 'analytics_event' },
  analytics_visitors: { purger: 'analytics_event' },
} as const satisfies Record<keyof Database, TableRetention>;
