// Deadline arithmetic on calendar dates (YYYY-MM-DD, UTC). The breach rule counts calendar
// days from discovery, so times of day never enter into it.

const DAY_MS = 86_400_000;

/** The legal outer limit: notice no later than 60 calendar days after discovery. */
export const LEGAL_NOTICE_DAYS = 60;
/** Reminders go out this many days before the deadline, the later one superseding the earlier. */
export const REMINDER_DAYS = [14, 3] as const;

const toMs = (day: string) => Date.parse(`${day}T00:00:00.000Z`);

export const dayOf = (at: Date): string => at.toISOString().slice(0, 10);

export function addDays(day: string, n: number): string {
  return new Date(toMs(day) + n * DAY_MS).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to`; negative when `to` is earlier. */
export function daysBetween(from: string, to: string): number {
  return Math.round((toMs(to) - toMs(from)) / DAY_MS);
}

/** 60 days from discovery, or sooner where a contract says so. */
export function deadlineFor(discoveredOn: string, contractDays: number | null): string {
  const days =
    contractDays !== null && contractDays < LEGAL_NOTICE_DAYS ? contractDays : LEGAL_NOTICE_DAYS;
  return addDays(discoveredOn, days);
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
