import { randomUUID } from 'node:crypto';
import type { Clock } from '../../adapters/clock.js';
import type { StaffUser } from '../../accounts/service.js';
import { demand } from '../../console/permissions.js';
import type { Db } from '../../db/database.js';
import type { IncidentsTable } from '../../db/schema.js';
import { enqueue } from '../../outbox/repository.js';
import { dataMap } from '../../privacy/data-map.js';
import {
  categories as categoryNames,
  type Category,
  type Subject,
} from '../../privacy/vocabulary.js';
import { conflict, invalid, notFound, type FieldErrors } from '../../web/errors.js';
import { appendAudit, type AuditActor } from '../log.js';
import { addCalendarDays, calendarDay, calendarDaysBetween } from '../../adapters/dates.js';
import { deadlineFor, LEGAL_NOTICE_DAYS, reminderDue } from './deadline.js';
import * as repo from './repository.js';

export interface IncidentInput {
  summary: string;
  discoveredOn: string;
  categories: Category[];
  windowStart?: string | undefined;
  windowEnd?: string | undefined;
  contractDays?: number | undefined;
}

export type Incident = NonNullable<Awaited<ReturnType<typeof repo.findIncident>>>;

/** Tables and columns that hold the chosen categories, read from the data map. */
export function tablesHolding(chosen: readonly string[]) {
  const out: { table: string; columns: string[]; subjects: Subject[] }[] = [];
  for (const [table, fields] of Object.entries(dataMap)) {
    const columns: string[] = [];
    const subjects = new Set<Subject>();
    for (const [column, f] of Object.entries(fields)) {
      if (!f.personal || !chosen.includes(f.category)) continue;
      columns.push(column);
      for (const s of f.subjects) subjects.add(s);
    }
    if (columns.length > 0) out.push({ table, columns, subjects: [...subjects] });
  }
  return out;
}

export const parseCategories = (json: string): Category[] =>
  (JSON.parse(json) as string[]).filter((c): c is Category => c in categoryNames);

