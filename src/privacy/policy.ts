import { createHash } from 'node:crypto';
import { runningCapabilities, type Capabilities, type Capability } from './capabilities.js';
import { dataMap, type FieldClass, type PersonalField } from './data-map.js';
import {
  categories,
  disclosureBases,
  purposes,
  retention,
  subjects,
  type Category,
  type DisclosureBasis,
  type Purpose,
  type RetentionRule,
  type Subject,
} from './vocabulary.js';

export interface PolicyCategory {
  category: Category;
  label: string;
  subjects: string[];
  purposes: string[];
  retention: string[];
}

// Moved to the vocabulary with the disclosure ledger; re-exported so existing imports keep working.
export { disclosureBases, type DisclosureBasis } from './vocabulary.js';

/** Who may set a cookie: the ones the site cannot work without, and those a visitor may refuse. */
export const cookieCategories = ['strictly_necessary', 'analytics', 'advertising'] as const;
export type CookieCategory = (typeof cookieCategories)[number];
/** The categories a visitor chooses; strictly necessary cookies are not a choice. */
export type ChoiceCategory = Exclude<CookieCategory, 'strictly_necessary'>;

export interface PolicyCookie {
  name: string;
  /** A plain description of what it does, in the words the banner, /cookies and /privacy show. */
  purpose: string;
  category: CookieCategory;
  /** How long the browser keeps it. */
  lifetime: string;
  /** Set by us (first) or by another company (third). */
  party: 'first' | 'third';
  /** Set only once this capability runs; until then no page lists it. */
  needs?: Capability;
}

/**
 * The cookie catalogue: every cookie the application sets, for the banner, /cookies and the
 * generated /privacy page alike. A test signs in and posts forms, and fails if a response sets a
 * cookie missing from this list, so no page can understate what we store. Analytics cookies are
 * set only after consent to analytics (`request.privacy.allows('analytics')`).
 */
export const cookies: readonly PolicyCookie[] = [
  {
    name: '_csrf',
    purpose: 'protects sign-in and staff forms against requests forged by other websites',
    category: 'strictly_necessary',
    lifetime: 'until the browser closes',
    party: 'first',
  },
  {
    name: 'sid',
    // The name a browser shows on an https site (src/accounts/sessions-store.ts), said here too.
    purpose:
      'keeps a staff member signed in to the staff console (named __Host-sid when the site is served over HTTPS)',
    category: 'strictly_necessary',
    lifetime: '12 hours at most',
    party: 'first',
  },
  {
    name: 'spmb_choices',
    purpose:
      'remembers the cookie and privacy choices made in this browser, such as no advertising',
    category: 'strictly_necessary',
    lifetime: '1 year',
    party: 'first',
  },
  {
    name: 'spmb_consent',
    purpose:
      "a random number that ties this browser's cookie choices to our record of them, as proof of what was chosen",
    category: 'strictly_necessary',
    lifetime: '1 year',
    party: 'first',
  },
  {
    name: 'spmb_gpc',
    purpose:
      'remembers that this browser sent a Global Privacy Control signal and that we honoured it',
    category: 'strictly_necessary',
    lifetime: '1 year',
    party: 'first',
  },
  {
    name: 'spmb_lang',
    purpose: 'remembers the language you picked for the cookie notice',
    category: 'strictly_necessary',
    lifetime: '1 year',
    party: 'first',
  },
  {
    name: 'spmb_vid',
    purpose:
      'a random visitor number, so we can count returning visitors; it says nothing about who you are',
    category: 'analytics',
    lifetime: '13 months',
    party: 'first',
  },
  {
    name: 'spmb_client',
    purpose:
      'marks a browser used to sign in as a client or partner, so visits from existing clients can be told from those of prospects',
    category: 'analytics',
    lifetime: '13 months',
    party: 'first',
    needs: 'clientPortal',
  },
];

/** The cookies the running system may set: the banner, /cookies and /privacy list these. */
export const cookiesInUse = (capabilities: Readonly<Capabilities> = runningCapabilities) =>
  cookies.filter((c) => !c.needs || capabilities[c.needs]);

/** A third-party tag's vendor as the policy names it: who, for which category, receiving what. */
export interface PolicyTagVendor {
  vendor: string;
  category: ChoiceCategory;
  receives: string;
}

