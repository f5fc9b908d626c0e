import { consentPurger } from './purgers/consents.js';
import { leadPurger } from './purgers/leads.js';
import { sentOutboxPurger } from './purgers/outbox.js';
import { loginFailurePurger } from './purgers/login-failures.js';
import { sessionPurger } from './purgers/sessions.js';
import { setupTokenPurger } from './purgers/setup-tokens.js';
import { cookieConsentPurger, gpcApplicationPurger } from './purgers/proof.js';
import { closedStaffPurger } from './purgers/staff-accounts.js';
import { auditLogPurger } from '../audit/purger.js';
import { privacyRequestPurger } from '../privacy-center/purger.js';
import { analyticsPurger } from '../analytics/purger.js';
import type { Purger } from './types.js';

/**
 * Every purger a run executes, in this order. A capability that stores data under a retention
 * rule (analytics events, security logs, privacy requests) adds its purger here: one entry.
 * Sent-mail housekeeping runs first, so purgers that delete jobs naming their records count only
 * what it leaves (a dry run then reports what the real run does); leads run before consents, so
 * a lead deleted today ends its consents with today's date.
 */
export const purgers: readonly Purger[] = [
  sentOutboxPurger,
  leadPurger,
  consentPurger,
  sessionPurger,
  loginFailurePurger,
  setupTokenPurger,
  privacyRequestPurger,
  analyticsPurger,
  gpcApplicationPurger,
  cookieConsentPurger,
  closedStaffPurger,
  auditLogPurger,
];
