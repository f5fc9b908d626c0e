import type { Category, Purpose } from './vocabulary.js';

// The data map's categories and purposes in a published taxonomy, so that an auditor's tool can
// read /privacy.json without our words: Fides' fideslang (IAB Tech Lab), default taxonomy v2,
// data categories and data uses. The records are total over the vocabulary, so a new category
// or purpose fails typecheck until it is labelled here; fideslang.test.ts checks every label
// against the taxonomy's keys below.

/** The fideslang data categories these labels use (default taxonomy keys). */
export const fidesDataCategories = [
  'user.name',
  'user.contact.email',
  'user.contact.phone_number',
  'user.contact.address.street',
  'user.contact.address.city',
  'user.contact.address.state',
  'user.contact.address.postal_code',
  'user.contact.organization',
  'user.workplace',
  'user.demographic.profile',
  'user.content.private',
  'user.behavior.browsing_history',
  'user.privacy_preferences',
  'user.account.username',
  'user.credentials.password',
  'user.authorization.credentials',
  'user.id.pseudonymous',
  'user.device.cookie_id',
  'user.device',
  'user.location.imprecise',
] as const;
export type FidesDataCategory = (typeof fidesDataCategories)[number];

/** The fideslang data uses these labels use (default taxonomy keys). */
export const fidesDataUses = [
  'essential.service',
  'essential.service.authentication',
  'essential.service.security',
  'essential.legal_obligation',
  'analytics.reporting',
  'analytics.reporting.ad_performance',
  'marketing.advertising',
  'marketing.communications.email',
  'marketing.communications.sms',
  'functional.service.improve',
] as const;
export type FidesDataUse = (typeof fidesDataUses)[number];

export const categoryLabels: Record<Category, readonly FidesDataCategory[]> = {
  'contact.name': ['user.name'],
  'contact.email': ['user.contact.email'],
  'contact.phone': ['user.contact.phone_number'],
  'contact.address': ['user.contact.address.street'],
  'location.city_state': [
    'user.contact.address.city',
    'user.contact.address.state',
    'user.contact.address.postal_code',
  ],
  'org.name': ['user.contact.organization'],
  'org.size': ['user.workplace'],
  'profile.user_type': ['user.demographic.profile'],
  'request.needs': ['user.content.private'],
  'acquisition.campaign': ['user.behavior.browsing_history'],
  'consent.record': ['user.privacy_preferences'],
  'account.login': ['user.account.username', 'user.credentials.password'],
  'account.session': ['user.authorization.credentials'],
  'account.sign_in_failures': ['user.id.pseudonymous'],
  'privacy.request': ['user.privacy_preferences'],
  'online.identifier': ['user.device.cookie_id', 'user.id.pseudonymous'],
  'online.activity': ['user.behavior.browsing_history'],
  'online.location': ['user.location.imprecise'],
  'online.device': ['user.device'],
};

export const purposeLabels: Record<Purpose, readonly FidesDataUse[]> = {
  service_request: ['essential.service'],
  account: ['essential.service.authentication'],
  analytics: ['analytics.reporting'],
  advertising: ['marketing.advertising', 'analytics.reporting.ad_performance'],
  marketing: ['marketing.communications.email'],
  sms_communication: ['marketing.communications.sms'],
  usability_research: ['functional.service.improve'],
  security: ['essential.service.security'],
  legal: ['essential.legal_obligation'],
};
