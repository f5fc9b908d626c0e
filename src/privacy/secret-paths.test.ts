import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../test-support/app.js';
import {
  isSecretPath,
  redactSecretPath,
  redactSecretUrl,
  secretPaths,
  secretRoute,
} from './secret-paths.js';

const TOKEN = 'Zq3vN8xWm2Lk7Pa9Rt5Yb1Cd4Ef6Gh0Ij2Kl4Mn6Op8';

describe('cutting secret links', () => {
  it('cuts a declared path before its token, whatever follows it', () => {
    expect(redactSecretPath(`/privacy-center/r/${TOKEN}`)).toBe('/privacy-center/r/…');
    expect(redactSecretPath(`/privacy-center/r/${TOKEN}/report.json`)).toBe('/privacy-center/r/…');
    expect(redactSecretPath(`/setup/${TOKEN}`)).toBe('/setup/…');
    // As a router reads it: doubled slashes, percent-encoding.
    expect(redactSecretPath(`//setup/${TOKEN}`)).toBe('/setup/…');
    expect(redactSecretPath(`/privacy%2Dcenter/r/${TOKEN}`)).toBe('/privacy-center/r/…');
    expect(redactSecretPath('/privacy-center')).toBe('/privacy-center');
    expect(redactSecretPath('/services')).toBe('/services');
    expect(isSecretPath('/setup/…')).toBe(true);
  });

  it('removes token-like query parameters and keeps the rest', () => {
    expect(redactSecretUrl(`/x?token=${TOKEN}&page=2`)).toBe('/x?page=2');
    expect(redactSecretUrl(`/x?Code=${TOKEN}`)).toBe('/x');
    expect(redactSecretUrl(`/setup/${TOKEN}?utm_source=mail`)).toBe('/setup/…?utm_source=mail');
    expect(redactSecretUrl('/console/analytics?range=7d')).toBe('/console/analytics?range=7d');
    // A link back to a secret page, such as the cookie notice's, is cut where it stands.
    expect(redactSecretUrl(`/cookies?back=%2Fprivacy-center%2Fr%2F${TOKEN}&x=1`)).toBe(
      '/cookies?back=%2Fprivacy-center%2Fr%2F%E2%80%A6&x=1',
    );
    expect(redactSecretUrl(`/cookies/lang?to=es&back=http://h.example/setup/${TOKEN}`)).toBe(
      '/cookies/lang?to=es&back=%2Fsetup%2F%E2%80%A6',
    );
  });
});

/** Every registered route's full path, from Fastify's route tree. */
function routePaths(tree: string): string[] {
  const stack: string[] = [];
  const out: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^([\s│├└─]*)(\S.*?) \(([^)]+)\)$/.exec(line);
    if (!m?.[1] || !m[2]) continue;
    const depth = m[1].length / 4;
    stack.length = depth;
    stack[depth] = m[2];
    out.push(stack.join(''));
  }
  return out;
}

const secretLike = /:[A-Za-z_]*(token|secret|nonce|key|code|sig|hash|invite|reset|unsub)/i;

describe('the routes that carry a secret', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  it('are all declared in the kernel, and every declaration has its route', () => {
    const routes = routePaths(t.app.printRoutes({ commonPrefix: false }));
    expect(routes).toContain('/console/leads/:id');
    const carrying = routes.filter((r) => secretLike.test(r));
    expect(carrying).toContain('/privacy-center/r/:token/report.json');
    const prefixes = Object.values(secretPaths).map((p) => p.prefix);
    for (const route of carrying) {
      expect(
        prefixes.some((p) => route.startsWith(`${p}:`)),
        `${route} carries a secret in its path: declare it in src/privacy/secret-paths.ts`,
      ).toBe(true);
    }
    for (const name of Object.keys(secretPaths) as (keyof typeof secretPaths)[]) {
      expect(routes, name).toContain(secretRoute(name));
    }
  });
});
