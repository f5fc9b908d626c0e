import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StaffRole } from '../db/schema.js';
import { cookieHeader, createTestApp, type TestApp } from '../test-support/app.js';
import { randomUUID } from 'node:crypto';
import { addRecipient } from '../disclosures/testing.js';
import { arrivingRequest } from '../privacy-center/repository.js';
import { insertLead } from '../test-support/retention.js';
import { getAs, postForm, staffSessions, staffJar, type Jar } from '../test-support/staff.js';
import { permissionTable } from './permissions.js';

// Every console route, as the app registered it, against every role the permission table
// names: the table decides who gets in, and no route is left without a say (decision 019).

let t: TestApp;
let jars: Record<string, { jar: Jar }>;
const roles = [...new Set(Object.values(permissionTable).flat())] as StaffRole[];

/** A real record behind each kind of address, so a route with an id is reached for real. */
const records: Record<string, string> = {};

beforeAll(async () => {
  t = await createTestApp();
  jars = await staffSessions(t, roles);
  const now = t.clock.now();
  const lead = await insertLead(t.db, t.kernel, now);
  records['/console/leads/'] = lead;
  records['/console/settings/processors/'] = await addRecipient(t);
  const request = randomUUID();
  await t.db
    .insertInto('privacy_requests')
    .values(
      arrivingRequest({
        id: request,
        created_at: now.toISOString(),
        kind: 'access',
        channel: 'web',
        status: 'verified',
        email: null,
        email_index: null,
        lead_ids: '[]',
        receipt_due_at: now.toISOString(),
        due_at: now.toISOString(),
        closed_at: null,
      }),
    )
    .execute();
  records['/console/privacy/'] = request;
  const hold = randomUUID();
  await t.db
    .insertInto('legal_holds')
    .values({
      id: hold,
      target_type: 'lead',
      target_id: lead,
      reason: 'Matter 1',
      placed_by: 'officer',
      placed_at: now.toISOString(),
      released_at: null,
      released_by: null,
    })
    .execute();
  records['/console/retention/holds/'] = hold;
  const opened = await postForm(t, await staffJar(t, 'admin'), '/console/incidents', {
    summary: 'A test incident that the route table reaches.',
    discoveredOn: '2026-11-20',
    categories: ['contact.email'],
  });
  records['/console/incidents/'] = /[0-9a-f-]{36}$/.exec(String(opened.headers.location))![0];
  // Someone the staff screens act on, other than the members signed in above.
  const other = await staffSessions(t, ['sales']);
  records['/console/users/'] = other.sales!.id;
}, 120_000);
afterAll(async () => t.close());

// The query a screen cannot be shown without.
const required: Record<string, string> = {
  '/console/analytics/export.csv': '?panel=page',
  '/console/disclosures/evidence/new': '?kind=legal_process',
};
const recordFor = (url: string) =>
  Object.entries(records).find(([prefix]) => url.startsWith(`${prefix}:`))?.[1];
/**
 * A concrete address for a route pattern: the id of a real record where the test made one
 * (else `x`), required queries given.
 */
const concrete = (url: string) =>
  url.replace(/:[^/]+/g, recordFor(url) ?? 'x') + (required[url] ?? '');
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
    // Routes reached only with a made-up id: a new kind of record needs one above.
    const madeUp = routes.filter((r) => r.url.includes(':') && !recordFor(r.url));
    expect(madeUp.map((r) => r.url)).toEqual([
      '/console/settings/tags/:id/deactivate',
      '/console/settings/tags/:id/activate',
    ]);
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
        // Past the session, the permission and CSRF: a page, a redirect or a file. A page of a
        // real record opens; an empty form may be refused for what it is (400; 409 for the
        // record's state; 404 for a token the form should carry); only a page whose id the
        // test has no record for may be unknown (404).
        const real = recordFor(r.url) !== undefined;
        const reached = [
          ...(r.method !== 'GET' ? [400, 404, 409] : []),
          ...(r.url.includes(':') && !real ? [404] : []),
        ];
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
