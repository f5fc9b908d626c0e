import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { appendAudit } from '../audit/log.js';
import type { Database, TagsTable } from '../db/schema.js';
import { checkRelated } from './disclosure-evidence.js';
import { checkProcessorFor, loadActive, named, refuse, who } from './disclosure-rules.js';
import * as store from './disclosure-store.js';
import type { Recipient } from './disclosure-store.js';
import type { PolicyTagVendor } from './policy.js';
import { categories as categoryLabels, type Category } from './vocabulary.js';

// Advertising and analytics tag vendors are service providers like any other: a tag runs only
// for a registered, active service provider with a contract reference, registered for every
// category the tag sends. While a tag is active its data flows to the vendor continuously, so
// the ledger records a period (tag_disclosures: from activation until deactivation) rather than
// one hand-off per person.

type Db = Kysely<Database>;

/** What a tag on our public pages can send: what a browser reveals, never what a person typed. */
export const tagCategories = [
  'online.identifier',
  'online.activity',
  'online.location',
  'online.device',
] as const satisfies readonly Category[];

export interface TagFlow {
  tagId: string;
  recipientId: string;
  categories: readonly Category[];
  purpose: TagsTable['category'];
}

/**
 * The vendor may receive these categories through a tag, or DisclosureRefusedError saying why:
 * not registered, inactive, a third party, a related company, no contract, or a category it is
 * not registered for (or that no tag may send).
 */
export async function assertTagVendor(
  db: Db,
  recipientId: string,
  categories: readonly Category[],
  purpose: TagsTable['category'],
): Promise<Recipient> {
  const unknown = categories.filter((c) => !Object.hasOwn(categoryLabels, c));
  if (unknown.length > 0)
    throw refuse('invalid_request', `Unknown data categories: ${unknown.join(', ')}.`);
  if (categories.length === 0)
    throw refuse('invalid_request', 'Name the categories of data the tag sends its vendor.');
  const outside = categories.filter((c) => !(tagCategories as readonly string[]).includes(c));
  if (outside.length > 0)
    throw refuse(
      'purpose_not_allowed',
      `A tag may not send ${named(outside)}: tags never load where people type or sign in, so they can send only ${named(tagCategories)}.`,
    );
  const recipient = loadActive(
    await store.recipientById(db, recipientId),
    'for this tag: register the vendor under Settings, Service providers first',
  );
  checkRelated(recipient, {
    recipientId,
    basis: 'consent',
    purpose,
    categories: [...categories],
    subjects: [],
    actor: { kind: 'anonymous' },
    channel: 'other',
  });
  checkProcessorFor(recipient, categories);
  if (!recipient.contractRef)
    throw refuse(
      'contract_required',
      `${who(recipient)} has no contract reference; a tag vendor receives nothing until one is registered.`,
    );
  return recipient;
}

/** Opens the ledger's period for an activated tag, with an audit entry, in the caller's transaction. */
export async function startTagDisclosure(
  trx: Db,
  flow: TagFlow,
  staffId: string,
  at: Date,
): Promise<void> {
  const id = randomUUID();
  await trx
    .insertInto('tag_disclosures')
    .values({
      id,
      tag_id: flow.tagId,
      recipient_id: flow.recipientId,
      categories: JSON.stringify(flow.categories),
      purpose: flow.purpose,
      started_at: at.toISOString(),
      started_by: staffId,
      ended_at: null,
      ended_by: null,
    })
    .execute();
  await appendAudit(
    trx,
    {
      actor: { kind: 'staff', id: staffId },
      action: 'disclosure',
      target: { type: 'tag_disclosure', id },
      purpose: flow.purpose,
      detail: { event: 'tag_started', tag: flow.tagId, categories: flow.categories.join(',') },
    },
    at,
  );
}

/** Closes the open period of a deactivated tag; nothing when none is open. */
export async function endTagDisclosure(
  trx: Db,
  tagId: string,
  staffId: string,
  at: Date,
): Promise<void> {
  const open = await trx
    .selectFrom('tag_disclosures')
    .select(['id', 'purpose'])
    .where('tag_id', '=', tagId)
    .where('ended_at', 'is', null)
    .execute();
  for (const row of open) {
    await trx
      .updateTable('tag_disclosures')
      .set({ ended_at: at.toISOString(), ended_by: staffId })
      .where('id', '=', row.id)
      .execute();
    await appendAudit(
      trx,
      {
        actor: { kind: 'staff', id: staffId },
        action: 'disclosure',
        target: { type: 'tag_disclosure', id: row.id },
        purpose: row.purpose,
        detail: { event: 'tag_ended', tag: tagId },
      },
      at,
    );
  }
}

export interface TagLedgerRow {
  id: string;
  tagName: string;
  recipientName: string;
  categories: Category[];
  purpose: string;
  startedAt: string;
  endedAt: string | null;
}

/** The tag part of the ledger, newest first: which categories went to whom, from when until when. */
export async function tagLedger(db: Db): Promise<TagLedgerRow[]> {
  const rows = await db
    .selectFrom('tag_disclosures as d')
    .innerJoin('tags as t', 't.id', 'd.tag_id')
    .innerJoin('recipients as r', 'r.id', 'd.recipient_id')
    .select([
      'd.id',
      't.name as tag_name',
      'r.name as recipient_name',
      'd.categories',
      'd.purpose',
      'd.started_at',
      'd.ended_at',
    ])
    .orderBy('d.started_at', 'desc')
    .orderBy('d.id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    tagName: r.tag_name,
    recipientName: r.recipient_name,
    categories: JSON.parse(r.categories) as Category[],
    purpose: r.purpose,
    startedAt: r.started_at,
    endedAt: r.ended_at,
  }));
}

/**
 * The vendors the policy names: the service provider behind every registered tag, active or not
 * (it may have received data while the tag was active), with the categories it receives.
 */
export async function tagVendorsForPolicy(db: Db): Promise<PolicyTagVendor[]> {
  const rows = await db
    .selectFrom('tags as t')
    .innerJoin('recipients as r', 'r.id', 't.recipient_id')
    .select(['r.name', 't.category', 't.categories'])
    .orderBy('r.name')
    .orderBy('t.category')
    .execute();
  const byVendor = new Map<string, PolicyTagVendor & { set: Set<Category> }>();
  for (const row of rows) {
    const k = `${row.name}\u0000${row.category}`;
    const entry = byVendor.get(k) ?? {
      vendor: row.name,
      category: row.category,
      receives: '',
      set: new Set<Category>(),
    };
    (JSON.parse(row.categories) as Category[]).forEach((c) => entry.set.add(c));
    byVendor.set(k, entry);
  }
  const order = Object.keys(categoryLabels);
  return [...byVendor.values()].map(({ set, ...v }) => ({
    ...v,
    receives: [...set]
      .sort((a, b) => order.indexOf(a) - order.indexOf(b))
      .map((c) => categoryLabels[c])
      .join('; '),
  }));
}
