import type { StaffUser } from '../accounts/service.js';
import type { Clock } from '../adapters/clock.js';
import { appendAudit } from '../audit/log.js';
import { demand } from '../console/permissions.js';
import type { Db } from '../db/database.js';
import type { LeadsTable } from '../db/schema.js';
import { correctLeads, otherLeadWithEmail } from '../leads/records.js';
import { enqueue } from '../outbox/repository.js';
import { addDays, EXTENSION_DAYS } from './deadlines.js';
import type { CorrectableField } from './fields.js';
import * as repo from './repository.js';
import type { Kernel } from '../privacy/kernel.js';
import { erasurePlan } from '../privacy/erasure-plan.js';
import { eraseSubject } from '../privacy/subject-data.js';
import { conflict, invalid, notFound } from '../web/errors.js';

export interface RequestQueueDeps {
  db: Db;
  clock: Clock;
  kernel: Kernel;
  onCommit?: (() => void) | undefined;
}

export const REASON_MIN = 10;
export const REASON_MAX = 1000;
const target = (id: string) => ({ type: 'privacy_request', id });

/** The privacy officer's side of a request: the queue, its deadlines and the four answers. */
export function createRequestQueue(deps: RequestQueueDeps) {
  const { db, clock, kernel } = deps;

  async function load(staff: StaffUser, id: string) {
    demand(staff, 'privacy_requests.read');
    const row = await repo.requestById(db, id);
    if (!row || row.status === 'unverified') throw notFound('That request');
    return row;
  }

  async function list(staff: StaffUser) {
    demand(staff, 'privacy_requests.read');
    return {
      open: await repo.listRequests(db, true),
      closed: await repo.listRequests(db, false, 50),
      now: clock.now(),
    };
  }

  /** One request, with the address and corrected value opened for the legal purpose only. */
  async function detail(staff: StaffUser, id: string) {
    const row = await load(staff, id);
    const [shown] = kernel.reveal(
      'privacy_requests',
      [{ email: row.email, correction_value: row.correction_value }],
      'legal',
    );
    // The officer sees the requester's address: a read of a person's record like any other.
    await appendAudit(
      db,
      {
        actor: { kind: 'staff', id: staff.id },
        action: 'record_read',
        target: target(id),
        purpose: 'legal',
        detail: { view: 'privacy_request' },
      },
      clock.now(),
    );
    // An open deletion shows what it would delete, pseudonymise and keep before anyone confirms.
    const plan =
      row.kind === 'deletion' && row.status === 'verified'
        ? await erasurePlan(db, kernel, JSON.parse(row.lead_ids) as string[])
        : null;
    return {
      row,
      email: shown?.email,
      correctionValue: shown?.correction_value,
      plan,
      now: clock.now(),
    };
  }

  function checkReason(reason: string, what: string): string {
    const r = reason.trim();
    if (r.length < REASON_MIN)
      throw invalid(
        `Give the reason for the ${what}: the person is told it. At least ${REASON_MIN} characters.`,
        { reason: 'Write the reason in a sentence.' },
      );
    if (r.length > REASON_MAX)
      throw invalid(`Keep the reason to ${REASON_MAX} characters.`, {
        reason: `At most ${REASON_MAX} characters.`,
      });
    return r;
  }

  /** Closes a verified request with an answer, queues the answer to the person, audits it. */
  async function close(
    staff: StaffUser,
    id: string,
    changes: repo.RequestChanges,
    event: string,
    detail: Record<string, string | number>,
    extra?: (trx: Db) => Promise<void>,
  ) {
    const now = clock.now();
    await db.transaction().execute(async (trx) => {
      await extra?.(trx);
      const at = now.toISOString();
      const ok = await repo.updateRequest(
        trx,
        id,
        { ...changes, responded_at: at, closed_at: at, handled_by: staff.id },
        ['verified'],
      );
      if (!ok) throw conflict('This request was answered by someone else meanwhile.');
      await enqueue(trx, 'privacy_response', { requestId: id, event }, now);
      await appendAudit(
        trx,
        {
          actor: { kind: 'staff', id: staff.id },
          action: 'privacy_request',
          target: target(id),
          detail: { event, ...detail },
        },
        now,
      );
    });
    deps.onCommit?.();
  }

  async function deny(staff: StaffUser, id: string, reason: string) {
    demand(staff, 'privacy_requests.act');
    const why = checkReason(reason, 'denial');
    const row = await load(staff, id);
    if (row.status !== 'verified') throw conflict('This request is already closed.');
    await close(
      staff,
      id,
      { status: 'denied', response: 'denied', denial_reason: why },
      'denied',
      {},
    );
  }

  /** One extension of 45 days, with its notice sent before the first deadline passes. */
  async function extend(staff: StaffUser, id: string, reason: string) {
    demand(staff, 'privacy_requests.act');
    const why = checkReason(reason, 'extension');
    const row = await load(staff, id);
    const now = clock.now();
    if (row.status !== 'verified') throw conflict('This request is already closed.');
    if (row.extended_at)
      throw conflict('This request was already extended once; the law allows one extension.');
    if (now.toISOString() >= row.due_at)
      throw conflict(
        'The first deadline has passed: an extension must be noticed to the person before it. Answer the request now.',
      );
    const due = addDays(new Date(row.due_at), EXTENSION_DAYS).toISOString();
    await db.transaction().execute(async (trx) => {
      const ok = await repo.updateRequest(
        trx,
        id,
        { due_at: due, extended_at: now.toISOString(), extension_reason: why },
        ['verified'],
      );
      if (!ok) throw conflict('This request was answered by someone else meanwhile.');
      await enqueue(trx, 'privacy_response', { requestId: id, event: 'extended' }, now);
      await appendAudit(
        trx,
        {
          actor: { kind: 'staff', id: staff.id },
          action: 'privacy_request',
          target: target(id),
          detail: { event: 'extended', due },
        },
        now,
      );
    });
    deps.onCommit?.();
  }

  async function completeDeletion(staff: StaffUser, id: string) {
    demand(staff, 'privacy_requests.act');
    const row = await load(staff, id);
    if (row.kind !== 'deletion' || row.status !== 'verified')
      throw conflict('Only an open deletion request can be completed.');
    const leadIds = JSON.parse(row.lead_ids) as string[];
    const result = await eraseSubject(
      db,
      kernel,
      { leadIds },
      { actor: { kind: 'staff', id: staff.id }, at: clock.now() },
    );
    if (!result.erased)
      throw conflict(
        `The deletion was refused: ${result.reason} Deny the request with that reason, or resolve it and try again.`,
      );
    const total = Object.values(result.counts).reduce((a, b) => a + b, 0);
    await close(staff, id, { status: 'completed', response: 'deleted' }, 'deleted', {
      records: total,
    });
  }

  async function applyCorrection(staff: StaffUser, id: string) {
    demand(staff, 'privacy_requests.act');
    const row = await load(staff, id);
    if (row.kind !== 'correction' || row.status !== 'verified')
      throw conflict('Only an open correction request can be applied.');
    const field = row.correction_field as CorrectableField;
    if (field === 'email' && !row.new_email_confirmed_at)
      throw conflict(
        'The new email address has not been confirmed yet. Wait for the person to confirm it, or deny the request with a reason.',
      );
    const { correction_value: value } = kernel.open('privacy_requests', {
      correction_value: row.correction_value ?? '',
    });
    const leadIds = JSON.parse(row.lead_ids) as string[];
    const at = clock.now().toISOString();
    let change: Partial<LeadsTable> = kernel.seal('leads', { [field]: value, updated_at: at });
    // An email address is one lead; a phone number is no key and may be shared (decision 017).
    if (field === 'email') {
      const other = await otherLeadWithEmail(db, kernel.lookupIndexes(field, value), leadIds);
      if (other)
        throw conflict(
          'Another record already uses that email address, so the correction cannot be applied as asked. Deny it with that reason.',
        );
    }
    if (field === 'email' || field === 'phone')
      change = { ...change, [`${field}_index`]: kernel.index(field, value) };
    await close(
      staff,
      id,
      { status: 'completed', response: 'corrected' },
      'corrected',
      { field },
      async (trx) => {
        await correctLeads(trx, leadIds, change);
      },
    );
  }

  /** Access is answered on verification; this mails the report link again while it works. */
  async function resendReport(staff: StaffUser, id: string) {
    demand(staff, 'privacy_requests.act');
    const row = await load(staff, id);
    const now = clock.now();
    if (
      row.kind !== 'access' ||
      row.response !== 'report_provided' ||
      !row.report_until ||
      row.report_until <= now.toISOString()
    ) {
      throw conflict(
        'The report link can be sent again only for an answered access request, while its link works.',
      );
    }
    await db.transaction().execute(async (trx) => {
      await enqueue(trx, 'privacy_response', { requestId: id, event: 'report' }, now);
      await appendAudit(
        trx,
        {
          actor: { kind: 'staff', id: staff.id },
          action: 'privacy_request',
          target: target(id),
          detail: { event: 'report_link_sent' },
        },
        now,
      );
    });
    deps.onCommit?.();
  }

  return { list, detail, deny, extend, completeDeletion, applyCorrection, resendReport };
}

export type RequestQueue = ReturnType<typeof createRequestQueue>;
