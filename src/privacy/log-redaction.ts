import { dataMap, type FieldClass } from './data-map.js';
import type { Category } from './vocabulary.js';

// Personal data must never reach the logs. Bodies are not logged, and every key below is
// censored wherever it appears in a log object, at the top or one level down. The keys are not
// a hand-kept list: they are the data map's personal columns whose values say who someone is or
// what they told us, so a new column of that kind is censored the day it is mapped.

/**
 * Whether a category's values are censored in logs. Every category must answer (a new one fails
 * typecheck until it does); `false` only where the value names no one and a log needs it.
 */
const censoredInLogs = {
  'contact.name': true,
  'contact.email': true,
  'contact.phone': true,
  'contact.address': true,
  'location.city_state': true,
  'org.name': true,
  'org.size': true,
  // Whether someone is a patient is itself sensitive.
  'profile.user_type': true,
  'request.needs': true,
  // A referrer or campaign tag can carry an address or an ad-click id.
  'acquisition.campaign': true,
  'account.login': true,
  // A browser's id links a log line to its visits.
  'online.identifier': true,
  // Which consent, granted or not: no one is named by it.
  'consent.record': false,
  // Session and failure bookkeeping: times and counts under keyed fingerprints.
  'account.session': false,
  'account.sign_in_failures': false,
  // Kind, status and dates of a request; the person's own words are sealed (below).
  'privacy.request': false,
  // Pseudonymous usage (paths, device, country): what logs need to describe a request.
  'online.activity': false,
  'online.location': false,
  'online.device': false,
} as const satisfies Record<Category, boolean>;

/** Censored: a column sealed at rest, or of a category that names someone. */
const censored = (field: FieldClass): boolean =>
  field.personal && (field.encrypted || censoredInLogs[field.category]);

/** The data map's columns whose values never reach a log, by name. */
export const personalLogKeys: readonly string[] = [
  ...new Set(
    Object.values(dataMap).flatMap((table) =>
      Object.entries(table as Record<string, FieldClass>)
        .filter(([, field]) => censored(field))
        .map(([column]) => column),
    ),
  ),
].sort();

/** What people type that is stored under another name, or never stored. */
const typedKeys = ['password'];

/** pino's `redact` option for every logger the application builds. */
export const logRedaction = {
  paths: [
    'req.headers.cookie',
    'req.headers.authorization',
    // An IP address is personal data: the access log says what was asked, not who asked.
    'req.remoteAddress',
    'req.remotePort',
    'req.headers["x-forwarded-for"]',
    'req.body',
    ...[...personalLogKeys, ...typedKeys].flatMap((key) => [key, `*.${key}`]),
  ],
  censor: '[redacted]',
};
