import { categoryLabels, purposeLabels } from './fideslang.js';
import type { PolicyModel } from './policy.js';
import type { PolicyVersion } from './policy-versions.js';
import { categories, purposes, type Category, type Purpose } from './vocabulary.js';

// /privacy.json: what /privacy says, for machines. Built from the same policy model and version
// as the page (src/pages/routes.ts), every category and purpose labelled with fideslang keys
// (fideslang.ts), so a change to the data map changes both, under the same policy version.

const purposeByText = new Map(
  (Object.entries(purposes) as [Purpose, string][]).map(([key, text]) => [text, key]),
);
const categoryByLabel = new Map(
  (Object.entries(categories) as [Category, string][]).map(([key, label]) => [label, key]),
);

const purposeEntry = (key: Purpose) => ({
  key,
  text: purposes[key],
  fides_data_uses: purposeLabels[key],
});

const fidesOfLabels = (labels: readonly string[]) => [
  ...new Set(
    labels.flatMap((l) => {
      const key = categoryByLabel.get(l);
      return key ? categoryLabels[key] : [];
    }),
  ),
];

export interface PrivacyJsonInput {
  model: PolicyModel;
  version: PolicyVersion;
  /** The site's public origin: the document names the page it restates. */
  origin: string;
  organization: { name: string; legalName: string; privacyEmail: string };
}

export function privacyJson({ model, version, origin, organization }: PrivacyJsonInput) {
  return {
    policy: {
      version: version.version,
      effective: version.effective,
      url: new URL('/privacy', origin).href,
    },
    organization: {
      name: organization.name,
      legal_name: organization.legalName,
      privacy_contact: `mailto:${organization.privacyEmail}`,
    },
    taxonomy: {
      name: 'fideslang',
      url: 'https://github.com/ethyca/fideslang',
      fields: ['fides_data_categories', 'fides_data_uses'],
    },
    categories_collected: model.categories.map((c) => ({
      key: c.category,
      label: c.label,
      fides_data_categories: categoryLabels[c.category],
      subjects: c.subjects,
      purposes: c.purposes.map((text) => purposeEntry(purposeByText.get(text)!)),
      retention: c.retention,
    })),
    purposes: model.purposes.map((p) => purposeEntry(p.purpose)),
    recipients: {
      service_providers: model.processors.map((p) => ({
        name: p.name,
        purpose: p.purpose,
        receives: p.receives,
        fides_data_categories: fidesOfLabels(p.receives),
      })),
      tag_vendors: model.tagVendors.map((v) => ({
        name: v.vendor,
        cookie_category: v.category,
        receives: v.receives,
      })),
      third_parties: model.thirdParties,
    },
    disclosure_bases: model.disclosures.map((d) => ({ key: d.basis, text: d.text })),
    cookies: model.cookies.map((c) => ({
      name: c.name,
      category: c.category,
      purpose: c.purpose,
      lifetime: c.lifetime,
      party: c.party,
    })),
    signals: { global_privacy_control: true },
  };
}

/**
 * /.well-known/gpc.json: the site honours Global Privacy Control, as of the newest shipped policy
 * version whose change note speaks of it (the policy is where the promise is made).
 */
export function gpcDeclaration(versions: readonly PolicyVersion[]) {
  const saying = versions.filter((v) => /Global Privacy Control/.test(v.summary)).at(-1);
  if (!saying) throw new Error('gpc.json: no policy version says that GPC is honoured');
  return { gpc: true, lastUpdate: saying.effective };
}
