import type { FastifyInstance } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';

type Middleware = (
  req: IncomingMessage,
  res: ServerResponse,
  next: (err?: unknown) => void,
) => void;

/**
 * The headers a helmet middleware sets, found once by running it against a response that only
 * records them: its headers depend on its options, never on the request, so each request gets
 * the recorded list instead of a dozen middleware calls.
 */
export function recordedHeaders(middleware: Middleware): [string, string][] {
  const headers = new Map<string, string>();
  const recorder = {
    setHeader: (name: string, value: string | number | readonly string[]) =>
      void headers.set(name.toLowerCase(), String(value)),
    removeHeader: (name: string) => void headers.delete(name.toLowerCase()),
    getHeader: (name: string) => headers.get(name.toLowerCase()),
  };
  let failed: Error | undefined;
  middleware({ headers: {} } as IncomingMessage, recorder as unknown as ServerResponse, (err) => {
    if (err) failed = err instanceof Error ? err : new Error('security headers: not recorded');
  });
  if (failed) throw failed;
  return [...headers];
}

/** Sets the security headers on every response but those whose route says `securityHeaders: false`. */
// Powerful browser features no page of ours uses, refused for the page and anything it embeds:
// a tag let in by consent cannot ask for them either. helmet does not set this header.
export const PERMISSIONS_POLICY = [
  'accelerometer',
  'browsing-topics',
  'camera',
  'display-capture',
  'geolocation',
  'gyroscope',
  'magnetometer',
  'microphone',
  'payment',
  'usb',
]
  .map((feature) => `${feature}=()`)
  .join(', ');

/** The headers every response carries: helmet's, recorded once, and the permissions policy. */
export const securityHeaderList = (middleware: Middleware): [string, string][] => [
  ...recordedHeaders(middleware),
  ['permissions-policy', PERMISSIONS_POLICY],
];

export function addSecurityHeaders(app: FastifyInstance, headers: [string, string][]): void {
  app.addHook('onRequest', (request, reply, done) => {
    if (request.routeOptions.config.securityHeaders === false) return done();
    for (const [name, value] of headers) reply.raw.setHeader(name, value);
    done();
  });
}
