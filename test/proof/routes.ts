import type { FastifyInstance } from 'fastify';

export interface RouteEntry {
  method: string;
  url: string;
}

/**
 * Every route Fastify's own router holds, read from printRoutes: a route added later appears
 * here without anyone listing it.
 */
export function registeredRoutes(app: FastifyInstance): RouteEntry[] {
  const stack: string[] = [];
  const out: RouteEntry[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^([\s│├└─]*)(\S.*?) \(([^)]+)\)$/.exec(line);
    if (!m?.[1] || !m[2] || !m[3]) continue;
    const depth = m[1].length / 4;
    stack.length = depth;
    stack[depth] = m[2];
    const url = stack.join('');
    for (const method of m[3].split(',').map((s) => s.trim())) out.push({ method, url });
  }
  return out;
}

/** Public: everything a visitor can reach. Console routes are walked by route-table.test.ts. */
export const publicRoutes = (app: FastifyInstance) =>
  registeredRoutes(app).filter(
    (r) =>
      !r.url.startsWith('/console') && ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method),
  );

/** A concrete address for a route pattern, every parameter filled with `fill`. */
export const concrete = (url: string, fill = 'x') =>
  url
    .replace(/:[^/]+/g, encodeURIComponent(fill) || 'x')
    .replace(/\*/g, encodeURIComponent(fill) || 'x');
