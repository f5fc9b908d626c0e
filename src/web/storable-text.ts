import type {
  FastifyInstance,
  FastifyRequest,
  FastifySchemaCompiler,
  FastifySchemaValidationError,
} from 'fastify';
import { validatorCompiler } from 'fastify-type-provider-zod';

// Text neither engine can keep as sent: PostgreSQL's text type refuses U+0000 (the statement
// fails, and with it every event sharing the transaction), and UTF-8 has no form for half of a
// surrogate pair (the driver silently writes U+FFFD instead). Refused at the edge, on both
// engines alike, so what one engine stores the other stores too.
const unstorable = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const isStorableText = (text: string): boolean => !unstorable.test(text);

/** A person can act on it: which field, what is wrong, what to do. */
export const unstorableMessage = (field: string): string =>
  `The field "${field}" contains a character we cannot store (a NUL character or an unpaired ` +
  'surrogate). Please remove it and try again.';

/** Marks the issue, so the error handler can name the field instead of a generic message. */
export const UNSTORABLE_KEYWORD = 'unstorable_text';

// A form names its fields by key: a key that is itself unstorable is shown escaped.
const shown = (key: string) => (isStorableText(key) ? key : JSON.stringify(key).slice(1, -1));

type Step = { key: string; up: Step | null } | null;
const pathOf = (step: Step): string[] => {
  const path: string[] = [];
  for (let s = step; s; s = s.up) path.push(s.key);
  return path.reverse();
};

/**
 * The first place in a parsed body, query or params where unstorable text sits (a value or a
 * key), as its path of keys; null when there is none. Walked with a stack of its own, since a
 * JSON body can nest deeper than the call stack goes.
 */
export function findUnstorable(value: unknown): string[] | null {
  const stack: [unknown, Step][] = [[value, null]];
  while (stack.length > 0) {
    const [v, at] = stack.pop()!;
    if (typeof v === 'string') {
      if (!isStorableText(v)) return pathOf(at);
    } else if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v);
      for (const [k] of entries) if (!isStorableText(k)) return pathOf({ key: shown(k), up: at });
      for (let i = entries.length - 1; i >= 0; i -= 1)
        stack.push([entries[i]![1], { key: entries[i]![0], up: at }]);
    }
  }
  return null;
}

/** The first query parameter of a URL whose name or decoded value is unstorable text. */
export function findUnstorableParam(params: URLSearchParams): string | null {
  for (const [k, v] of params) if (!isStorableText(k) || !isStorableText(v)) return shown(k);
  return null;
}

const issueAt = (path: string[], part: string): FastifySchemaValidationError => ({
  keyword: UNSTORABLE_KEYWORD,
  instancePath: `/${path.join('/')}`,
  schemaPath: `#/${UNSTORABLE_KEYWORD}`,
  params: { field: path.join('.') || part },
  message: unstorableMessage(path.join('.') || part),
});

/**
 * The app's validator: the zod schema's own, after a check for unstorable text. Its issue has
 * the shape of a zod issue, so routes with `attachValidation` put it beside its field and
 * re-render the form; the schema's issues about other fields stay with it.
 */
export const storableValidatorCompiler: FastifySchemaCompiler<unknown> = (route) => {
  const validate = (validatorCompiler as FastifySchemaCompiler<unknown>)(route);
  return (data: unknown) => {
    const bad = findUnstorable(data);
    if (!bad) return validate(data);
    const own = issueAt(bad, route.httpPart ?? 'body');
    const result = validate(data) as { error?: FastifySchemaValidationError[] };
    const others = (result.error ?? []).filter((i) => i.instancePath !== own.instancePath);
    return { error: [own, ...others] };
  };
};

const parts = [
  ['body', 'body'],
  ['query', 'querystring'],
  ['params', 'params'],
] as const;

/**
 * The same check for what a route declares no schema for (the analytics beacon parses its own
 * body, a few routes read params or the query as they come): a 400 naming the field.
 */
export function refuseUnstorableText(app: FastifyInstance): void {
  // A callback hook, not an async one: it runs on every beacon, and has nothing to wait for.
  app.addHook('preValidation', (request: FastifyRequest, _reply, done) => {
    const schema = request.routeOptions.schema;
    for (const [part, schemaKey] of parts) {
      if (schema?.[schemaKey]) continue;
      const bad = findUnstorable(request[part]);
      if (!bad) continue;
      // Shaped as a validation error, so it is answered as the validator's own would be.
      const error = Object.assign(new Error(unstorableMessage(bad.join('.') || part)), {
        statusCode: 400,
        code: 'FST_ERR_VALIDATION',
        validation: [issueAt(bad, part)],
        validationContext: part,
      });
      return done(error);
    }
    done();
  });
}

/** The unstorable-text issues of a validation error, as the message and fields to answer with. */
export function unstorableIssues(
  validation: unknown,
): { message: string; fields: Record<string, string> } | null {
  if (!Array.isArray(validation)) return null;
  const issues = (validation as FastifySchemaValidationError[]).filter(
    (i) => i.keyword === UNSTORABLE_KEYWORD,
  );
  if (issues.length === 0) return null;
  const fields: Record<string, string> = {};
  for (const i of issues) fields[String(i.params.field)] = i.message ?? '';
  return { message: issues.map((i) => i.message).join(' '), fields };
}
