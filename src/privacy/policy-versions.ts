// Each published version of the generated policy. A test fails when the data map changes the
// policy's content without a new entry here, so no change reaches the page without a date.
//
// To publish a change: run `npx vitest run src/privacy/policy.test.ts`; its failure message
// prints the new fingerprint and an entry to append below (oldest first, newest last).
export interface PolicyVersion {
  version: string;
  /** ISO date (YYYY-MM-DD) from which this version applies. */
  effective: string;
  /** policyFingerprint() of the model this version describes. */
  fingerprint: string;
  /** A material change asks again for consent where consent was the basis. */
  material: boolean;
  /** One sentence for the "changes" section of the page. */
  summary: string;
}

export const policyVersions: readonly PolicyVersion[] = [
  {
    version: '1.0',
    effective: '2026-11-28',
    fingerprint: '9eb1fc7cfa300131',
    material: true,
    summary: 'First version generated from the data map.',
  },
  {
    version: '1.1',
    effective: '2026-11-29',
    fingerprint: 'dbe8556e804dee0c',
    material: true,
    summary:
      'Adds privacy requests and opt-out records, the cookies that remember privacy choices, service providers from the registry, and answering legal process with what you gave us.',
  },
  {
    version: '1.2',
    effective: '2026-11-29',
    fingerprint: '64af708a34781a79',
    material: true,
    summary:
      'Adds cookie choices: first-party analytics cookies and advertising partners’ code only with your consent, never under Global Privacy Control, each cookie with its lifetime and who sets it.',
  },
  {
    version: '1.3',
    effective: '2026-11-29',
    fingerprint: '7f7e2c6f599a9e73',
    material: true,
    summary:
      'Adds first-party website analytics: pages viewed, approximate location, browser and device, and how you found us, kept 13 months and never shared.',
  },
  {
    version: '1.4',
    effective: '2026-12-07',
    fingerprint: '45c7c64380322e46',
    material: true,
    summary:
      "Says what the website records by itself and why, and how your IP address is used; states without exception that intake form data goes to no third party; adds life and this website to the protection clause; explains how the Privacy Center verifies and answers requests; and promises only what our systems do today. Adds counters of failed staff sign-ins, kept one hour under coded fingerprints of the email typed and the network, never the address itself. Bounds how long a client's record is kept (6 years after the last contact), staff accounts (6 years after they close) and proof that a Global Privacy Control signal was honoured (5 years).",
  },
  {
    version: '1.5',
    effective: '2026-12-07',
    // The code's model is unchanged; the page's words about tag vendors changed, so this is dated.
    fingerprint: '45c7c64380322e46',
    material: false,
    summary:
      'Companies whose code may load on our website after you allow it are named as our service providers, bound by a contract, with the kinds of data each receives; we record when each one starts and stops receiving it.',
  },
  {
    version: '1.6',
    effective: '2026-12-07',
    fingerprint: '35189a5030e0496d',
    // Less is collected, from fewer people, for the same purposes: nothing anyone agreed to grows.
    material: false,
    summary:
      'Says what the contact form asks each kind of person: patients with a question about a bill are no longer asked for a street address, city, state, ZIP code or practice size, only which practice billed them if they wish; partners are asked about the practice they refer; only providers give a street address.',
  },
  {
    version: '1.7',
    effective: '2026-12-07',
    fingerprint: 'a0eacc6f2bcfb840',
    // Only staff accounts change (a name, a second sign-in factor, each session's device, the
    // session cookie's name over HTTPS); nothing changes for anyone who contacts us.
    material: false,
    summary:
      'Staff accounts now hold the staff member’s name, a second sign-in factor (its secret sealed, recovery codes kept only as one-way hashes) and, for each signed-in session, the kind of device, so staff can end sessions they do not recognise. The staff sign-in cookie is named __Host-sid on a site served over HTTPS.',
  },
];

export const currentPolicy = policyVersions[policyVersions.length - 1]!;
