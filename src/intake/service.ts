import { randomUUID } from 'node:crypto';
import type { Clock } from '../adapters/clock.js';
import type { Config } from '../config/env.js';
import type { SiteConfig } from '../config/site.js';
import type { Db } from '../db/database.js';
import { createCommitGroup } from '../db/group-commit.js';
import { isUniqueViolation } from '../db/errors.js';
import type { Kernel } from '../privacy/kernel.js';
import { clickIdFields, mayKeepClickIds } from '../privacy/opt-out-effects.js';
import { policyVersionNow } from '../privacy/consent.js';
import type { ConsentsTable, LeadSubmissionsTable } from '../db/schema.js';
import { enqueue } from '../outbox/repository.js';
import { invalid } from '../web/errors.js';
import { consentTexts, INTAKE_FORM } from './consent-text.js';
import { campaignTags, type IntakeBody } from './fields.js';
import { createFormTokens, expiredFormMessage } from '../web/form-token.js';
import { findHealthData, type HealthFlag } from './health-data.js';
import * as repo from '../leads/records.js';

export interface IntakeDeps {
  db: Db;
  clock: Clock;
  config: Config;
  site: SiteConfig;
  secret: string;
  /** Seals contact fields and computes the blind index a returning email is found by. */
  kernel: Kernel;
  /** Runs after a commit that queued mail, so the worker sends it now. */
  onCommit?: () => void;
}

export type SubmitResult =
  | { kind: 'accepted'; leadId: string; repeat: boolean }
  | { kind: 'health_flagged'; flags: HealthFlag[] }
  | { kind: 'dropped' };

export function createIntakeService(deps: IntakeDeps) {
  const tokens = createFormTokens(deps.secret);
  const texts = consentTexts(deps.site);
  // Submissions arriving together share one SQLite commit; each still succeeds or fails alone.
  const commits = createCommitGroup(deps.db);

  /** `gpc`: the request carried Global Privacy Control, so no advertising click id is kept. */
  async function submit(input: IntakeBody, signals: { gpc?: boolean } = {}): Promise<SubmitResult> {
    const now = deps.clock.now();
    const check = tokens.check(input.formToken, now);
    if (!check.ok) throw invalid(expiredFormMessage);
    // Bots fill the hidden field; they get the thank-you page and nothing is stored.
    if (input.website) return { kind: 'dropped' };
    if (now.getTime() - check.token.renderedAt < deps.config.intake.minFillMs) {
      throw invalid(
        'That was quicker than a person can fill in this form. Please check your details and send it again.',
      );
    }
    const earlier = await repo.findSubmissionByKey(deps.db, check.token.key);
    if (earlier) return { kind: 'accepted', leadId: earlier.lead_id, repeat: true };

    const flags = findHealthData(input.needs);
    if (flags.length > 0 && !input.confirmNoHealthInfo) return { kind: 'health_flagged', flags };

    try {
      return await store(input, check.token.key, now, signals.gpc === true);
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      // A concurrent double submit or a new lead racing its twin: the other transaction won.
      const again = await repo.findSubmissionByKey(deps.db, check.token.key);
      if (again) return { kind: 'accepted', leadId: again.lead_id, repeat: true };
      return store(input, check.token.key, now, signals.gpc === true);
    }
  }

  async function store(
    input: IntakeBody,
    key: string,
    now: Date,
    gpc: boolean,
  ): Promise<SubmitResult> {
    const at = now.toISOString();
    const { kernel } = deps;
    const emailIndexes = kernel.lookupIndexes('email', input.email);
    const result = await commits.run(async (trx) => {
      // Only the same address (normalised) is the same person: their own lead takes the newest
      // details. Any other address is a new lead, so no one can attach to someone else's record.
      const existing = await repo.findLeadByEmail(trx, emailIndexes);
      const leadId = existing?.id ?? randomUUID();
      const details = kernel.seal('leads', {
        user_type: input.userType,
        name: input.name,
        organization: input.organization,
        practice_size: input.practiceSize,
        address: input.address,
        city: input.city,
        state: input.state,
        zip: input.zip,
        needs: input.needs,
        email: input.email,
        email_index: kernel.index('email', input.email),
        // No number unless the person asked for texts: an empty (sealed) value, no index.
        phone: input.phone ?? '',
        phone_index: input.phone ? kernel.index('phone', input.phone) : null,
      });
      if (existing) {
        await repo.updateLead(trx, leadId, { ...details, updated_at: at, last_activity_at: at });
      } else {
        await repo.insertLead(trx, {
          id: leadId,
          created_at: at,
          updated_at: at,
          last_activity_at: at,
          status: 'new',
          ...details,
        });
      }
      const submissionId = randomUUID();
      const confirm = await shouldConfirm(trx, existing?.id, now);
      const who = { email: input.email, phone: input.phone };
      const clickIds = await mayKeepClickIds(trx, kernel, who, gpc);
      await repo.insertSubmission(
        trx,
        kernel.seal(
          'lead_submissions',
          submissionRow(input, { id: submissionId, leadId, key, at }, clickIds),
        ),
      );
      await repo.insertEvent(trx, {
        lead_id: leadId,
        at,
        kind: existing ? 'resubmitted' : 'submitted',
        submission_id: submissionId,
      });
      await repo.insertConsents(trx, consentRows(input, leadId, submissionId, at));
      await enqueue(
        trx,
        'lead_notification',
        // The lead and the event only: a patient's category would hint at their health.
        { leadId, event: existing ? 'resubmitted' : 'new' },
        now,
      );
      // The sender's own confirmation, queued with the submission so neither goes without the other.
      if (confirm) await enqueue(trx, 'intake_confirmation', { submissionId }, now);
      return { kind: 'accepted' as const, leadId, repeat: existing !== undefined };
    });
    deps.onCommit?.();
    return result;
  }

  function consentRows(
    input: IntakeBody,
    leadId: string,
    submissionId: string,
    at: string,
  ): ConsentsTable[] {
    const base = {
      subject_type: 'lead' as const,
      subject_id: leadId,
      granted: 1,
      at,
      form_id: INTAKE_FORM.id,
      form_version: INTAKE_FORM.version,
      submission_id: submissionId,
      policy_version: policyVersionNow(),
    };
    const rows: ConsentsTable[] = [];
    if (input.consentMarketing) {
      rows.push({
        ...base,
        id: randomUUID(),
        purpose: 'marketing',
        channel: 'email',
        text_shown: texts.marketing,
      });
    }
    if (input.consentSms) {
      rows.push({
        ...base,
        id: randomUUID(),
        purpose: 'sms_communication',
        channel: 'sms',
        text_shown: texts.sms,
      });
    }
    return rows;
  }

  /** The form with this token was stored already: sending it again changes nothing. */
  async function alreadyAccepted(formToken: unknown): Promise<boolean> {
    if (typeof formToken !== 'string') return false;
    const check = tokens.check(formToken, deps.clock.now());
    return check.ok && (await repo.findSubmissionByKey(deps.db, check.token.key)) !== undefined;
  }

  return {
    alreadyAccepted,
    issueToken: () => tokens.issue(deps.clock.now()),
    consentTexts: texts,
    submit,
  };
}

