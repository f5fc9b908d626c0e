import type { FastifyBaseLogger, FastifyInstance, FastifyServerOptions } from 'fastify';
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

const requestId = Symbol('requestId');
type RequestLogger = FastifyBaseLogger & { [requestId]?: string };

/**
 * Logger options with the request serializer above, whatever else the caller configured. Each
 * line of a request's logger names its request id through the mixin below rather than child
 * bindings: pino runs the redaction over a child's bindings as it is made, once per request,
 * and with the data map's wildcard paths that cost more than the rest of the logger.
 */
export function withSecretSafeRequests(logger: LoggerOption): LoggerOption {
  if (logger === undefined || logger === false) return false;
  const options = logger === true ? {} : logger;
  return {
    ...options,
    serializers: { ...options.serializers, req: requestLogEntry },
    mixin: (_merge: object, _level: number, from: RequestLogger) =>
      from[requestId] === undefined ? {} : { reqId: from[requestId] },
  };
}

/** Fastify's per-request logger: a child without bindings, marked with the request id. */
export const requestLogger: NonNullable<FastifyServerOptions['childLoggerFactory']> = (
  logger,
  bindings,
  options,
) => {
  const child: RequestLogger = logger.child({}, options);
  child[requestId] = String(bindings.reqId);
  return child;
};

/**
 * A page behind a secret link is never cached (a shared computer's history, a proxy) and never
 * tells the next site where the browser came from.
 */
export function protectSecretPages(app: FastifyInstance): void {
  app.addHook('onSend', (request, reply, payload, done) => {
    if (isSecretPath(request.url.split('?')[0] ?? '')) {
      reply.header('referrer-policy', 'no-referrer');
      reply.header('cache-control', 'no-store');
    }
    done(null, payload);
  });
}
