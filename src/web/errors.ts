import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isTransient, isUnavailable } from '../db/errors.js';
import { markErrorPage } from './cookie-guard.js';
import { renderPage } from './render.js';
import { MessagePage } from './message-page.js';
import { unstorableIssues } from './storable-text.js';

export type FieldErrors = Record<string, string>;

// The few errors services throw; HTTP status is decided here and nowhere else.
export class DomainError extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 409 | 429,
    message: string,
    readonly fields: FieldErrors = {},
  ) {
    super(message);
  }
}
export const notFound = (what = 'That page') => new DomainError(404, `${what} was not found.`);
export const forbidden = (msg = 'You do not have permission to do that.') =>
  new DomainError(403, msg);
export const conflict = (msg: string) => new DomainError(409, msg);
export const invalid = (msg: string, fields: FieldErrors = {}) => new DomainError(400, msg, fields);
/** Over a rate bound: 429, with the seconds to wait in Retry-After. */
export class TooManyError extends DomainError {
  constructor(
    message: string,
    readonly retryAfterS: number,
  ) {
    super(429, message);
  }
}

export function wantsJson(request: FastifyRequest): boolean {
  const type = request.headers['content-type'] ?? '';
  const accept = request.headers.accept ?? '';
  return (
    type.includes('application/json') ||
    (accept.includes('application/json') && !accept.includes('text/html'))
  );
}

const frameworkMessages: Record<string, [number, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'What you sent is too large. Please shorten it and try again.'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [
    415,
    'This address accepts form posts (application/x-www-form-urlencoded) or JSON only.',
  ],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'The request body was empty.'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'The request length did not match its body.'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'The request body is not valid JSON.'],
};

function classify(error: FastifyError): { status: number; message: string; fields?: FieldErrors } {
  if (error instanceof DomainError) return { status: error.status, message: error.message };
  const known = error.code ? frameworkMessages[error.code] : undefined;
  if (known) return { status: known[0], message: known[1] };
  if (error.validation) {
    // Text the database cannot store is named, field by field: nothing else tells the sender.
    const unstorable = unstorableIssues(error.validation);
    if (unstorable) return { status: 400, ...unstorable };
    return { status: 400, message: 'Some of what you sent is not valid.' };
  }
  if (error.statusCode === 429) return { status: 429, message: error.message };
  if (error.statusCode === 403 && error.code?.startsWith('FST_CSRF')) {
    return {
      status: 403,
      message: 'This form has expired. Please go back, reload the page and try again.',
    };
  }
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return { status: error.statusCode, message: 'The request could not be understood.' };
  }
  // A deadlock or a held lock that outlasted the retries: the request was fine, try it again.
  if (isTransient(error)) {
    return { status: 503, message: 'We are busy right now. Please try again in a moment.' };
  }
  // The database could not be reached or dropped the connection: nothing was saved.
  if (isUnavailable(error)) {
    return {
      status: 503,
      message:
        'We cannot save or show this right now: our database is not answering. Nothing was saved. Please try again in a minute.',
    };
  }
  return { status: 500, message: 'Something went wrong on our side. Please try again shortly.' };
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const { status, message, fields } = classify(error);
    // Messages and stacks only; request bodies (which hold personal data) are never logged.
    if (status === 503) reply.header('retry-after', isUnavailable(error) ? '30' : '1');
    if (error instanceof TooManyError) reply.header('retry-after', String(error.retryAfterS));
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: error.code, status }, 'request refused');
    return sendError(request, reply, status, message, fields);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(request, reply, 404, 'We could not find that page.'),
  );
}

export function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  message: string,
  fields: FieldErrors = {},
) {
  reply.code(status);
  markErrorPage(reply);
  if (wantsJson(request)) {
    return reply.send({
      error: message,
      fields: Object.entries(fields).map(([field, msg]) => ({ field, message: msg })),
    });
  }
  return renderPage(reply, MessagePage({ site: request.site, title: titleFor(status), message }));
}

function titleFor(status: number): string {
  if (status === 404) return 'Page not found';
  if (status === 413) return 'Too large';
  if (status === 429) return 'Please slow down';
  if (status === 503) return 'Busy right now';
  if (status >= 500) return 'Something went wrong';
  return 'We could not do that';
}
