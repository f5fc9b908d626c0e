import { h } from 'preact';
import { render } from 'preact-render-to-string';
import { describe, expect, it } from 'vitest';
import { loadSiteConfig } from '../config/site.js';
import {
  runningCapabilities,
  type Capabilities,
  type Capability,
} from '../privacy/capabilities.js';
import { policyModel } from '../privacy/policy.js';
import { currentPolicy, policyVersions } from '../privacy/policy-versions.js';
import { PrivacyPage } from './privacy-page.js';
import { visibleText } from './testing.js';

// The company's policy text (shared/policy/privacy-policy.txt) held against the generated page,
// statement by statement. Each substantive sentence of the seed names the section of /privacy
// that must carry it in our words, or the capability whose absence excuses it: while a
// capability is off its statement must be absent (nothing unbuilt is promised), and once it is
// on the statement must appear.

interface Row {
  seed: string;
  section: string;
  says: RegExp;
  /** Said only while this capability runs. */
  when?: Capability;
}

/** Matches text that contains every phrase, in any order. */
const allOf = (...phrases: string[]) =>
  new RegExp(
    phrases.map((p) => `(?=[\\s\\S]*${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')})`).join(''),
  );

const statements: readonly Row[] = [
  // Scope and purpose
  {
    seed: 'We do not share any information gathered through our intake forms with third parties.',
    section: 'sharing',
    says: /nothing you send us through our intake form is given to any third party\./,
  },
  {
    seed: 'We do not control, nor are we responsible for, the privacy practices or data found on other websites.',
    section: 'who-we-are',
    says: /other websites we link to have their own privacy practices, which we do not control/,
  },
  // What we collect
  {
    seed: 'we may collect your name, practice/organization name, size and address, email address, telephone number, type of user (patient, provider, partner), and city/state.',
    section: 'what-we-collect',
    says: allOf(
      'your name',
      'your email address',
      'your telephone number',
      'the street address of your practice',
      'the city, state and zip code of your practice',
      'the name of your practice or organization',
      'the number of providers in your practice',
      'whether you are a patient, provider or partner',
    ),
  },
  {
    seed: 'If you have an account with us, we may collect your username or login information (e.g., Practice ID).',
    section: 'what-we-collect',
    says: /your username and your practice's practice id/,
    when: 'clientPortal',
  },
  {
    seed: 'If you are a partner submitting a lead, we collect your information as a partner and details related to the lead, including organization details, address, contact information, needs, past purchase history, and purchaser preferences.',
    section: 'what-we-collect',
    says: /when a partner refers an organization to us.*what it has bought before and how it prefers to buy/,
    when: 'partnerLeads',
  },
  {
    seed: 'This may include your IP address, geolocation, browser type and version, and browsing patterns. We also collect data related to how you found and used the Website.',
    section: 'cookies',
    says: /records the pages you view, the website or search engine that sent you.*your browser and its version.*your ip address is used for a moment to estimate your approximate location.*daily|every day/,
    when: 'analytics',
  },
  {
    seed: 'Our processing of data received from our customers is governed by the agreements we have with our customers, including Business Associate Agreements as applicable under HIPAA.',
    section: 'customer-data',
    says: /under our agreement with it, including a business associate agreement as hipaa requires/,
  },
  // How we use it: the five uses of tracking
  {
    seed: 'To track visitor activities on the Website and make necessary improvements or optimizations.',
    section: 'cookies',
    says: /see how visitors move through the website, and improve it/,
    when: 'analytics',
  },
  {
    seed: 'To monitor the popularity of features on the Website to inform the development of new ones.',
    section: 'cookies',
    says: /learn which features people use, to decide what to build next/,
    when: 'analytics',
  },
  {
    seed: 'To identify the types of devices our visitors use, helping us improve and optimize our systems and services.',
    section: 'cookies',
    says: /learn which kinds of devices our visitors have/,
    when: 'analytics',
  },
  {
    seed: 'To distinguish between existing clients and prospective clients for marketing and sales purposes.',
    section: 'cookies',
    says: /tell visits by our existing clients apart from visits by prospective clients/,
    when: 'clientPortal',
  },
  {
    seed: 'To evaluate how users find and access our Website, thereby improving our advertising efforts.',
    section: 'cookies',
    says: /see how people find us, so that our advertising works better/,
    when: 'analytics',
  },
  {
    seed: 'we may use it to reach out to you about our products or services and for our own marketing, promotional, and informational purposes.',
    section: 'why',
    says: /to tell you about our products and services, when you agreed to hear from us/,
  },
  {
    seed: 'We may also use your information to invite you to participate in studies or provide feedback on how we can improve our services ("Usability Activities").',
    section: 'why',
    says: /to invite you to studies and feedback surveys about our services/,
  },
  {
    seed: 'We will not retain your information longer than necessary to fulfil the purposes for which it was collected or as required by applicable laws or regulations.',
    section: 'retention',
    says: /we keep information only as long as its purpose needs, or longer where the law requires it/,
  },
  {
    seed: 'We take reasonable and appropriate administrative, physical, and technical security measures ... we cannot guarantee the security of your information.',
    section: 'security',
    says: /administrative, physical and technical measures.*cannot promise/,
  },
  // Sharing
  {
    seed: 'We may, however, engage certain service providers to process information on our behalf ... These service providers are not permitted to share your information with others.',
    section: 'sharing',
    says: /service providers that work for us .* handle information only on our instructions and may not pass it on/,
  },
  {
    seed: 'We may also use tracking technologies, such as cookies, to deliver relevant ads and content to you.',
    section: 'cookies',
    says: /advertising partners' code loads only after you agree to advertising/,
  },
  {
    seed: 'The SMS and phone numbers provided will be used solely for SMS communication and will not be shared with any third parties.',
    section: 'sharing',
    says: /your telephone number is used only for text messages and never shared/,
  },
  {
    seed: 'We do not share information with our related entities, including our parent and sister companies, for any business or commercial purposes.',
    section: 'sharing',
    says: /we do not share information with related companies, such as a parent or sister company/,
  },
  {
    seed: 'We also do not share information you make public on the Website, such as reviews of partners.',
    section: 'sharing',
    says: /reviews of partners that appear publicly on our website are not handed to anyone else/,
    when: 'partnerReviews',
  },
  { seed: 'With your consent.', section: 'sharing', says: /when you have agreed to it/ },
  {
    seed: 'When necessary to provide a service, you have requested.',
    section: 'sharing',
    says: /when it is needed to provide a service you asked us for/,
  },
  {
    seed: 'As required by law or legal process.',
    section: 'sharing',
    says: /when the law or a legal process, such as a court order, requires it/,
  },
  {
    seed: 'To protect the rights, property, life, health, security, and safety of us, the Website, or anyone else.',
    section: 'sharing',
    says: /to protect the life, health, safety, security, rights or property of anyone, including you, us and this website/,
  },
  {
    seed: 'To an actual or potential buyer during a business transaction, ensuring that the buyer only uses your information as disclosed in this Policy.',
    section: 'sharing',
    says: /to a buyer, or a possible buyer, of our business, who must then use it only as this policy allows/,
  },
  {
    seed: 'At your request or direction, such as when you choose to share information with a social network.',
    section: 'sharing',
    says: /when you ask or direct us to share it/,
  },
  {
    seed: 'To any other person with notice to you and your consent to the disclosure.',
    section: 'sharing',
    says: /to anyone else, but only after telling you and getting your agreement/,
  },
  // Your rights and choices
  {
    seed: 'For more information on your rights and choices regarding how we use your information, please refer to the Your Rights and Choices',
    section: 'your-rights',
    says: /use our privacy center to ask what we hold about you.*we email a confirmation link.*we answer within 45 days/,
    when: 'privacyCenter',
  },
];

