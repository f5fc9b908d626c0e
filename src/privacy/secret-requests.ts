import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { isSecretPath, redactSecretUrl } from './secret-paths.js';

// The request side of secret links (src/privacy/secret-paths.ts): what the access log records of
// a request, and the headers of a page whose address is a secret.

interface LoggedRequest {
  method: string;
  url: string;
  host?: string;
}

/**
 * The access log's view of a request: what was asked, with secret paths cut and secret query
 * parameters removed; never who asked (no address, no port, no headers).
 */
export const requestLogEntry = (req: LoggedRequest) => ({
  method: req.method,
  url: redactSecretUrl(req.url),
  host: req.host,
});

type LoggerOption = FastifyServerOptions['logger'];

/** Logger options with the request serializer above, whatever else the caller configured. */
export function withSecretSafeRequests(logger: LoggerOption): LoggerOption {
  if (logger === undefined || logger === false) return false;
  const options = logger === true ? {} : logger;
  return { ...options, serializers: { ...options.serializers, req: requestLogEntry } };
}

/**
 * A page behind a secret link is never cached (a shared computer's history, a proxy) and never
 * tells the next site where the browser came from.
 */
export function protectSecretPages(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply, payload) => {
    if (isSecretPath(request.url.split('?')[0] ?? '')) {
      reply.header('referrer-policy', 'no-referrer');
      reply.header('cache-control', 'no-store');
    }
    return payload;
  });
}
