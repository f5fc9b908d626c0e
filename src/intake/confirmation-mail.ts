import type { Config } from '../config/env.js';
import type { SiteConfig } from '../config/site.js';
import type { Db } from '../db/database.js';
import { submissionAddress } from '../leads/records.js';
import type { MessageKind } from '../outbox/worker.js';
import type { Kernel } from '../privacy/kernel.js';

// The short confirmation a person gets after sending the intake form. Transactional: it answers
// their own request, so it is sent whatever their marketing choices, and it says nothing about
// our services. The address was not verified, so the message repeats nothing that was typed
// (no name, no message): sent to a stranger's address, it tells them only that someone used it
// here and how to have it removed. It reaches the relay declared, like every mail to a person.

export const CONFIRMATION_SUBJECT = 'We received your message';

export function intakeConfirmationKind(deps: {
  db: Db;
  config: Config;
  site: SiteConfig;
  kernel: Kernel;
}): MessageKind {
  const row = (payload: Record<string, string>) =>
    submissionAddress(deps.db, payload.submissionId ?? '');
  return {
    async recipients({ payload }) {
      const found = await row(payload);
      // Deleted since (an erasure, retention): nothing to confirm, no one to write to.
      if (!found) return [];
      const [shown] = deps.kernel.reveal('lead_submissions', [found], 'service_request');
      return typeof shown?.email === 'string' && shown.email ? [shown.email] : [];
    },
    async build({ payload }) {
      const found = await row(payload);
      if (!found) return undefined;
      return {
        subject: CONFIRMATION_SUBJECT,
        text: confirmationText(deps.site, deps.config.baseUrl),
        personal: {
          categories: ['contact.email'],
          basis: 'requested_service',
          purpose: 'service_request',
          subjects: [{ type: 'lead', id: found.lead_id }],
        },
      };
    },
  };
}

export function confirmationText(site: SiteConfig, baseUrl: string): string {
  const c = site.company;
  return [
    `Thank you for writing to ${c.name} through our website. We have your message.`,
    '',
    'What happens next',
    `Someone from our team will answer you, usually within one business day. If it is urgent, call us at ${c.phone}, ${c.hours}.`,
    '',
    'Your information',
    `We use what you sent only to answer you, and we do not share it with third parties. Our privacy policy says what we keep and for how long: ${baseUrl}/privacy`,
    `To see, correct or delete it, use our Privacy Center (${baseUrl}/privacy-center) or write to our privacy officer at ${c.privacyEmail}, or by post to ${c.legalName}, ${c.address.street}, ${c.address.city}, ${c.address.state} ${c.address.zip}.`,
    '',
    `If you did not send us a message, someone else typed your address: tell our privacy officer at ${c.privacyEmail} and we will delete it.`,
    '',
    c.name,
    '',
  ].join('\n');
}