export type IntakeService = ReturnType<typeof createIntakeService>;

const DAY_MS = 24 * 3600_000;

/**
 * One confirmation a day per address: a person writing again the same day knows we have it,
 * and the form cannot be used to fill a stranger's inbox with our confirmations.
 */
async function shouldConfirm(trx: Db, leadId: string | undefined, now: Date): Promise<boolean> {
  if (!leadId) return true;
  const last = await repo.lastSubmissionAt(trx, leadId);
  return !last || now.getTime() - Date.parse(last) >= DAY_MS;
}

function submissionRow(
  input: IntakeBody,
  ids: { id: string; leadId: string; key: string; at: string },
  keepClickIds: boolean,
): LeadSubmissionsTable {
  const tags = Object.fromEntries(campaignTags.map((t) => [t, input[t] || null])) as Record<
    (typeof campaignTags)[number],
    string | null
  >;
  if (!keepClickIds) for (const f of clickIdFields) tags[f] = null;
  return {
    id: ids.id,
    lead_id: ids.leadId,
    created_at: ids.at,
    idempotency_key: ids.key,
    form_id: INTAKE_FORM.id,
    form_version: INTAKE_FORM.version,
    user_type: input.userType,
    name: input.name,
    organization: input.organization,
    practice_size: input.practiceSize,
    address: input.address,
    city: input.city,
    state: input.state,
    zip: input.zip,
    email: input.email,
    phone: input.phone ?? '',
    needs: input.needs,
    health_confirmed: input.confirmNoHealthInfo ? 1 : 0,
    referrer: cleanReferrer(input.referrer),
    ...tags,
  };
}

/** Origin and path only: a referring URL's query string can carry personal or health data. */
export function cleanReferrer(ref: string | undefined): string | null {
  if (!ref) return null;
  try {
    const u = new URL(ref);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
    return `${u.origin}${u.pathname}`.slice(0, 500);
  } catch {
    return null;
  }
}
