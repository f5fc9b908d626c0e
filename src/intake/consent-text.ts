import type { SiteConfig } from '../config/site.js';

export const INTAKE_FORM = { id: 'get-started', version: '2026-11-28' } as const;

// The exact words shown beside each box; the consent record stores them as shown.
export function consentTexts(site: SiteConfig) {
  const c = site.company;
  return {
    marketing:
      `Yes, ${c.name} may contact me by email about its products and services. ` +
      `I can unsubscribe at any time.`,
    sms:
      `Yes, send me text messages from ${site.sms.programName} (${c.legalName}) about my ` +
      `request and its products and services at the number above, ${site.sms.frequency}, ` +
      `which may be sent by automated means. ` +
      `Msg & data rates may apply. Reply STOP to cancel, HELP for help. ` +
      `Consent is not a condition of any purchase.`,
  };
}
