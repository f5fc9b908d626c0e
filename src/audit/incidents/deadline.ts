// The breach-notice deadline on calendar dates (YYYY-MM-DD, UTC). The rule counts calendar
// days from discovery, so times of day never enter into it.
import { addCalendarDays } from '../../adapters/dates.js';

/** The legal outer limit: notice no later than 60 calendar days after discovery. */
export const LEGAL_NOTICE_DAYS = 60;
/** Reminders go out this many days before the deadline, the later one superseding the earlier. */
export const REMINDER_DAYS = [14, 3] as const;

/** 60 days from discovery, or sooner where a contract says so. */
export function deadlineFor(discoveredOn: string, contractDays: number | null): string {
  const days =
    contractDays !== null && contractDays < LEGAL_NOTICE_DAYS ? contractDays : LEGAL_NOTICE_DAYS;
  return addCalendarDays(discoveredOn, days);
}

/**
 * Which reminder is due with `daysLeft` days to go: the most urgent one whose day has come, so a
 * job that was down on day 14 and runs on day 2 sends the 3-day reminder, not both.
 */
export function reminderDue(daysLeft: number): number | undefined {
  let due: number | undefined;
  for (const d of REMINDER_DAYS) if (daysLeft <= d) due = d;
  return due;
}