/** Promises of features that must not appear until the feature runs. */
const unbuiltPromises: readonly { when: Capability; section: string; says: RegExp }[] = [
  { when: 'marketingEmail', section: 'your-rights', says: /unsubscribe link/ },
  { when: 'sms', section: 'your-rights', says: /reply stop/ },
  { when: 'clientPortal', section: 'your-rights', says: /client portal/ },
  { when: 'clientPortal', section: 'cookies', says: /client portal/ },
  { when: 'partnerLeads', section: 'cookies', says: /partner applications/ },
];

const site = loadSiteConfig();

/** The visible text of each section of /privacy as generated with these capabilities. */
function sectionsOf(capabilities: Capabilities): Record<string, string> {
  const html = render(
    h(PrivacyPage, {
      site,
      model: policyModel([], [], capabilities),
      version: currentPolicy,
      history: [...policyVersions],
    }),
  );
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/<section id="([a-z-]+)"[^>]*>([\s\S]*?)<\/section>/g))
    out[m[1]!] = visibleText(m[2]!).toLowerCase();
  return out;
}

const running = sectionsOf(runningCapabilities);
const allOn = sectionsOf(
  Object.fromEntries(
    Object.keys(runningCapabilities).map((k) => [k, true]),
  ) as unknown as Capabilities,
);

describe('/privacy holds every statement of the policy text', () => {
  it.each(statements.map((s) => [s.seed.slice(0, 70), s] as const))('%s', (_seed, row) => {
    expect(running[row.section], `section #${row.section}`).toBeDefined();
    if (!row.when || runningCapabilities[row.when]) {
      expect(running[row.section]).toMatch(row.says);
    } else {
      // Not built: not promised; once built, said.
      expect(running[row.section]).not.toMatch(row.says);
    }
    expect(allOn[row.section]).toMatch(row.says);
  });

  it('promises no feature that does not run', () => {
    for (const p of unbuiltPromises) {
      const page = runningCapabilities[p.when] ? allOn : running;
      if (runningCapabilities[p.when]) expect(page[p.section]).toMatch(p.says);
      else expect(page[p.section], `${p.when}: ${String(p.says)}`).not.toMatch(p.says);
      expect(allOn[p.section], `${p.when} on`).toMatch(p.says);
    }
  });

  it('does not claim that forms are all we collect while analytics runs', () => {
    expect(runningCapabilities.analytics).toBe(true);
    expect(running['what-we-collect']).not.toMatch(/we collect only what you give us/);
    expect(running['what-we-collect']).toMatch(/records by itself when you visit/);
  });
});
