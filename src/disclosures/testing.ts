import { randomUUID } from 'node:crypto';
import type { StaffRole } from '../db/schema.js';
import type { Category } from '../privacy/vocabulary.js';
import { cookieHeader, cookieJar, hiddenField, type TestApp } from '../test-support/app.js';

// Fixtures shared by the disclosure and registry tests.

export interface RecipientFixture {
  kind?: 'processor' | 'third_party';
  key?: string;
  name?: string;
  categories?: Category[];
  purpose?: string;
  contractRef?: string | null;
  relatedEntity?: boolean;
  active?: boolean;
}

/** A registry entry written straight to the table, so a kernel test can set up what a form refuses. */
export async function addRecipient(t: TestApp, r: RecipientFixture = {}): Promise<string> {
  const id = randomUUID();
  const at = new Date('2026-11-01T00:00:00.000Z').toISOString();
  await t.db
    .insertInto('recipients')
    .values({
      id,
      kind: r.kind ?? 'processor',
      key: r.key ?? `r-${id.slice(0, 8)}`,
      name: r.name ?? 'Relay Co',
      categories: JSON.stringify(r.categories ?? []),
      purpose: r.purpose ?? 'delivers email',
      contract_ref: r.contractRef === undefined ? 'DPA-1' : r.contractRef,
      related_entity: r.relatedEntity ? 1 : 0,
      active: r.active === false ? 0 : 1,
      created_at: at,
      updated_at: at,
    })
    .execute();
  return id;
}

const password = 'correct horse battery staple';

/** A signed-in staff member per role: their session cookie jar and id. */
export async function staffSessions(t: TestApp, roles: readonly StaffRole[]) {
  const out: Record<string, { jar: Record<string, string>; id: string }> = {};
  for (const role of roles) {
    const email = `${role}-${randomUUID().slice(0, 6)}@example.test`;
    const { id } = await t.app.accounts.createStaffUser({ email, password, role });
    out[role] = { id, jar: { sid: (await t.app.accounts.login(email, password)).token } };
  }
  return out;
}

export const getAs = (t: TestApp, jar: Record<string, string>, url: string) =>
  t.app.inject({ method: 'GET', url, headers: { cookie: cookieHeader(jar) } });

/**
 * Posts a form as a browser would: the CSRF token from a console page first (unless told not
 * to), repeated names for several checkboxes.
 */
export async function postForm(
  t: TestApp,
  jar: Record<string, string>,
  url: string,
  fields: Record<string, string | string[]>,
  opts: { csrf?: boolean } = {},
) {
  const cookies = { ...jar };
  const body = new URLSearchParams();
  if (opts.csrf !== false) {
    // Every console page carries the token in its sign-out form, refusals included.
    const page = await getAs(t, cookies, '/console/disclosures');
    cookieJar(page, cookies);
    body.set('_csrf', hiddenField(page.body, '_csrf'));
  }
  for (const [k, v] of Object.entries(fields)) for (const one of [v].flat()) body.append(k, one);
  return t.app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieHeader(cookies) },
    payload: body.toString(),
  });
}
