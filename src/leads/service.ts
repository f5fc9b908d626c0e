import type { Clock } from '../adapters/clock.js';
import type { StaffUser } from '../accounts/service.js';
import { appendAudit } from '../audit/log.js';
import type { Db } from '../db/database.js';
import type { LeadStatus, UserType } from '../db/schema.js';
import type { Kernel } from '../privacy/kernel.js';
import type { Purpose } from '../privacy/vocabulary.js';
import { conflict, invalid, notFound } from '../web/errors.js';
import { can, demand } from '../console/permissions.js';
import * as repo from './repository.js';
import type { LeadFilter } from './repository.js';

export const leadStatuses = [
  'new',
  'contacted',
  'qualified',
  'won',
  'lost',
] as const satisfies readonly LeadStatus[];
export const userTypes = ['patient', 'provider', 'partner'] as const satisfies readonly UserType[];
export const PAGE_SIZE = 50;

/** The sales pipeline: where a lead may go from each stage. Won is final; lost can be reopened. */
export const transitions: Record<LeadStatus, readonly LeadStatus[]> = {
  new: ['contacted', 'lost'],
  contacted: ['qualified', 'lost'],
  qualified: ['won', 'lost'],
  won: [],
  lost: ['contacted'],
};

export type { Shown } from '../privacy/kernel.js';

export function createConsoleService(deps: { db: Db; clock: Clock; kernel: Kernel }) {
  const { db } = deps;
  // Every value staff see passes the kernel: sealed fields opened, refused ones masked.
  const viewFor = <T extends object>(table: string, row: T, purpose: Purpose) =>
    deps.kernel.reveal(table, [row], purpose)[0]!;

  // Leads are read to answer the person's own request; that purpose excludes the phone number.
  async function listLeads(staff: StaffUser, filter: LeadFilter, page: number) {
    demand(staff, 'leads.read');
    const [rows, total] = await Promise.all([
      repo.listLeads(db, filter, PAGE_SIZE, (page - 1) * PAGE_SIZE),
      repo.countLeads(db, filter),
    ]);
    // A list shows names and organisations: each person on the page was read, and an incident
    // review must be able to find them, so each gets its own entry.
    const at = deps.clock.now();
    await db.transaction().execute(async (trx) => {
      for (const r of rows) {
        const target = { type: 'lead', id: r.id };
        await appendAudit(
          trx,
          {
            actor: { kind: 'staff', id: staff.id },
            action: 'record_read',
            target,
            purpose: 'service_request',
            detail: { view: 'lead_list' },
          },
          at,
        );
      }
    });
    return {
      rows: rows.map((r) => viewFor('leads', r, 'service_request')),
      total,
      page,
      pageCount: Math.max(1, Math.ceil(total / PAGE_SIZE)),
    };
  }

  async function leadDetail(staff: StaffUser, id: string) {
    demand(staff, 'leads.read');
    const lead = await repo.findLead(db, id);
    if (!lead) throw notFound('That lead');
    // Every staff read of a person's record is logged with its purpose (policy: audit log).
    await appendAudit(
      db,
      {
        actor: { kind: 'staff', id: staff.id },
        action: 'record_read',
        target: { type: 'lead', id },
        purpose: 'service_request',
        detail: { view: 'lead_detail' },
      },
      deps.clock.now(),
    );
    const [consents, submissions, events, sameOrganization] = await Promise.all([
      repo.findConsents(db, id),
      repo.findSubmissions(db, id),
      repo.findEvents(db, id),
      repo.sameOrganization(db, id, lead.organization),
    ]);
    return {
      lead: viewFor('leads', lead, 'service_request'),
      // Consent records are proof of what the person agreed to; staff read them to honour that
      // choice before any contact, which the data map files under the legal purpose.
      consents: consents.map((c) => viewFor('consents', c, 'legal')),
      submissions: submissions.map((s) => viewFor('lead_submissions', s, 'service_request')),
      // Who changed a lead is accountability, read for security as the data map allows.
      events: events.map(({ staff_email, ...e }) => ({
        ...viewFor('lead_events', e, 'service_request'),
        staff_email:
          staff_email === null
            ? null
            : viewFor('staff_users', { email: staff_email }, 'security').email,
      })),
      // A suggestion only: a lead is one email address, and other leads are never merged into it.
      sameOrganization,
      nextStatuses: can(staff, 'leads.update_status') ? transitions[lead.status] : [],
    };
  }

  async function changeStatus(staff: StaffUser, id: string, to: LeadStatus) {
    demand(staff, 'leads.update_status');
    const at = deps.clock.now().toISOString();
    await db.transaction().execute(async (trx) => {
      const lead = await repo.findLeadStatus(trx, id);
      if (!lead) throw notFound('That lead');
      const allowed = transitions[lead.status];
      if (!allowed.includes(to)) throw invalid(refusedMove(lead.status, to, allowed));
      if (!(await repo.moveStatus(trx, { id, from: lead.status, to, at }))) {
        throw conflict(
          'Someone else changed this lead at the same moment. Reload the page and try again.',
        );
      }
      await repo.insertStatusEvent(trx, {
        lead_id: id,
        at,
        staff_user_id: staff.id,
        from: lead.status,
        to,
      });
    });
  }

  return { listLeads, leadDetail, changeStatus };
}

export type ConsoleService = ReturnType<typeof createConsoleService>;
export type LeadDetail = Awaited<ReturnType<ConsoleService['leadDetail']>>;
export type LeadList = Awaited<ReturnType<ConsoleService['listLeads']>>;

function refusedMove(from: LeadStatus, to: LeadStatus, allowed: readonly LeadStatus[]): string {
  if (from === to) return `This lead is already ${from}.`;
  const options = allowed.length
    ? `From ${from} it can move to ${allowed.join(' or ')}.`
    : `${cap(from)} is final.`;
  return `A lead cannot move from ${from} to ${to}. ${options}`;
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
