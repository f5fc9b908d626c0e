import type { FastifySchemaValidationError } from 'fastify';
import { z } from 'zod';
import type { FieldErrors } from '../web/errors.js';

// What console routes accept: schema pieces their query strings and forms share, and the two
// ways a refused one is reported (one message, or a message beside each field).

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

type Issue = Partial<Pick<FastifySchemaValidationError, 'instancePath' | 'message'>>;

const issuesOf = (error: { validation: unknown }): Issue[] =>
  Array.isArray(error.validation) ? (error.validation as Issue[]) : [];

/** The schema's own messages (written for people), joined; used with `attachValidation`. */
export function validationMessage(error: { validation: unknown }): string {
  const messages = [
    ...new Set(issuesOf(error).map((i) => i.message ?? 'Some of what you sent is not valid.')),
  ];
  return messages.join(' ');
}

/**
 * Schema issues as errors beside their fields, the first per field. An issue about the whole
 * input goes under `unplaced` when given, and is dropped when not.
 */
export function fieldErrors(error: { validation: unknown }, unplaced?: string): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of issuesOf(error)) {
    const field = (issue.instancePath ?? '').replace(/^\//, '').split('/')[0] || unplaced;
    if (field) errors[field] ??= issue.message ?? 'This is not valid.';
  }
  return errors;
}
