import { z } from 'zod';

// What console routes accept: schema pieces their query strings and forms share. Refused input
// is reported by the route table (src/console/route-table.ts).

/** An empty form field or query parameter counts as not given. */
export const blank = (v: unknown) => (v === '' ? undefined : v);

/** An optional whole number from `min` to `max`; anything else is refused with `message`. */
export const optionalWholeNumber = (message: string, min: number, max: number) =>
  z.preprocess(
    blank,
    z.coerce.number({ error: message }).int(message).min(min, message).max(max, message).optional(),
  );

/** The `page` parameter of a numbered list. */
export const pageParam = optionalWholeNumber(
  'The page number must be a whole number, 1 or more.',
  1,
  1_000_000,
);

/** A calendar date as YYYY-MM-DD that really exists (no 31 June). */
export const isoDate = (what: string) =>
  z
    .string({ error: `Enter the ${what} as a date, such as 2026-03-31.` })
    .regex(/^\d{4}-\d{2}-\d{2}$/, `Enter the ${what} as a date, such as 2026-03-31.`)
    .refine((s) => {
      const d = new Date(`${s}T00:00:00.000Z`);
      return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
    }, `The ${what} is not a real calendar date.`);
