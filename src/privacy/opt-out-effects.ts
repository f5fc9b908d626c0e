import type { Db } from '../db/database.js';
import type { Kernel } from './kernel.js';
import { isSuppressed, type SuppressionChannel, type Who } from './suppression.js';
import type { Purpose } from './vocabulary.js';

/**
 * What each stored opt-out governs: the one table every reader asks, so an opt-out the Privacy
 * Center or GPC writes is never stored and ignored. `withdraws` names the purposes the person's
 * data may no longer serve; `effects` says in words where that is enforced.
 */
export const optOutEffects = {
  email_marketing: {
    withdraws: ['marketing'],
    // Campaign email does not exist yet: when it does, it asks `isWithdrawn` before each send.
    effects: ['excluded from every marketing export, and from campaigns to come'],
  },
  sms: {
    withdraws: ['sms_communication'],
    // Nothing sends SMS yet: the sender, when built, asks `isWithdrawn` before each text.
    effects: ['no text message is sent to the number'],
  },
  // "Do not sell or share": no advertising and no hand-off for anyone's marketing.
  advertising: {
    withdraws: ['advertising', 'marketing'],
    effects: [
      'no advertising tag loads for the browser the person identified themselves from',
      'no advertising click id (gclid, msclkid) is stored with their lead',
      'excluded from every advertising or marketing export',
    ],
  },
  // "Limit the use of my sensitive information": only what answering them, the law and
  // security need; everything else is withdrawn.
  sensitive_limit: {
    withdraws: ['advertising', 'marketing', 'analytics', 'sms_communication', 'usability_research'],
    effects: ['their data is used only to answer their requests, for legal duties and security'],
  },
} as const satisfies Record<
  SuppressionChannel,
  { withdraws: readonly Purpose[]; effects: readonly string[] }
>;

/** The opt-outs that withdraw a purpose. */
export function optOutsWithdrawing(purpose: Purpose): SuppressionChannel[] {
  return (Object.keys(optOutEffects) as SuppressionChannel[]).filter((c) =>
    (optOutEffects[c].withdraws as readonly Purpose[]).includes(purpose),
  );
}

/** True when any opt-out stored for these addresses withdraws the purpose. */
export async function isWithdrawn(db: Db, kernel: Kernel, who: Who, purpose: Purpose) {
  for (const channel of optOutsWithdrawing(purpose))
    if (await isSuppressed(db, kernel, who, channel)) return true;
  return false;
}

/**
 * Whether advertising click ids may be kept with a submission: never under Global Privacy
 * Control, never for a person whose opt-out withdraws advertising.
 */
export async function mayKeepClickIds(db: Db, kernel: Kernel, who: Who, gpc: boolean) {
  return !gpc && !(await isWithdrawn(db, kernel, who, 'advertising'));
}

/** The campaign fields that identify an ad click, dropped when `mayKeepClickIds` says no. */
export const clickIdFields = ['gclid', 'msclkid'] as const;
