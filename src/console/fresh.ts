import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AccountService } from '../accounts/service.js';
import { sendError, wantsJson } from '../web/errors.js';
import { resolvedPathname, safeRedirectPath } from '../web/redirect.js';
import { sessionOf } from './section.js';

export const CONFIRM_PATH = '/console/account/confirm';
export const stepUpMessage =
  'This action needs you to confirm it is you: your last confirmation is more than 15 minutes old.';

/** A console page to come back to after confirming, or undefined. */
function consolePath(value: unknown): string | undefined {
  const path = safeRedirectPath(value, undefined);
  if (path === undefined) return undefined;
  return /^\/console(?:\/|$)/.test(resolvedPathname(path)) ? path : undefined;
}

/**
 * Step-up for routes declared `fresh` (docs/decisions/025-second-factor-and-sessions.md): a
 * session whose last proof of identity is older than 15 minutes is sent to confirm it first.
 * A page asked for comes back after; a form post cannot be replayed, so the person is brought
 * back to the page they posted from and sends it again.
 */
export function freshGuard(accounts: AccountService) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const session = sessionOf(request);
    if (session && accounts.sessions.fresh(session)) return;
    if (wantsJson(request)) return sendError(request, reply, 401, stepUpMessage);
    const from = request.method === 'GET' ? request.url : refererPath(request);
    const back = consolePath(from);
    const query = back === undefined ? '' : `?next=${encodeURIComponent(back)}`;
    return reply.redirect(`${CONFIRM_PATH}${query}`, 303);
  };
}

/** The path of a same-origin Referer, to return to after confirming a posted form. */
function refererPath(request: FastifyRequest): string | undefined {
  const referer = request.headers.referer;
  if (!referer) return undefined;
  try {
    const url = new URL(referer);
    return url.host === request.host ? `${url.pathname}${url.search}` : undefined;
  } catch {
    return undefined;
  }
}
