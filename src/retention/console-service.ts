import type { Clock } from '../adapters/clock.js';
import type { StaffUser } from '../accounts/service.js';
import { appendAudit } from '../audit/log.js';
import { demand } from '../console/permissions.js';
import type { Db } from '../db/database.js';
import { viewFor } from '../privacy/access.js';
import { leadRecordsExist } from '../leads/records.js';
import { conflict, invalid, notFound } from '../web/errors.js';
import * as repo from './repository.js';
import type { RetentionRunner } from './service.js';

const DAY = 86_400_000;
/** How far ahead the console looks for records about to become due. */
export const LOOKAHEAD_DAYS = 30;

type HoldRow = Awaited<ReturnType<typeof repo.activeHolds>>[number];

/** Who placed and released a hold is accountability, read for security as the data map allows. */
const shownHold = ({ placed_by_email, released_by_email, ...h }: HoldRow) => ({
  ...h,
  placed_by: placed_by_email
    ? viewFor('staff_users', { email: placed_by_email }, 'security').email
    : null,
  released_by: released_by_email
    ? viewFor('staff_users', { email: released_by_email }, 'security').email
    : null,
});
export type ShownHold = ReturnType<typeof shownHold>;

/** The console's view of retention: what is due, the holds that stop it, and the runs. */
export function createRetentionConsole(deps: { db: Db; clock: Clock; runner: RetentionRunner }) {
  const { db, clock, runner } = deps;

  async function overview(staff: StaffUser) {
    demand(staff, 'retention.read');
    const now = clock.now();
    const soon = new Date(now.getTime() + LOOKAHEAD_DAYS * DAY);
    const rules = await Promise.all(
      runner.purgers.map(async (p) => {
        const [dueNow, dueSoon, next] = await Promise.all([
          p.count(db, now),
          p.count(db, soon),
          p.nextDue(db, now),
        ]);
        return {
          key: p.key,
          title: p.title,
          period: p.period,
          action: p.action,
          due: dueNow.records,
          dueSoon: Math.max(0, dueSoon.records - dueNow.records),
          nextDue: next,
        };
      }),
    );
    const [active, released, runs] = await Promise.all([
      repo.activeHolds(db),
      repo.releasedHolds(db, 10),
      repo.recentRuns(db, 10),
    ]);
    return {
      now,
      rules,
      holds: active.map(shownHold),
      released: released.map(shownHold),
      runs: runs.map((r) => ({ ...r, counts: parseCounts(r.counts) })),
    };
  }

  async function runNow(staff: StaffUser, dryRun: boolean) {
    demand(staff, 'retention.run');
    const outcome = await runner.run({ trigger: 'console', dryRun, staffId: staff.id });
    if (outcome.status === 'busy') {
      throw conflict(
        'A retention run is already in progress. Wait a few minutes, then reload this page.',
      );
    }
    return outcome.report;
  }

  async function leadHolds(staff: StaffUser, leadId: string) {
    demand(staff, 'legal_holds.manage');
    return (await repo.activeHolds(db, { type: 'lead', id: leadId })).map(shownHold);
  }

  async function placeHold(staff: StaffUser, input: { leadId: string; reason: string }) {
    demand(staff, 'legal_holds.manage');
    const at = clock.now();
    return db.transaction().execute(async (trx) => {
      if (!(await leadRecordsExist(trx, input.leadId))) {
        throw invalid(
          'No lead, and no consent record of a deleted lead, has that id. Copy the id from the lead’s page and try again.',
          {
            lead_id: 'No record has this id.',
          },
        );
      }
      const id = await repo.insertHold(trx, {
        target_type: 'lead',
        target_id: input.leadId,
        reason: input.reason,
        placed_by: staff.id,
        placed_at: at.toISOString(),
      });
      // The reason stays out of the audit log, which is kept for ever: the hold id leads to it.
      await appendAudit(
        trx,
        {
          actor: { kind: 'staff', id: staff.id },
          action: 'legal_hold',
          target: { type: 'lead', id: input.leadId },
          detail: { event: 'placed', hold_id: id },
        },
        at,
      );
      return id;
    });
  }

  async function releaseHold(staff: StaffUser, holdId: string) {
    demand(staff, 'legal_holds.manage');
    const at = clock.now();
    return db.transaction().execute(async (trx) => {
      const hold = await repo.releaseHold(trx, holdId, staff.id, at.toISOString());
      if (!hold) throw notFound('An active legal hold with that id');
      await appendAudit(
        trx,
        {
          actor: { kind: 'staff', id: staff.id },
          action: 'legal_hold',
          target: { type: hold.target_type, id: hold.target_id },
          detail: { event: 'released', hold_id: holdId },
        },
        at,
      );
      return hold;
    });
  }

  return { overview, runNow, leadHolds, placeHold, releaseHold };
}

export type RetentionConsole = ReturnType<typeof createRetentionConsole>;
export type RetentionOverview = Awaited<ReturnType<RetentionConsole['overview']>>;

export interface StoredCounts {
  [key: string]: { records: number; related?: Record<string, number> };
}

function parseCounts(json: string): StoredCounts {
  try {
    const v: unknown = JSON.parse(json);
    return v && typeof v === 'object' ? (v as StoredCounts) : {};
  } catch {
    return {};
  }
}
