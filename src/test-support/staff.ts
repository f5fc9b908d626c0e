import { randomUUID } from 'node:crypto';
import { totpCode } from '../accounts/totp.js';
import type { StaffRole } from '../db/schema.js';
import { cookieHeader, cookieJar, hiddenField, type TestApp } from './app.js';

// Staff in tests: accounts signed in per role, and console forms posted as a browser posts them.

export const staffPassword = 'correct horse battery staple';

export type Jar = Record<string, string>;

/** The plain address `staffSessions` can give each role, for tests that look for it. */
export const roleEmail = (role: StaffRole) => `${role}@example.test`;

/**
 * A signed-in staff member per role: their session cookie jar and id. Emails are made unique
 * unless `email` names them (for tests that look for a staff member's address).
 */
export async function staffSessions(
  t: TestApp,
  roles: readonly StaffRole[],
  opts: { email?: (role: StaffRole) => string } = {},
) {
  const out: Record<string, { jar: Jar; id: string }> = {};
  for (const role of roles) {
    const email = opts.email?.(role) ?? `${role}-${randomUUID().slice(0, 6)}@example.test`;
    const { id } = await t.app.accounts.createStaffUser({ email, password: staffPassword, role });
    const signedIn = await t.app.accounts.login(email, staffPassword);
    // Admins and privacy officers set up their second factor before anything else.
    const token =
      signedIn.stage === 'enrol' ? await enrolSecondFactor(t, signedIn.token) : signedIn.token;
    out[role] = { id, jar: { sid: token } };
  }
  return out;
}

/**
 * Sets up the second factor from a signed-in session, as the enrolment page does, with a code
 * computed from the test clock: the renewed session's token and the TOTP secret.
 */
export async function enrolSecondFactor(t: TestApp, token: string): Promise<string> {
  return (await enrolWithSecret(t, token)).token;
}

/** Each enrolled member's authenticator secret, by email, so a test can sign them in again. */
const secrets = new Map<string, string>();

export async function enrolWithSecret(t: TestApp, token: string) {
  const accounts = t.app.accounts;
  const state = await accounts.sessionState(token);
  if (!state) throw new Error('no session to enrol from');
  const enrolment = await accounts.secondFactor().begin(state.user.id, state.user.email);
  const code = totpCode(enrolment.secret, t.clock.now());
  const done = await accounts.finishEnrolment(state, enrolment.token, code);
  secrets.set(state.user.email, enrolment.secret);
  return { token: done.token, secret: enrolment.secret, codes: done.codes };
}

/**
 * Signs a member in again (after their session went idle with the test clock): the password,
 * then a code from the authenticator enrolled above when they have one. Their jar.
 */
export async function signInAgain(t: TestApp, email: string): Promise<Jar> {
  const signedIn = await t.app.accounts.login(email, staffPassword);
  if (signedIn.stage === 'active') return { sid: signedIn.token };
  const secret = secrets.get(email);
  if (signedIn.stage !== 'code' || !secret) throw new Error(`cannot finish signing in ${email}`);
  const done = await t.app.accounts.completeSecondFactor(
    signedIn.token,
    totpCode(secret, t.clock.now()),
  );
  return { sid: done.token };
}

/** A new staff member with this role, signed in: their session cookie jar. */
export async function staffJar(t: TestApp, role: StaffRole): Promise<Jar> {
  return (await staffSessions(t, [role]))[role]!.jar;
}

export const getAs = (t: TestApp, jar: Jar, url: string) =>
  t.app.inject({ method: 'GET', url, headers: { cookie: cookieHeader(jar) } });

/**
 * A CSRF token for this staff member, from the page /console leads them to (every console page
 * carries one in its sign-out form), and the jar with the cookies that page set.
 */
export async function consoleCsrf(t: TestApp, jar: Jar): Promise<{ token: string; jar: Jar }> {
  const cookies = { ...jar };
  let next: string | undefined = '/console';
  while (next) {
    const page = await getAs(t, cookies, next);
    cookieJar(page, cookies);
    if (page.statusCode === 200) return { token: hiddenField(page.body, '_csrf'), jar: cookies };
    next = page.statusCode === 303 ? String(page.headers.location) : undefined;
  }
  throw new Error('no console page to take a CSRF token from');
}

/**
 * Posts a console form as a browser would: with a CSRF token (unless told not to), repeated
 * names for several checkboxes.
 */
export async function postForm(
  t: TestApp,
  jar: Jar,
  url: string,
  fields: Record<string, string | string[]> = {},
  opts: { csrf?: boolean } = {},
) {
  let cookies = jar;
  const body = new URLSearchParams();
  if (opts.csrf !== false) {
    const csrf = await consoleCsrf(t, jar);
    cookies = csrf.jar;
    body.set('_csrf', csrf.token);
  }
  for (const [k, v] of Object.entries(fields)) for (const one of [v].flat()) body.append(k, one);
  return t.app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieHeader(cookies) },
    payload: body.toString(),
  });
}

/**
 * Fills in a page's form as a browser would, signed in or not: the page's cookies and CSRF
 * token, then `fields` (which may replace the token) posted to `action`, both from
 * `remoteAddress` when given.
 */
export async function submitPageForm(
  t: TestApp,
  page: string,
  fields: Record<string, string>,
  action = page,
  remoteAddress?: string,
) {
  const from = remoteAddress === undefined ? {} : { remoteAddress };
  const form = await t.app.inject({ method: 'GET', url: page, ...from });
  if (form.statusCode !== 200) throw new Error(`${page} answered ${form.statusCode}`);
  const jar = cookieJar(form);
  const res = await t.app.inject({
    method: 'POST',
    url: action,
    ...from,
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieHeader(jar) },
    payload: new URLSearchParams({ _csrf: hiddenField(form.body, '_csrf'), ...fields }).toString(),
  });
  return { res, jar: cookieJar(res, jar) };
}