export function createIncidentService(deps: { db: Db; clock: Clock; onCommit?: () => void }) {
  const { db, clock } = deps;

  function checked(input: IncidentInput, now: Date) {
    const today = calendarDay(now);
    const errors: FieldErrors = {};
    if (!input.summary.trim()) errors.summary = 'Describe what happened.';
    if (input.discoveredOn > today)
      errors.discoveredOn = 'The discovery date cannot be in the future.';
    if (input.categories.length === 0)
      errors.categories = 'Choose at least one kind of data involved.';
    if (input.windowStart && input.windowEnd && input.windowStart > input.windowEnd) {
      errors.windowEnd = 'The window ends before it starts. Choose an end on or after the start.';
    }
    const days = input.contractDays;
    if (days !== undefined && (days < 1 || days >= LEGAL_NOTICE_DAYS)) {
      errors.contractDays = `A contract deadline must be 1 to ${LEGAL_NOTICE_DAYS - 1} days; leave it empty for the legal ${LEGAL_NOTICE_DAYS}.`;
    }
    if (Object.keys(errors).length > 0)
      throw invalid('Please correct the highlighted fields.', errors);
    return {
      summary: input.summary.trim(),
      discovered_on: input.discoveredOn,
      categories: JSON.stringify([...new Set(input.categories)].sort()),
      window_start: input.windowStart ?? null,
      window_end: input.windowEnd ?? null,
      contract_days: days ?? null,
      deadline_on: deadlineFor(input.discoveredOn, days ?? null),
      updated_at: now.toISOString(),
    };
  }

  const audited = (
    staff: StaffUser,
    id: string,
    event: string,
    fields: { categories: string; deadline_on: string },
  ) => ({
    actor: { kind: 'staff', id: staff.id } satisfies AuditActor,
    action: 'incident' as const,
    target: { type: 'incident', id },
    detail: {
      event,
      categories: parseCategories(fields.categories).join(','),
      deadline: fields.deadline_on,
    },
  });

  async function open(staff: StaffUser, input: IncidentInput): Promise<string> {
    demand(staff, 'incidents.manage');
    const now = clock.now();
    const fields = checked(input, now);
    const row: IncidentsTable = {
      id: randomUUID(),
      ...fields,
      status: 'open',
      opened_by: staff.id,
      opened_at: now.toISOString(),
      closed_by: null,
      closed_at: null,
    };
    await db.transaction().execute(async (trx) => {
      await repo.insertIncident(trx, row);
      await appendAudit(trx, audited(staff, row.id, 'opened', row), now);
    });
    return row.id;
  }

  async function update(staff: StaffUser, id: string, input: IncidentInput): Promise<void> {
    demand(staff, 'incidents.manage');
    const now = clock.now();
    const fields = checked(input, now);
    await db.transaction().execute(async (trx) => {
      if (!(await repo.findIncident(trx, id))) throw notFound('That incident');
      if (!(await repo.updateOpenIncident(trx, id, fields))) throw closedAlready();
      await appendAudit(trx, audited(staff, id, 'updated', fields), now);
    });
  }

  async function close(staff: StaffUser, id: string): Promise<void> {
    demand(staff, 'incidents.manage');
    const now = clock.now();
    await db.transaction().execute(async (trx) => {
      const incident = await repo.findIncident(trx, id);
      if (!incident) throw notFound('That incident');
      if (!(await repo.closeIncident(trx, id, staff.id, now.toISOString()))) throw closedAlready();
      await appendAudit(trx, audited(staff, id, 'closed', incident), now);
    });
  }

  async function list(staff: StaffUser) {
    demand(staff, 'incidents.manage');
    const today = calendarDay(clock.now());
    const rows = await repo.listIncidents(db);
    return rows.map((r) => ({ ...r, daysLeft: calendarDaysBetween(today, r.deadline_on) }));
  }

  async function detail(staff: StaffUser, id: string) {
    demand(staff, 'incidents.manage');
    const incident = await repo.findIncident(db, id);
    if (!incident) throw notFound('That incident');
    const window = {
      from: incident.window_start ? `${incident.window_start}T00:00:00.000Z` : undefined,
      until: incident.window_end
        ? `${addCalendarDays(incident.window_end, 1)}T00:00:00.000Z`
        : undefined,
    };
    const [exposed, disclosed, reminders] = await Promise.all([
      repo.exposedLeads(db, window),
      repo.disclosedLeads(db, window),
      repo.remindersFor(db, id),
    ]);
    const inLedger = new Set(disclosed);
    const affected = exposed.map((e) => ({ ...e, disclosed: inLedger.delete(e.leadId) }));
    for (const leadId of inLedger)
      affected.push({ leadId, entries: 0, firstAt: null, lastAt: null, disclosed: true });
    const chosen = parseCategories(incident.categories);
    return {
      incident: { ...incident, categories: chosen },
      daysLeft: calendarDaysBetween(calendarDay(clock.now()), incident.deadline_on),
      affected,
      tables: tablesHolding(chosen),
      reminders,
    };
  }

  /**
   * Queues the reminder emails that are due: 14 and 3 days before each open incident's
   * deadline. Safe to run twice or on two instances at once: each reminder is claimed by its key
   * in the same transaction that queues the email, so only one claim (and one email) wins.
   */
  async function dueIncidentReminders(now: Date = clock.now()): Promise<number> {
    const today = calendarDay(now);
    let queued = 0;
    for (const incident of await repo.openDeadlines(db)) {
      const due = reminderDue(calendarDaysBetween(today, incident.deadline_on));
      if (due === undefined) continue;
      const claimed = await db.transaction().execute(async (trx) => {
        const row = {
          incident_id: incident.id,
          days_before: due,
          deadline_on: incident.deadline_on,
        };
        if (!(await repo.claimReminder(trx, { ...row, enqueued_at: now.toISOString() })))
          return false;
        const payload = {
          incidentId: incident.id,
          daysBefore: String(due),
          deadline: incident.deadline_on,
        };
        await enqueue(trx, 'incident_reminder', payload, now);
        return true;
      });
      if (claimed) queued++;
    }
    if (queued > 0) deps.onCommit?.();
    return queued;
  }

  return { open, update, close, list, detail, dueIncidentReminders };
}

export type IncidentService = ReturnType<typeof createIncidentService>;
export type IncidentDetail = Awaited<ReturnType<IncidentService['detail']>>;
export type IncidentList = Awaited<ReturnType<IncidentService['list']>>;

const closedAlready = () => conflict('This incident is closed, so it can no longer be changed.');
