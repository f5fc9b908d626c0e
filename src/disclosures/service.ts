import { randomUUID } from 'node:crypto';
import type { Clock } from '../adapters/clock.js';
import type { StaffUser } from '../accounts/service.js';
import { appendAudit } from '../audit/log.js';
import { demand } from '../console/permissions.js';
import type { Db } from '../db/database.js';
import { isUniqueViolation } from '../db/errors.js';
import { viewFor } from '../privacy/access.js';
import { labelsInOrder, registeredProcessors } from '../privacy/disclosures.js';
import { tagLedger } from '../privacy/tag-disclosures.js';
import { publishRegistryChange, registryChanged } from '../privacy/policy-revisions.js';
import { allRecipients, recipientById, type Recipient } from '../privacy/disclosure-store.js';
import {
  registryProblems,
  type RecipientCreate,
  type RecipientEdit,
  type RecipientKind,
} from '../privacy/recipients.js';
import type { Category } from '../privacy/vocabulary.js';
import { invalid, notFound } from '../web/errors.js';
import * as repo from './repository.js';
import type { LedgerFilter } from './repository.js';

export const PAGE_SIZE = 50;
/** Disclosures about this many people or fewer list them; larger ones show a count. */
const LIST_SUBJECTS_UP_TO = 5;

type Change = 'registered' | 'edited' | 'deactivated' | 'reactivated';

const and = new Intl.ListFormat('en', { style: 'long', type: 'conjunction' });

/** The change-log line a registry change publishes on /privacy. */
function changeLine(r: Recipient, change: Change): string {
  const receives = and.format(labelsInOrder(r.categories));
  switch (change) {
    case 'registered':
      return `${r.name} now acts as a service provider for us (${r.purpose.replace(/\.$/, '')}), receiving ${receives}.`;
    case 'edited':
      return `Updated what ${r.name} does for us or receives (${receives}).`;
    case 'deactivated':
      return `${r.name} no longer receives information from us.`;
    case 'reactivated':
      return `${r.name} again acts as a service provider for us, receiving ${receives}.`;
  }
}

const keyTaken = (key: string, owner: string) =>
  invalid('Please correct the highlighted fields.', {
    key: `The key ${key} already belongs to ${owner}. Choose another, or edit that entry.`,
  });

export function createDisclosureService(deps: { db: Db; clock: Clock }) {
  const { db } = deps;

  async function audited(
    staff: StaffUser,
    r: Recipient,
    change: Change,
    run: (trx: Db) => Promise<void>,
  ) {
    const at = deps.clock.now();
    await db.transaction().execute(async (trx) => {
      await run(trx);
      // The policy page prints the service providers: a change to that list is a new version.
      const published =
        r.kind === 'processor'
          ? await publishRegistryChange(
              trx,
              'processors',
              await registeredProcessors(trx),
              changeLine(r, change),
              at,
            )
          : null;
      await appendAudit(
        trx,
        {
          actor: { kind: 'staff', id: staff.id },
          action: 'processor_change',
          target: { type: 'recipient', id: r.id },
          detail: {
            change,
            key: r.key,
            kind: r.kind,
            categories: r.categories.join(','),
            active: r.active,
            policy_version: published?.version ?? null,
          },
        },
        at,
      );
    });
    registryChanged(db);
  }

  function check(kind: RecipientKind, input: RecipientEdit): void {
    const problems = registryProblems(kind, input);
    if (Object.keys(problems).length > 0)
      throw invalid('Please correct the highlighted fields.', problems);
  }

  const columns = (input: RecipientEdit) => ({
    name: input.name,
    categories: JSON.stringify(input.categories),
    purpose: input.purpose,
    contract_ref: input.contractRef || null,
    related_entity: input.relatedEntity ? 1 : 0,
  });

  async function list(staff: StaffUser) {
    demand(staff, 'processors.manage');
    return allRecipients(db);
  }

  async function get(staff: StaffUser, id: string) {
    demand(staff, 'processors.manage');
    const r = await recipientById(db, id);
    if (!r) throw notFound('That recipient');
    return r;
  }

  async function register(staff: StaffUser, input: RecipientCreate): Promise<string> {
    demand(staff, 'processors.manage');
    check(input.kind, input);
    const taken = await repo.keyOwner(db, input.key);
    if (taken) throw keyTaken(input.key, taken.name);
    const at = deps.clock.now().toISOString();
    const id = randomUUID();
    const row = {
      id,
      kind: input.kind,
      key: input.key,
      ...columns(input),
      active: 1,
      created_at: at,
      updated_at: at,
    };
    const recipient: Recipient = {
      id,
      kind: input.kind,
      key: input.key,
      name: input.name,
      categories: input.categories,
      purpose: input.purpose,
      contractRef: row.contract_ref,
      relatedEntity: input.relatedEntity,
      active: true,
      createdAt: at,
      updatedAt: at,
    };
    try {
      await audited(staff, recipient, 'registered', (trx) => repo.insertRecipient(trx, row));
    } catch (err) {
      // A second admin registering the same key at the same moment: the unique index decides.
      if (isUniqueViolation(err)) throw keyTaken(input.key, 'another entry');
      throw err;
    }
    return id;
  }

  async function edit(staff: StaffUser, id: string, input: RecipientEdit): Promise<void> {
    const current = await get(staff, id);
    check(current.kind, input);
    const after: Recipient = { ...current, name: input.name, categories: input.categories };
    await audited(staff, after, 'edited', async (trx) => {
      if (
        !(await repo.updateRecipient(trx, id, {
          ...columns(input),
          updated_at: deps.clock.now().toISOString(),
        }))
      )
        throw notFound('That recipient');
    });
  }

  async function setActive(staff: StaffUser, id: string, active: boolean): Promise<void> {
    const current = await get(staff, id);
    if (current.active === active) return;
    await audited(
      staff,
      { ...current, active },
      active ? 'reactivated' : 'deactivated',
      async (trx) => {
        await repo.updateRecipient(trx, id, {
          active: active ? 1 : 0,
          updated_at: deps.clock.now().toISOString(),
        });
      },
    );
  }

  async function ledger(staff: StaffUser, filter: LedgerFilter, page: number) {
    demand(staff, 'disclosures.read');
    const [rows, total, recipients, tags] = await Promise.all([
      repo.listLedger(db, filter, PAGE_SIZE, (page - 1) * PAGE_SIZE),
      repo.countLedger(db, filter),
      allRecipients(db),
      tagLedger(db),
    ]);
    const small = rows.filter((r) => r.subject_count <= LIST_SUBJECTS_UP_TO).map((r) => r.id);
    const subjects = new Map<string, string[]>();
    for (const s of await repo.subjectsOf(db, small)) {
      subjects.set(s.disclosure_id, [...(subjects.get(s.disclosure_id) ?? []), s.subject_id]);
    }
    return {
      rows: rows.map(({ staff_email, ...r }) => ({
        ...r,
        categories: JSON.parse(r.categories) as Category[],
        leads: subjects.get(r.id) ?? [],
        // Who disclosed is accountability, read for security as the data map allows.
        staff_email:
          staff_email === null
            ? null
            : viewFor('staff_users', { email: staff_email }, 'security').email,
      })),
      total,
      page,
      pageCount: Math.max(1, Math.ceil(total / PAGE_SIZE)),
      recipients: recipients.map((r) => ({ id: r.id, name: r.name, active: r.active })),
      tags,
    };
  }

  return { list, get, register, edit, setActive, ledger };
}

export type DisclosureService = ReturnType<typeof createDisclosureService>;
export type Ledger = Awaited<ReturnType<DisclosureService['ledger']>>;
