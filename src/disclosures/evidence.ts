import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../adapters/clock.js';
import type { StaffUser } from '../accounts/service.js';
import { appendAudit } from '../audit/log.js';
import { demand } from '../console/permissions.js';
import { blank, isoDate } from '../console/input.js';
import type { Db } from '../db/database.js';
import type { DisclosureAuthorityKind } from '../db/schema.js';
import { viewFor } from '../privacy/access.js';
import { recipientById } from '../privacy/disclosure-store.js';
import type { Kernel } from '../privacy/kernel.js';
import { currentPolicy } from '../privacy/policy-versions.js';
import { invalid, type FieldErrors } from '../web/errors.js';
import * as repo from './repository.js';

// Evidence a privacy officer records so a third party may receive intake data: a legal process
// naming people, a protection justification for one person, a buyer's undertaking. The kernel
// (src/privacy/disclosure-evidence.ts) checks each disclosure against these records.

/** Where a privacy officer keeps the evidence; an export links each record it offers. */
export const evidenceHere = '/console/disclosures/evidence';
export const evidenceAnchor = (id: string) => `${evidenceHere}#evidence-${id}`;
export { evidenceById } from './repository.js';

export const evidenceKinds = {
  legal_process: 'A legal process (court order, subpoena, agency demand)',
  protection: 'A protection justification (one person)',
  buyer_undertaking: "A prospective buyer's undertaking",
} as const satisfies Record<DisclosureAuthorityKind, string>;

/** The interests the policy's protection clause names. */
export const protectedInterests = {
  life: 'life',
  health: 'health',
  safety: 'safety',
  security: 'security',
  rights: 'rights',
  property: 'property',
} as const;

const MAX_PEOPLE = 200;
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const text = (what: string, max: number) =>
  z
    .string({ error: `Enter the ${what}.` })
    .trim()
    .min(1, `Enter the ${what}.`)
    .max(max, `The ${what} is at most ${max} characters.`);

export const evidenceBody = z.object({
  kind: z.enum(Object.keys(evidenceKinds) as [DisclosureAuthorityKind], {
    error: 'Choose what kind of evidence this is.',
  }),
  recipient: z
    .string({ error: 'Choose the recipient.' })
    .min(1, 'Choose the recipient.')
    .max(36, 'Choose a recipient from the list.'),
  issuer: text('issuer', 200),
  reference: text('reference', 200),
  issuedOn: isoDate('date'),
  people: z.preprocess(blank, z.string().max(20_000, 'Too many people for one record.').optional()),
  interest: z.preprocess(
    blank,
    z
      .enum(Object.keys(protectedInterests) as [keyof typeof protectedInterests], {
        error: 'Choose what the disclosure protects.',
      })
      .optional(),
  ),
  justification: z.preprocess(
    blank,
    z.string().trim().max(2000, 'The justification is at most 2,000 characters.').optional(),
  ),
  undertaking: z.preprocess(blank, z.literal('on').optional()),
  _csrf: z.string().optional(),
});
export type EvidenceInput = z.infer<typeof evidenceBody>;