/** A registered service provider as the page names it: category labels and its stated purpose. */
export interface PolicyProcessor {
  name: string;
  receives: string[];
  purpose: string;
}

export interface PolicyModel {
  categories: PolicyCategory[];
  purposes: { purpose: Purpose; text: string }[];
  /** Labels of the categories whose only purpose is SMS: the policy promises exactly that. */
  smsOnly: string[];
  processors: PolicyProcessor[];
  thirdParties: string[];
  disclosures: { basis: DisclosureBasis; text: string }[];
  cookies: PolicyCookie[];
  /** Vendors of the consent-gated tags registered in the console (src/cookies/tags.ts). */
  tagVendors: PolicyTagVendor[];
  /** What the system runs: the page describes these and promises nothing else. */
  capabilities: Capabilities;
}

const personalFields = (): PersonalField[] =>
  Object.values(dataMap).flatMap((table) =>
    (Object.values(table) as FieldClass[]).filter((f): f is PersonalField => f.personal),
  );

/** What the policy page says, derived from the data map: change the map and the page follows. */
interface Collected {
  subjects: Set<Subject>;
  purposes: Set<Purpose>;
  retention: Set<RetentionRule>;
}

function collectByCategory(): Map<Category, Collected> {
  const byCategory = new Map<Category, Collected>();
  for (const f of personalFields()) {
    const entry = byCategory.get(f.category) ?? {
      subjects: new Set(),
      purposes: new Set(),
      retention: new Set(),
    };
    f.subjects.forEach((s) => entry.subjects.add(s));
    f.purposes.forEach((p) => entry.purposes.add(p));
    entry.retention.add(f.retention);
    byCategory.set(f.category, entry);
  }
  return byCategory;
}

// Everything is listed in the vocabulary's order, not the data map's: moving a column in the
// map changes nothing a reader sees, so it must not change the fingerprint either.
const inOrderOf = <K extends string>(vocabulary: Record<K, unknown>, keys: Iterable<K>): K[] => {
  const order = Object.keys(vocabulary);
  return [...keys].sort((a, b) => order.indexOf(a) - order.indexOf(b));
};

/**
 * What the policy page says, derived from the data map: change the map and the page follows.
 * Service providers come from the registry in the database (registeredProcessors in
 * disclosures.ts); without them the model is the code's alone, which is what the fingerprint pins.
 */
export function policyModel(
  processors: readonly PolicyProcessor[] = [],
  tagVendors: readonly PolicyTagVendor[] = [],
  capabilities: Readonly<Capabilities> = runningCapabilities,
): PolicyModel {
  const byCategory = collectByCategory();
  const cats = inOrderOf(categories, byCategory.keys()).map((category) => {
    const e = byCategory.get(category)!;
    return {
      category,
      label: categories[category],
      subjects: inOrderOf(subjects, e.subjects).map((s) => subjects[s]),
      purposes: inOrderOf(purposes, e.purposes).map((p) => purposes[p]),
      retention: inOrderOf(retention, e.retention).map((r) => retention[r].label),
    };
  });
  const used = inOrderOf(
    purposes,
    [...byCategory.values()].flatMap((e) => [...e.purposes]),
  );
  return {
    categories: cats,
    purposes: [...new Set(used)].map((purpose) => ({ purpose, text: purposes[purpose] })),
    smsOnly: cats
      .filter((c) => c.purposes.length === 1 && c.purposes[0] === purposes.sms_communication)
      .map((c) => c.label),
    processors: [...processors],
    thirdParties: [],
    disclosures: (Object.keys(disclosureBases) as DisclosureBasis[]).map((basis) => ({
      basis,
      text: disclosureBases[basis],
    })),
    cookies: cookiesInUse(capabilities),
    tagVendors: [...tagVendors],
    capabilities: { ...capabilities },
  };
}

/**
 * A short hash of everything the policy page says that comes from code. policy-versions.ts
 * pins it, so a change to the data map cannot reach the page without a new dated version.
 */
export function policyFingerprint(model: PolicyModel = policyModel()): string {
  return createHash('sha256').update(JSON.stringify(model)).digest('hex').slice(0, 16);
}
