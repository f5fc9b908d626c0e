// The clocks of a privacy request. The law counts the answer in calendar days from receipt
// (however long verification took) and the confirmation of receipt in business days.

import { addBusinessDays, addDays } from '../adapters/dates.js';

/** Confirmation of receipt: within 10 business days (we send it at once, on verification). */
export const RECEIPT_BUSINESS_DAYS = 10;
/** The answer: within 45 calendar days of receipt. */
export const ANSWER_DAYS = 45;
/** One extension of 45 more days, noticed to the person before the first deadline. */
export const EXTENSION_DAYS = 45;
/** Privacy staff are reminded when this many days remain. */
export const REMINDER_DAYS_LEFT = 10;
/** A verification link works for 24 hours. */
export const LINK_HOURS = 24;
/** How long the access report stays readable behind its link after verification, by default. */
export const REPORT_DAYS_DEFAULT = 7;
/**
 * The longest PRIVACY_REPORT_LINK_DAYS may be: a closed request's address is dropped after this
 * many days, and staff may need it to mail a working report link again until then.
 */
export const REPORT_DAYS_MAX = 30;

export interface Deadlines {
  receiptDue: Date;
  answerDue: Date;
}

/** The deadlines a request received at `receivedAt` starts. */
export function deadlinesFor(receivedAt: Date): Deadlines {
  return {
    receiptDue: addBusinessDays(receivedAt, RECEIPT_BUSINESS_DAYS),
    answerDue: addDays(receivedAt, ANSWER_DAYS),
  };
}
