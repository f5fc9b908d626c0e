import { randomUUID } from 'node:crypto';
import type { Clock } from '../adapters/clock.js';
import { appendAudit } from '../audit/log.js';
import type { Db } from '../db/database.js';
import type { ConsentsTable } from '../db/schema.js';
import { policyVersionNow } from '../privacy/consent.js';
import type { Kernel } from '../privacy/kernel.js';
import { findSubjectByEmail, suppress, type SuppressionChannel } from '../privacy/subject-data.js';
import type { ChoicesInput } from './fields.js';
import type { BrowserChoices } from '../privacy/signals.js';
import * as repo from './repository.js';
import { leadIdsByPhone } from '../leads/records.js';

export const CHOICES_FORM = { id: 'privacy-choices', version: '2026-11-29' } as const;

/** The words beside each box; a withdrawal stores them as shown. */
export const choiceTexts = {
  marketing: 'Stop marketing email to this address.',
  sms: 'Stop text messages to this number.',
  advertising: 'Do not sell or share my information, and do not use it for advertising.',
  sensitive: 'Limit the use of my sensitive information to what is needed to answer my requests.',
} as const;

export interface ChoicesDeps {
  db: Db;
  clock: Clock;
  kernel: Kernel;
}

/**
 * Opt-outs need no proof of identity and take effect at once: an opt-out can only reduce what we
 * do with someone's data. Each is kept as a keyed suppression, so it outlives a deletion, and as
 * a consent withdrawal on every matching record. The answer is the same whether anything matched.
 */
export async function saveChoices(
  deps: ChoicesDeps,
  input: ChoicesInput,
  browser: BrowserChoices,
  gpc: boolean,
): Promise<BrowserChoices> {
  const { db, kernel } = deps;
  const now = deps.clock.now();
  const at = now.toISOString();
  const byEmail = input.email ? (await findSubjectByEmail(db, kernel, input.email)).leadIds : [];
  const byPhone = input.phone
    ? await leadIdsByPhone(db, kernel.lookupIndexes('phone', input.phone))
    : [];
  const withdrawal = (
    leadId: string,
    purpose: ConsentsTable['purpose'],
    channel: ConsentsTable['channel'],
    text: string,
  ): ConsentsTable => ({
    id: randomUUID(),
    subject_type: 'lead',
    subject_id: leadId,
    purpose,
    channel,
    granted: 0,
    at,
    form_id: CHOICES_FORM.id,
    form_version: CHOICES_FORM.version,
    text_shown: text,
    submission_id: null,
    policy_version: policyVersionNow(),
  });
  const who = { email: input.email, phone: input.phone };
  const channels: SuppressionChannel[] = [];
  await db.transaction().execute(async (trx) => {
    const rows: ConsentsTable[] = [];
    if (input.marketing) {
      channels.push('email_marketing');
      await suppress(trx, kernel, { email: input.email }, 'email_marketing', now);
      rows.push(
        ...byEmail.map((id) => withdrawal(id, 'marketing', 'email', choiceTexts.marketing)),
      );
    }
    if (input.sms) {
      channels.push('sms');
      await suppress(trx, kernel, { phone: input.phone }, 'sms', now);
      rows.push(
        ...byPhone.map((id) => withdrawal(id, 'sms_communication', 'sms', choiceTexts.sms)),
      );
    }
    if (input.advertising && (input.email || input.phone)) {
      channels.push('advertising');
      await suppress(trx, kernel, who, 'advertising', now);
    }
    if (input.sensitive) {
      channels.push('sensitive_limit');
      await suppress(trx, kernel, who, 'sensitive_limit', now);
    }
    await repo.insertConsents(trx, rows);
    if (channels.length > 0) {
      const detail = {
        event: 'opt_out',
        channels: channels.join(','),
        records: new Set([...byEmail, ...byPhone]).size,
      };
      await appendAudit(
        trx,
        { actor: { kind: 'anonymous' }, action: 'privacy_request', detail },
        now,
      );
    }
  });
  return nextBrowserChoices(input, browser, gpc);
}

/** This browser's settings after the form; under GPC advertising stays off whatever was chosen. */
function nextBrowserChoices(
  input: ChoicesInput,
  browser: BrowserChoices,
  gpc: boolean,
): BrowserChoices {
  const next = { ...browser };
  if (input.analyticsCookies)
    next.analytics = input.analyticsCookies === 'allow' ? 'granted' : 'denied';
  if (input.advertisingCookies)
    next.advertising = input.advertisingCookies === 'allow' ? 'granted' : 'denied';
  if (input.advertising) next.advertising = 'denied';
  if (gpc) next.advertising = 'denied';
  return next;
}
