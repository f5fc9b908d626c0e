import { randomUUID } from 'node:crypto';
import type { Clock } from '../adapters/clock.js';
import { appendAudit, type AuditActor } from '../audit/log.js';
import type { Db } from '../db/database.js';
import type {
  GpcApplicationsTable,
  PrivacyRequestChannel,
  PrivacyRequestTokensTable,
} from '../db/schema.js';
import { createFormTokens } from '../web/form-token.js';
import { enqueue } from '../outbox/repository.js';
import type { Kernel } from '../privacy/kernel.js';
import {
  buildAccessReport,
  findSubjectByEmail,
  type AccessReport,
} from '../privacy/subject-data.js';
import { invalid, notFound } from '../web/errors.js';
import { addDays, addHours, deadlinesFor, LINK_HOURS } from './deadlines.js';
import type { Correction, LoggedRequestInput, RequestInput } from './fields.js';
import { applyGpcToPerson } from './gpc.js';
import * as repo from './repository.js';
import { hashToken, newNonce, tokenFor, wellFormedToken } from './tokens.js';

export interface PrivacyCenterDeps {
  db: Db;
  clock: Clock;
  kernel: Kernel;
  secret: string;
  /** Days an access report stays readable behind its link (PRIVACY_REPORT_LINK_DAYS). */
  reportDays: number;
  /** Runs after a commit that queued mail, so the worker sends it now. */
  onCommit?: (() => void) | undefined;
}

export const expiredFormMessage =
  'This form has expired or did not come from our website. Please reload the page and send it again.';

const person: AuditActor = { kind: 'anonymous' };
const target = (id: string) => ({ type: 'privacy_request', id });

/** What a link opens, decided by the token's state; never says whether an address is on file. */
export type LinkState =
  | { kind: 'invalid' }
  | { kind: 'confirm'; request: repo.RequestRow }
  | { kind: 'confirm_email'; request: repo.RequestRow }
  | { kind: 'report'; request: repo.RequestRow }
  | { kind: 'status'; request: repo.RequestRow };

