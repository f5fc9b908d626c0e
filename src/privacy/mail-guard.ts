import type { Kysely } from 'kysely';
import type { Clock } from '../adapters/clock.js';
import type { Mailer } from '../adapters/mailer.js';
import type { Database } from '../db/schema.js';
import { assertProcessorFor, processorKeys, recordDisclosure } from './disclosures.js';

/**
 * Wraps the mail adapter so that a message declaring personal data (OutgoingMail.personal) is
 * sent only through a relay registered for those categories, with the hand-off in the ledger.
 * Messages without personal data (staff notifications carry a console link only) pass through.
 *
 * relayKey is undefined when no SMTP relay is configured: messages are then written to local
 * .eml files, nothing leaves the system, and there is no recipient to check or record.
 */
export function guardMailer(deps: {
  db: Kysely<Database>;
  mailer: Mailer;
  clock: Clock;
  relayKey: string | undefined;
}): Mailer {
  const { db, mailer, relayKey } = deps;
  return {
    async send(mail) {
      if (mail.personal && relayKey) {
        const p = mail.personal;
        const relay = await assertProcessorFor(db, relayKey, p.categories);
        // Recorded before the hand-off: if sending then fails, the ledger shows an attempt that
        // may not have reached the relay, which errs on the side of telling the person too much.
        await recordDisclosure(
          db,
          {
            recipientId: relay.id,
            basis: p.basis,
            purpose: p.purpose,
            categories: p.categories,
            subjects: p.subjects,
            actor: { kind: 'system', name: 'outbox' },
            channel: 'email_provider',
          },
          deps.clock.now(),
        );
      }
      await mailer.send(mail);
    },
    close: () => mailer.close(),
  };
}

/** The relay key the app's mailer answers to: the registered SMTP relay, when SMTP is on. */
export const emailRelayKey = (smtpUrl: string | undefined) =>
  smtpUrl ? processorKeys.email : undefined;
