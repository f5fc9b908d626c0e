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
  'contact.address': 'the street address of your practice',
  'location.city_state':
    'the city, state and ZIP code of your practice, or the city and state of the practice you refer',
  'org.name':
    'the name of your practice or organization, or, for patients, of the practice named on your bill',
  'org.size': 'the number of providers in your practice, or in the practice you refer',
  'profile.user_type': 'whether you are a patient, provider or partner',
  'request.needs': 'what you tell us you need',
  'acquisition.campaign': 'how you found us (referring page and campaign tags)',
  'consent.record': 'the choices you made about being contacted, with the text you were shown',
  'account.login': 'your login details (email and a one-way hash of your password)',
  'account.session': 'sign-in session records',
  'account.sign_in_failures':
    'failed attempts to sign in to the staff console, counted under coded fingerprints of the email typed and of the network they came from',
  'privacy.request': 'the privacy requests you make to us and how we answered them',
  'online.identifier':
    'a random identifier of your browser (with your consent) or a coded fingerprint of it that changes every day',
  'online.activity': 'the pages you view and what you click on our website',
  'online.location':
    'your approximate location (country, region, city), derived from your IP address',
  'online.device': 'your browser type and version, operating system and kind of device',
} as const;
export type Category = keyof typeof categories;

/**
 * The closed list of situations in which personal information may leave us. The disclosure
 * ledger records one of these keys with every disclosure; the policy page prints the text.
 */
export const disclosureBases = {
  consent: 'when you have agreed to it',
  requested_service: 'when it is needed to provide a service you asked us for',
  legal_obligation: 'when the law or a legal process, such as a court order, requires it',
  protection:
    'to protect the life, health, safety, security, rights or property of anyone, including you, us and this website',
  business_transfer:
    'to a buyer, or a possible buyer, of our business, who must then use it only as this policy allows',
  person_request: 'when you ask or direct us to share it',
  notice_and_consent: 'to anyone else, but only after telling you and getting your agreement',
} as const;
export type DisclosureBasis = keyof typeof disclosureBases;

/** How long a record is kept once its clock has started; the retention job reads it. */
export type RetentionPeriod =
  | { readonly years: number }
  | { readonly months: number }
  | { readonly days: number }
  | { readonly hours: number };

/** The event a retention clock runs from, in words the console prints after "from". */
export const retentionClocks = {
  last_activity: 'the last contact with the person',
  withdrawal: 'the withdrawal of the consent',
  sign_in: 'sign-in',
  account_closed: 'the account being closed',
  recorded: 'the moment it was recorded',
  closed: 'the request being closed',
} as const;
export type RetentionClock = keyof typeof retentionClocks;

export interface RetentionSpec {
  /** Printed on the policy page; the period and clock below must say the same thing. */
  readonly label: string;
  /** null: no fixed period, the record lives as long as what it belongs to. */
  readonly period: RetentionPeriod | null;
  readonly from: RetentionClock;
}

export const retention = {
  lead: {
    label: '24 months after your last contact with us, or 6 years if you became a client',
    period: { months: 24 },
    from: 'last_activity',
  },
  // A lead marked won: bounded now. Once client practices exist, the client relationship's own
  // records take this over and a won lead follows the practice's retention instead.
  client_lead: {
    label: '6 years after your last contact with us, if you became a client',
    period: { years: 6 },
    from: 'last_activity',
  },
  consent: {
    label: '5 years after you withdraw it, as proof of what you agreed to',
    period: { years: 5 },
    from: 'withdrawal',
  },
  // Six years: the audit log names staff by id and is kept that long as HIPAA documentation.
  staff_account: {
    label: 'while the staff account is active, then 6 years after it is closed',
    period: { years: 6 },
    from: 'account_closed',
  },
  session: { label: 'until sign-out, or 12 hours at most', period: { hours: 12 }, from: 'sign_in' },
  // Counters of failed sign-ins: a window lasts 15 minutes, so an hour is past any use.
  sign_in_failures: {
    label: 'one hour, as coded fingerprints, never the email typed or the network address itself',
    period: { hours: 1 },
    from: 'recorded',
  },
  // Kept after the rest of a person's record is deleted, so we never contact them again.
  opt_out: {
    label:
      'as long as your opt-out stands, as a coded fingerprint of your address rather than the address itself',
    period: null,
    from: 'recorded',
  },
  // The request log: kept to show the request was answered, and used for nothing else.
  privacy_request: {
    label: '24 months after the request is closed',
    period: { months: 24 },
    from: 'closed',
  },
  // Raw website analytics; the hourly totals derived from them name no one and are kept.
  analytics_event: {
    label: '13 months after the visit',
    period: { months: 13 },
    from: 'recorded',
  },
  // Proof that a Global Privacy Control signal was honoured, kept like other consent proof.
  gpc_proof: {
    label: '5 years after the signal was honoured, as proof that it was',
    period: { years: 5 },
    from: 'recorded',
  },
  // A cookie choice stands 13 months at most; its proof is kept while it can be asked about.
  cookie_choice: {
    label: '5 years after a cookie choice is made, as proof of what was chosen',
    period: { years: 5 },
    from: 'recorded',
  },
  // HIPAA keeps required documentation six years (45 CFR 164.316(b)(2)).
  audit_record: {
    label: '6 years after the audited action, as security documentation',
    period: { years: 6 },
    from: 'recorded',
  },
} as const satisfies Record<string, RetentionSpec>;
export type RetentionRule = keyof typeof retention;
