import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { SESSION_COOKIE, type AccountService } from '../accounts/service.js';
import { DomainError, sendError, wantsJson } from '../web/errors.js';
import { safeRedirectPath } from '../web/redirect.js';
import { renderPage } from '../web/render.js';
import { ConsoleMessagePage } from './layout.js';
import { landingPath } from './permissions.js';

/**
 * Lets staff with a live session through; sends a browser without one to sign in, and answers
 * 401 to a request for JSON or one that changes something.
 */
export function sessionGuard(accounts: AccountService) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    // Pages hold personal data: never kept by browsers or shared caches.
    reply.header('cache-control', 'no-store');
    const token = request.cookies[SESSION_COOKIE];
    const staff = await accounts.sessionUser(token);
    if (staff) {
      request.staff = staff;
      return;
    }
    if (token) reply.clearCookie(SESSION_COOKIE, { path: '/' });
    const signIn = 'Your session has ended. Sign in again, then repeat what you were doing.';
    if (wantsJson(request)) return sendError(request, reply, 401, signIn);
    if (request.method === 'GET' || request.method === 'HEAD') {
      // The way back after sign-in, only when the address asked for is a safe path itself.
      const back = safeRedirectPath(request.url, undefined);
      const query = back === undefined ? '' : `?next=${encodeURIComponent(back)}`;
      return reply.redirect(`/console/login${query}`, 303);
    }
    reply.code(401);
    const page = ConsoleMessagePage({
      site: request.site,
      staff: null,
      title: 'Please sign in',
      message: signIn,
      back: { href: '/console/login', label: 'Sign in' },
    });
    return renderPage(reply, page);
  };
}

/** Refusals render inside the console frame; anything else goes on to the app-wide handler. */
export function renderRefusal(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (!(error instanceof DomainError) || wantsJson(request) || !request.staff) throw error;
  reply.code(error.status);
  return consoleMessage(request, reply, titleFor(error.status), error.message);
}

/** A short message page inside the console frame, with a way back. */
export function consoleMessage(
  request: FastifyRequest,
  reply: FastifyReply,
  title: string,
  text: string,
) {
  const staff = request.staff;
  const home = staff ? landingPath(staff) : '/console/login';
  return renderPage(
    reply,
    ConsoleMessagePage({
      site: request.site,
      staff,
      csrf: reply.generateCsrf(),
      title,
      message: text,
      back: staff && home !== '/console' ? { href: home, label: 'Back to the console' } : undefined,
    }),
  );
}

function titleFor(status: number): string {
  if (status === 404) return 'Not found';
  if (status === 403) return 'Not allowed';
  if (status === 409) return 'Changed by someone else';
  return 'We could not do that';
}