const lines = (s: string | undefined) =>
  (s ?? '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);

export function createEvidenceService(deps: { db: Db; clock: Clock; kernel: Kernel }) {
  const { db, kernel } = deps;

  /** Each line a lead id or the email address the person gave; every line must be one lead. */
  async function resolvePeople(given: string[]): Promise<{ ids: string[]; problem?: string }> {
    const byLine = given.map((line) =>
      uuid.test(line)
        ? { line, id: line.toLowerCase(), indexes: [] as string[] }
        : {
            line,
            id: undefined,
            indexes: line.includes('@') ? kernel.lookupIndexes('email', line) : [],
          },
    );
    const found = await repo.leadIdsMatching(
      db,
      byLine.flatMap((l) => (l.id ? [l.id] : [])),
      byLine.flatMap((l) => l.indexes),
    );
    const ids = new Set(found.map((f) => f.id));
    const ofIndex = new Map(found.map((f) => [f.email_index, f.id]));
    const out: string[] = [];
    const unknown: number[] = [];
    byLine.forEach((l, i) => {
      const id = l.id && ids.has(l.id) ? l.id : l.indexes.map((x) => ofIndex.get(x)).find(Boolean);
      if (id) out.push(id);
      else unknown.push(i + 1);
    });
    if (unknown.length)
      return {
        ids: [],
        problem: `Line ${unknown.join(', ')} matches no lead: enter each person's lead id or the email address they gave us, one per line.`,
      };
    return { ids: [...new Set(out)] };
  }

  async function check(
    input: EvidenceInput,
  ): Promise<{ leadIds: string[]; justification: string | null }> {
    const errors: FieldErrors = {};
    const r = await recipientById(db, input.recipient);
    if (!r || !r.active || r.kind !== 'third_party')
      errors.recipient =
        'Choose an active third party: service providers work under contract and need no evidence.';
    else if (input.kind === 'buyer_undertaking' && r.relatedEntity)
      errors.recipient = `${r.name} is a related company: it cannot be a buyer receiving data for business purposes.`;
    if (input.issuedOn > deps.clock.now().toISOString().slice(0, 10))
      errors.issuedOn = 'The date cannot be in the future.';
    const people = lines(input.people);
    let leadIds: string[] = [];
    if (input.kind === 'buyer_undertaking') {
      if (people.length)
        errors.people = "A buyer's undertaking covers the business, not named people.";
      if (input.undertaking !== 'on')
        errors.undertaking = 'The buyer must undertake to use the data only as the policy allows.';
    } else if (people.length === 0) {
      errors.people = 'Name the people it covers: a lead id or email address per line.';
    } else if (input.kind === 'protection' && people.length > 1) {
      errors.people = 'A protection justification covers one person; record one for each.';
    } else if (people.length > MAX_PEOPLE) {
      errors.people = `At most ${MAX_PEOPLE} people per record.`;
    } else {
      const resolved = await resolvePeople(people);
      if (resolved.problem) errors.people = resolved.problem;
      leadIds = resolved.ids;
    }
    if (input.kind === 'protection') {
      if (!input.interest) errors.interest = 'Choose what the disclosure protects.';
      if (!input.justification || input.justification.length < 20)
        errors.justification =
          'Say why the disclosure is needed (at least 20 characters), without personal details.';
    }
    if (Object.keys(errors).length) throw invalid('Please correct the highlighted fields.', errors);
    const justification =
      input.kind === 'protection'
        ? `${input.interest}: ${input.justification}`
        : input.kind === 'buyer_undertaking'
          ? `Undertakes to use the data only as our privacy policy (version ${currentPolicy.version}) allows.`
          : null;
    return { leadIds, justification };
  }

  /** Stores the record and its audit entry together; returns its id. */
  async function record(staff: StaffUser, input: EvidenceInput): Promise<string> {
    demand(staff, 'disclosure_evidence.manage');
    const { leadIds, justification } = await check(input);
    const now = deps.clock.now();
    const id = randomUUID();
    await db.transaction().execute(async (trx) => {
      await repo.insertEvidence(
        trx,
        {
          id,
          kind: input.kind,
          recipient_id: input.recipient,
          issuer: input.issuer,
          reference: input.reference,
          issued_on: input.issuedOn,
          justification,
          entered_by: staff.id,
          entered_at: now.toISOString(),
        },
        leadIds,
      );
      // Ids and counts: the reference and issuer may name parties to a case, so they stay in the record.
      await appendAudit(
        trx,
        {
          actor: { kind: 'staff', id: staff.id },
          action: 'disclosure_evidence',
          target: { type: 'disclosure_authority', id },
          purpose: 'legal',
          detail: { kind: input.kind, recipient: input.recipient, people: leadIds.length },
        },
        now,
      );
    });
    return id;
  }

  async function list(staff: StaffUser) {
    demand(staff, 'disclosure_evidence.manage');
    return withPeople(await repo.listEvidence(db));
  }

  async function withPeople(rows: Awaited<ReturnType<typeof repo.listEvidence>>) {
    const people = await repo.evidenceSubjects(
      db,
      rows.map((r) => r.id),
    );
    return rows.map(({ staff_email, ...r }) => ({
      ...r,
      leads: people.get(r.id) ?? [],
      staff_email:
        staff_email === null
          ? null
          : viewFor('staff_users', { email: staff_email }, 'security').email,
    }));
  }

  /** For the export form: a recipient's records with the people each covers. */
  const forRecipient = async (recipientId: string) =>
    withPeople(await repo.listEvidence(db, recipientId));

  return { record, list, forRecipient };
}

export type EvidenceService = ReturnType<typeof createEvidenceService>;
export type EvidenceRow = Awaited<ReturnType<EvidenceService['list']>>[number];
