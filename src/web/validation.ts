import type { FieldErrors } from './errors.js';

// The one reading of schema issues, for every route and service that reports refused input:
// Fastify's validator names a field by `instancePath` (/email), zod itself by `path` (['email']).

/** One issue, as either reports it. */
export interface Issue {
  instancePath?: string;
  path?: readonly PropertyKey[];
  message?: string;
}

export interface ReadIssues {
  /** The first message for each top-level field, to show beside it. */
  fields: FieldErrors;
  /** Messages about the input as a whole (no field to put them beside). */
  general: string[];
  /** Every distinct message, in order: the text of a refusal that has no form to show. */
  summary: string;
}

const fieldOf = (issue: Issue): string =>
  issue.path
    ? String(issue.path[0] ?? '')
    : ((issue.instancePath ?? '').replace(/^\//, '').split('/')[0] ?? '');

/** Issues (a validation error's `validation`, or zod's `issues`) as fields and messages. */
export function readIssues(issues: unknown): ReadIssues {
  const fields: FieldErrors = {};
  const general: string[] = [];
  const all = new Set<string>();
  for (const issue of Array.isArray(issues) ? (issues as Issue[]) : []) {
    const field = fieldOf(issue);
    all.add(issue.message ?? 'Some of what you sent is not valid.');
    if (field) fields[field] ??= issue.message ?? 'This is not valid.';
    else general.push(issue.message ?? 'The form could not be read.');
  }
  return { fields, general, summary: [...all].join(' ') };
}
