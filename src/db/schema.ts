import type { Generated } from 'kysely';

// Timestamps are ISO-8601 UTC strings and booleans are 0/1 on both databases, so every query
// returns the same shapes on SQLite and PostgreSQL.
export type Timestamp = string;

export type LeadStatus = 'new' | 'contacted' | 'qualified' | 'won' | 'lost';
export type UserType = 'patient' | 'provider' | 'partner';
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
  email: string;
  email_normalized: string;
  phone: string;
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
}

export interface StaffUsersTable {
  id: string;
  email: string;
  password_hash: string;
  role: StaffRole;
  created_at: Timestamp;
  disabled_at: Timestamp | null;
  failed_logins: number;
  locked_until: Timestamp | null;
  last_login_at: Timestamp | null;
}

export interface SessionsTable {
  id_hash: string;
  user_id: string;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
}

export interface SetupTokensTable {
  token_hash: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: Timestamp | null;
}

export interface OutboxTable {
  id: string;
  created_at: Timestamp;
  kind: 'lead_notification';
  payload: string;
  attempts: number;
  next_attempt_at: Timestamp;
  sent_at: Timestamp | null;
  last_error: string | null;
}

export interface Database {
  leads: LeadsTable;
  lead_submissions: LeadSubmissionsTable;
  lead_events: LeadEventsTable;
  consents: ConsentsTable;
  staff_users: StaffUsersTable;
  sessions: SessionsTable;
  setup_tokens: SetupTokensTable;
  outbox: OutboxTable;
}
