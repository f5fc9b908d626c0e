import type { TestApp } from './app.js';
import { hiddenField } from './app.js';

// The public intake form as a browser posts it: the page is fetched first for its form token.

/** A provider's answers; a test changes the fields it is about (undefined leaves one out). */
export const providerIntake: Record<string, string> = {
  userType: 'provider',
  name: 'Riley Stone',
  organization: 'Stone Orthopedics',
  practiceSize: '2-5',
  address: '77 Pine Street',
  city: 'Houston',
  state: 'TX',
  zip: '77002',
  phone: '(713) 555-0177',
  consentSms: 'on',
  needs: 'Please help with credentialing.',
};

/** Posts the intake form with `email` and these changes; answers the response. */
export async function postIntake(
  t: TestApp,
  email: string,
  fields: Record<string, string | undefined> = {},
  headers: Record<string, string> = {},
) {
  const page = await t.app.inject({ method: 'GET', url: '/get-started' });
  const answers = { ...providerIntake, email, ...fields };
  const payload = Object.fromEntries(
    Object.entries(answers).filter((e): e is [string, string] => e[1] !== undefined),
  );
  return t.app.inject({
    method: 'POST',
    url: '/get-started',
    headers,
    payload: { ...payload, formToken: hiddenField(page.body, 'formToken') },
  });
}

/** Posts the intake form, which must store the lead; answers the lead's id. */
export async function submitIntake(
  t: TestApp,
  email: string,
  fields: Record<string, string | undefined> = {},
  headers: Record<string, string> = {},
): Promise<string> {
  const res = await postIntake(t, email, fields, headers);
  if (res.statusCode !== 201) throw new Error(`intake failed: ${res.statusCode} ${res.body}`);
  return t.leadIdByEmail(email);
}