export function createPrivacyCenter(deps: PrivacyCenterDeps) {
  const { db, kernel, clock } = deps;
  const formTokens = createFormTokens(deps.secret);

  async function newLink(
    trx: Db,
    requestId: string,
    purpose: PrivacyRequestTokensTable['purpose'],
    now: Date,
  ) {
    const nonce = newNonce();
    await repo.insertToken(trx, {
      token_hash: hashToken(tokenFor(deps.secret, nonce)),
      request_id: requestId,
      purpose,
      nonce,
      created_at: now.toISOString(),
      expires_at: addHours(now, LINK_HOURS).toISOString(),
      used_at: null,
    });
  }

  /**
   * Stores the request and queues the verification mail, the same work whether or not the
   * address is on file: the lookup happens in the mail job, after the response has gone.
   */
  async function submitRequest(input: RequestInput): Promise<void> {
    const now = clock.now();
    if (!formTokens.check(input.formToken, now).ok) throw invalid(expiredFormMessage);
    if (input.website) return;
    await storeRequest(input, 'web', person, now);
  }

  /**
   * A request that reached us by phone, post or a plain email, taken down by staff. The 45 days
   * run from now, and the person confirms it by the same link to the address on file, so staff
   * never decide who someone is.
   */
  async function logRequest(input: LoggedRequestInput, staffId: string): Promise<string> {
    return storeRequest(input, input.channel, { kind: 'staff', id: staffId }, clock.now());
  }

  async function storeRequest(
    input: { kind: RequestInput['kind']; email: string; correction?: Correction | undefined },
    channel: PrivacyRequestChannel,
    actor: AuditActor,
    now: Date,
  ): Promise<string> {
    const id = randomUUID();
    const due = deadlinesFor(now);
    const correction = input.correction;
    await db.transaction().execute(async (trx) => {
      await repo.insertRequest(
        trx,
        kernel.seal(
          'privacy_requests',
          repo.arrivingRequest({
            id,
            created_at: now.toISOString(),
            kind: input.kind,
            channel,
            status: 'unverified',
            email: input.email,
            email_index: kernel.index('email', input.email),
            lead_ids: '[]',
            correction_field: correction?.field ?? null,
            correction_value: correction?.value ?? null,
            receipt_due_at: due.receiptDue.toISOString(),
            due_at: due.answerDue.toISOString(),
          }),
        ),
      );
      await newLink(trx, id, 'verify', now);
      await enqueue(trx, 'privacy_verify', { requestId: id, purpose: 'verify' }, now);
      await appendAudit(
        trx,
        {
          actor,
          action: 'privacy_request',
          target: target(id),
          detail: { event: 'received', kind: input.kind, channel },
        },
        now,
      );
    });
    deps.onCommit?.();
    return id;
  }

  async function linkState(token: string): Promise<LinkState> {
    if (!wellFormedToken(token)) return { kind: 'invalid' };
    const now = clock.now();
    const link = await repo.tokenByHash(db, hashToken(token));
    const request = link && (await repo.requestById(db, link.request_id));
    if (!link || !request) return { kind: 'invalid' };
    if (link.used_at === null) {
      if (link.expires_at <= now.toISOString()) return { kind: 'invalid' };
      return { kind: link.purpose === 'verify' ? 'confirm' : 'confirm_email', request };
    }
    const readable =
      request.kind === 'access' &&
      request.status === 'completed' &&
      request.response === 'report_provided';
    if (
      link.purpose === 'verify' &&
      readable &&
      request.report_until &&
      now.toISOString() < request.report_until
    ) {
      return { kind: 'report', request };
    }
    return { kind: 'status', request };
  }

  /** The person pressed "Confirm" on a link: verification (single use), or the new address confirmed. */
  async function confirm(
    token: string,
    signal: { gpc: boolean; overrode: GpcApplicationsTable['overrode'] },
  ): Promise<LinkState> {
    const state = await linkState(token);
    if (state.kind !== 'confirm' && state.kind !== 'confirm_email') return state;
    const now = clock.now();
    const { request } = state;
    const hash = hashToken(token);
    if (state.kind === 'confirm_email') {
      await db.transaction().execute(async (trx) => {
        if (!(await repo.useToken(trx, hash, now))) return;
        await repo.updateRequest(trx, request.id, { new_email_confirmed_at: now.toISOString() }, [
          'verified',
        ]);
        await appendAudit(
          trx,
          {
            actor: person,
            action: 'privacy_request',
            target: target(request.id),
            detail: { event: 'new_email_confirmed' },
          },
          now,
        );
      });
      return linkState(token);
    }
    const { email } = kernel.open('privacy_requests', { email: request.email ?? '' });
    const subject = await findSubjectByEmail(db, kernel, email);
    await db.transaction().execute(async (trx) => {
      if (!(await repo.useToken(trx, hash, now))) return;
      const access = request.kind === 'access';
      await repo.updateRequest(
        trx,
        request.id,
        {
          status: access ? 'completed' : 'verified',
          verified_at: now.toISOString(),
          lead_ids: JSON.stringify(subject.leadIds),
          receipt_sent_at: now.toISOString(),
          // Access is answered at once: the report is built from the data map, nothing to assemble.
          ...(access
            ? {
                response: 'report_provided' as const,
                responded_at: now.toISOString(),
                closed_at: now.toISOString(),
                report_until: addDays(now, deps.reportDays).toISOString(),
              }
            : {}),
        },
        ['unverified'],
      );
      await enqueue(trx, 'privacy_receipt', { requestId: request.id }, now);
      // Access is answered by the system; anything else waits for a privacy officer.
      if (!access)
        await enqueue(
          trx,
          'privacy_new_request',
          { requestId: request.id, due: request.due_at },
          now,
        );
      if (request.kind === 'correction' && request.correction_field === 'email') {
        await newLink(trx, request.id, 'confirm_email', now);
        await enqueue(
          trx,
          'privacy_verify',
          { requestId: request.id, purpose: 'confirm_email' },
          now,
        );
      }
      const detail = {
        event: 'verified',
        kind: request.kind,
        records: subject.leadIds.length,
        gpc: signal.gpc,
      };
      await appendAudit(
        trx,
        { actor: person, action: 'privacy_request', target: target(request.id), detail },
        now,
      );
      if (access) {
        await appendAudit(
          trx,
          {
            actor: person,
            action: 'privacy_request',
            target: target(request.id),
            detail: { event: 'answered', response: 'report_provided' },
          },
          now,
        );
      }
    });
    if (signal.gpc && subject.leadIds.length > 0) {
      await applyGpcToPerson(
        deps,
        { email },
        subject.leadIds,
        'verification',
        signal.overrode,
        now,
      );
    }
    deps.onCommit?.();
    return linkState(token);
  }

  /** The access report behind a verified link, built fresh from the data map. */
  async function report(
    token: string,
  ): Promise<{ request: repo.RequestRow; report: AccessReport }> {
    const state = await linkState(token);
    if (state.kind !== 'report') throw notFound('That report');
    const leadIds = JSON.parse(state.request.lead_ids) as string[];
    return {
      request: state.request,
      report: await buildAccessReport(db, kernel, { leadIds }, clock.now()),
    };
  }

  return {
    issueToken: () => formTokens.issue(clock.now()),
    submitRequest,
    logRequest,
    linkState,
    confirm,
    report,
  };
}

export type PrivacyCenter = ReturnType<typeof createPrivacyCenter>;
