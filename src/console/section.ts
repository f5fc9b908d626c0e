import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { AccountService, LiveSession } from '../accounts/service.js';
import { DomainError, sendError, wantsJson } from '../web/errors.js';
import { safeRedirectPath } from '../web/redirect.js';
import { renderPage } from '../web/render.js';
import { ConsoleMessagePage } from './layout.js';
import { landingPath } from './permissions.js';

const sessions = new WeakMap<FastifyRequest, LiveSession>();
/** The session the guard let this request in with (step-up and the sessions page read it). */
export const sessionOf = (request: FastifyRequest) => sessions.get(request);

/** The signed-in member's session and user, for pages about their own account. */
export function liveSession(request: FastifyRequest) {
  const session = sessionOf(request);
  if (!session || !request.staff) throw new DomainError(403, 'Sign in again.');
  return { session, user: request.staff };
}

/** Where a sign-in that waits for a required second factor is sent, whatever it asked for. */
export const ENROL_PATH = '/console/account/two-factor/enrol';
export const CODE_PATH = '/console/login/code';

/**
 * Lets staff with a live session through; sends a browser without one to sign in, and answers
 * 401 to a request for JSON or one that changes something. A sign-in still waiting for its
 * second factor gets no further than the code page, or the setup page when its role requires
 * one (`enrolment`: the routes of that setup).
 */
export function sessionGuard(accounts: AccountService, opts: { enrolment?: boolean } = {}) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    // Pages hold personal data: never kept by browsers or shared caches.
    reply.header('cache-control', 'no-store');
    const cookie = accounts.cookie.name;
    const token = request.cookies[cookie];
    const state = await accounts.sessionState(token);
    const stage = state?.session.stage;
    if (state && (stage === 'active' || (stage === 'enrol' && opts.enrolment))) {
      request.staff = state.user;
      sessions.set(request, state.session);
      return;
    }
    const pendingPage = stage === 'code' ? CODE_PATH : stage === 'enrol' ? ENROL_PATH : null;
    if (pendingPage && request.method === 'GET' && !wantsJson(request)) {
      return reply.redirect(pendingPage, 303);
    }
    if (token && !pendingPage) reply.clearCookie(cookie, { path: '/' });
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
