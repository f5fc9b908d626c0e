import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StaffRole } from '../db/schema.js';
import { cookieHeader, createTestApp, type TestApp } from '../test-support/app.js';
import { getAs, postForm, staffSessions, type Jar } from '../test-support/staff.js';
import { permissionTable } from './permissions.js';

// Every console route, as the app registered it, against every role the permission table
// names: the table decides who gets in, and no route is left without a say (decision 019).

let t: TestApp;
let jars: Record<string, { jar: Jar }>;
const roles = [...new Set(Object.values(permissionTable).flat())] as StaffRole[];

beforeAll(async () => {
  t = await createTestApp();
  jars = await staffSessions(t, roles);
}, 120_000);
afterAll(async () => t.close());

// The query a screen cannot be shown without.
const required: Record<string, string> = {
  '/console/analytics/export.csv': '?panel=page',
  '/console/disclosures/evidence/new': '?kind=legal_process',
};
/** A concrete address for a route pattern: every parameter filled, required queries given. */
const concrete = (url: string) => url.replace(/:[^/]+/g, 'x') + (required[url] ?? '');
const send = (method: string, url: string, jar: Jar) =>
  method === 'GET' ? getAs(t, jar, url) : postForm(t, jar, url, {});
const label = (r: { method: string; url: string }, who: string) => `${r.method} ${r.url} (${who})`;

describe('the console route table', () => {
  it('has every console route declare who may use it, from the permission table', () => {
    const routes = t.app.consoleRouteTable;
    expect(routes.length).toBeGreaterThan(30);
    for (const r of routes) {
      expect(r.access, label(r, 'access')).toBeDefined();
      if (r.access !== 'public') expect(Object.keys(permissionTable)).toContain(r.access);
    }
    expect(roles.length).toBeGreaterThanOrEqual(4);
  });

  it('lets in the roles a permission names and refuses every other role with 403', async () => {
    for (const r of t.app.consoleRouteTable) {
      if (r.access === 'public' || r.access === undefined) continue;
      const allowed = permissionTable[r.access];
      for (const role of roles) {
        const res = await send(r.method, concrete(r.url), jars[role]!.jar);
        if (!allowed.includes(role)) {
          expect(res.statusCode, label(r, role)).toBe(403);
          expect(res.body, label(r, role)).toContain('does not give access');
          continue;
        }
        // Past the session, the permission and CSRF: a page, a redirect or a file; a made-up
        // record id (`x`) or an empty form may still be refused for what it is (404, 400, 409).
        const reached = r.url.includes(':') || r.method !== 'GET' ? [400, 404, 409] : [];
        expect(res.statusCode, label(r, role)).not.toBe(401);
        expect(res.statusCode, label(r, role)).not.toBe(403);
        if (!reached.includes(res.statusCode))
          expect(res.statusCode, label(r, role)).toBeLessThan(400);
      }
    }
  }, 600_000);

  it('sends a browser without a session to sign in, and answers JSON with 401', async () => {
    for (const r of t.app.consoleRouteTable) {
      if (r.access === 'public') continue;
      const url = concrete(r.url);
      const page = await t.app.inject({ method: r.method as 'GET', url });
      if (r.method === 'GET') {
        expect(page.statusCode, label(r, 'no session')).toBe(303);
        expect(page.headers.location, label(r, 'no session')).toMatch(/^\/console\/login/);
      } else {
        // A post without a session cannot be sent on after sign-in: it is refused.
        expect(page.statusCode, label(r, 'no session')).toBe(401);
      }
      const json = await t.app.inject({
        method: r.method as 'GET',
        url,
        headers: { accept: 'application/json', cookie: cookieHeader({ sid: 'expired' }) },
      });
      expect(json.statusCode, label(r, 'json')).toBe(401);
      expect(json.json().error, label(r, 'json')).toMatch(/Sign in again/);
    }
  }, 300_000);
});
