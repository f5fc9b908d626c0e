// The closed vocabularies the policy speaks in. Plain-language text here feeds the generated policy page.

export const purposes = {
  service_request: 'to answer your request and provide the service you asked for',
  account: 'to run your account and sign you in',
  analytics: 'to understand how the website is used and improve it',
  advertising: 'to measure and improve our advertising',
  marketing: 'to tell you about our products and services, when you agreed to hear from us',
  sms_communication: 'to send you text messages you agreed to receive',
  usability_research: 'to invite you to studies and feedback surveys about our services',
  security: 'to keep the website and your information secure',
  legal: 'to meet legal obligations and answer legal process',
} as const;
export type Purpose = keyof typeof purposes;

export const subjects = {
  visitor: 'website visitors',
  prospect: 'people who express interest',
  patient: 'patients',
  provider: 'providers and practices',
  partner: 'partners',
  client_user: 'client practice users',
  staff: 'our staff',
} as const;
export type Subject = keyof typeof subjects;

export const categories = {
  'contact.name': 'your name',
  'contact.email': 'your email address',
  'contact.phone': 'your telephone number',
  'contact.address': 'your street address',
  'location.city_state': 'your city, state and ZIP code',
  'org.name': 'your practice or organization name',
  'org.size': 'the size of your practice',
  'profile.user_type': 'whether you are a patient, provider or partner',
  'request.needs': 'what you tell us you need',
  'acquisition.campaign': 'how you found us (referring page and campaign tags)',
  'consent.record': 'the choices you made about being contacted, with the text you were shown',
  'account.login': 'your login details (email and a one-way hash of your password)',
  'account.session': 'sign-in session records',
} as const;
export type Category = keyof typeof categories;

export const retention = {
  lead: { label: '24 months after your last contact with us, unless you become a client' },
  consent: { label: '5 years after you withdraw it, as proof of what you agreed to' },
  staff_account: { label: 'while the staff account is active' },
  session: { label: 'until sign-out, or 12 hours at most' },
} as const;
export type RetentionRule = keyof typeof retention;
