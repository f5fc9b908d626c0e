import type { FastifyReply, FastifyRequest, onSendHookHandler } from 'fastify';
import { cookieFreePath } from '../privacy/cookie-free.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The only cookies a cookie-free route may set (the collector's consented visitor id). */
    cookies?: readonly string[];
  }
}

const errorPages = new WeakSet<FastifyReply>();

/** This reply is an error page: whatever a hook set on the way in, it sets no cookie. */
export const markErrorPage = (reply: FastifyReply): void => void errorPages.add(reply);

const cookieName = (header: string) => header.slice(0, header.indexOf('=')).trim();

/**
 * The one place that keeps cookie-free responses free of cookies (src/privacy/cookie-free.ts),
 * whatever hook or route set one on the way: registered after @fastify/cookie, so it sees the
 * Set-Cookie headers that plugin has just written.
 */
export const cookieGuard: onSendHookHandler = (request, reply, payload, done) => {
  if (!reply.hasHeader('set-cookie') || !cookieFree(request, reply)) return done(null, payload);
  const page = reply.statusCode < 400 && !request.is404 && !errorPages.has(reply);
  const allowed = page ? (request.routeOptions.config.cookies ?? []) : [];
  const header = reply.getHeader('set-cookie');
  const kept = (Array.isArray(header) ? header : [String(header)]).filter((c) =>
    allowed.includes(cookieName(c)),
  );
  reply.removeHeader('set-cookie');
  if (kept.length > 0) reply.header('set-cookie', kept);
  done(null, payload);
};

function cookieFree(request: FastifyRequest, reply: FastifyReply): boolean {
  return (
    request.is404 || reply.statusCode >= 500 || errorPages.has(reply) || cookieFreePath(request.url)
  );
}
