// The clocks of a privacy request. The law counts the answer in calendar days from receipt
// (however long verification took) and the confirmation of receipt in business days.

const DAY_MS = 86_400_000;

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

export const addDays = (at: Date, days: number): Date => new Date(at.getTime() + days * DAY_MS);
export const addHours = (at: Date, hours: number): Date =>
  new Date(at.getTime() + hours * 3_600_000);

/**
 * `at` moved forward by `n` business days (Monday to Friday, UTC). Federal holidays are counted
 * as business days: that makes the deadline earlier, never later, so it errs on the safe side.
 */
export function addBusinessDays(at: Date, n: number): Date {
  let d = new Date(at.getTime());
  let left = n;
  while (left > 0) {
    d = addDays(d, 1);
    const wd = d.getUTCDay();
    if (wd !== 0 && wd !== 6) left--;
  }
  return d;
}

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

/** When the 10-days-left reminder for a due date becomes due. */
export const reminderAt = (due: Date): Date => addDays(due, -REMINDER_DAYS_LEFT);

/** Whole days left until `due` (rounded up; 0 or less when it has passed). */
export function daysLeft(due: Date, now: Date): number {
  return Math.ceil((due.getTime() - now.getTime()) / DAY_MS);
}
