import type { StaffUser } from '../accounts/service.js';
import { demand } from '../console/permissions.js';
import type { Db } from '../db/database.js';
import { viewFor } from '../privacy/access.js';
import { invalid } from '../web/errors.js';
import type { AuditAction } from './log.js';
import * as repo from './repository.js';

export const AUDIT_PAGE_SIZE = 50;
const DAY_MS = 86_400_000;

/** The filter as the console form sends it: dates as YYYY-MM-DD, actor as an email or an id. */
export interface AuditQuery {
  action?: AuditAction | undefined;
  actor?: string | undefined;
  target?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  before?: number | undefined;
  after?: number | undefined;
}

export function createAuditService(deps: { db: Db }) {
  const { db } = deps;

  // Staff are found by email because that is what a privacy officer knows; the log itself
  // holds only ids. An email with no account matches nothing rather than everything.
  async function actorId(actor: string | undefined): Promise<string | null | undefined> {
    if (!actor) return undefined;
    if (!actor.includes('@')) return actor;
    return (await repo.staffIdByEmail(db, actor.toLowerCase())) ?? null;
  }

  async function listEntries(staff: StaffUser, query: AuditQuery) {
    demand(staff, 'audit.read');
    const { from, until } = dateRange(query.from, query.to);
    const actor = await actorId(query.actor);
    const filter: repo.AuditFilter = {
      action: query.action,
      actorId: actor ?? undefined,
      targetId: query.target,
      from,
      until,
    };
    const cursor = { before: query.before, after: query.after };
    const rows = actor === null ? [] : await repo.listEntries(db, filter, cursor, AUDIT_PAGE_SIZE);
    const more = rows.length > AUDIT_PAGE_SIZE;
    const page =
      query.after !== undefined ? rows.slice(more ? 1 : 0) : rows.slice(0, AUDIT_PAGE_SIZE);
    return {
      // Who did it is accountability, which the data map files under security.
      rows: page.map(({ staff_email, ...r }) => ({
        ...r,
        staff_email:
          staff_email === null
            ? null
            : viewFor('staff_users', { email: staff_email }, 'security').email,
      })),
      unknownActor: actor === null,
      newer:
        page.length > 0 && (query.after !== undefined ? more : query.before !== undefined)
          ? page[0]!.seq
          : undefined,
      older:
        page.length > 0 && (query.after !== undefined || more)
          ? page[page.length - 1]!.seq
          : undefined,
    };
  }

  return { listEntries };
}

export type AuditService = ReturnType<typeof createAuditService>;
export type AuditList = Awaited<ReturnType<AuditService['listEntries']>>;

/** Whole UTC days, both ends included; a range that ends before it starts is a mistake to name. */
export function dateRange(from: string | undefined, to: string | undefined) {
  const start = from ? Date.parse(`${from}T00:00:00.000Z`) : undefined;
  const end = to ? Date.parse(`${to}T00:00:00.000Z`) + DAY_MS : undefined;
  if (start !== undefined && end !== undefined && start >= end) {
    throw invalid(
      'The “from” date is after the “to” date. Choose a “from” date on or before the “to” date.',
    );
  }
  return {
    from: start === undefined ? undefined : new Date(start).toISOString(),
    until: end === undefined ? undefined : new Date(end).toISOString(),
  };
}
