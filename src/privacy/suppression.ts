import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, SuppressionsTable } from '../db/schema.js';
import type { Kernel } from './kernel.js';
import { toE164 } from './phone.js';

// The suppression list: opt-outs keyed by the blind index of an address, never the address. It
// outlives the person's record (an erasure keeps it), so someone who said no is not contacted
// again. Kept as long as the opt-out stands (retention rule 'opt_out').

export type SuppressionChannel = 'email_marketing' | 'sms' | 'advertising' | 'sensitive_limit';
const sameChannels: SuppressionChannel extends SuppressionsTable['channel']
  ? SuppressionsTable['channel'] extends SuppressionChannel
    ? true
    : never
  : never = true;
void sameChannels;

export interface Who {
  email?: string | undefined;
  phone?: string | undefined;
}

type Db = Kysely<Database>;

/** Phones are indexed in E.164, as intake stores them, so "(214) 555-0142" finds "+12145550142". */
const phoneForm = (phone: string): string => toE164(phone) ?? phone;

function addresses(who: Who): { email?: string; phone?: string } {
  const email = who.email?.trim();
  const phone = who.phone?.trim();
  return { ...(email ? { email } : {}), ...(phone ? { phone: phoneForm(phone) } : {}) };
}

async function has(
  db: Db,
  column: 'email_index' | 'phone_index',
  indexes: string[],
  channel: SuppressionChannel,
) {
  const row = await db
    .selectFrom('suppressions')
    .select('id')
    .where(column, 'in', indexes)
    .where('channel', '=', channel)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Records an opt-out for each address given. Safe to run twice: an address already suppressed
 * for the channel (under any loaded key) is left as it is, keeping its original date.
 */
export async function suppress(
  db: Db,
  kernel: Kernel,
  who: Who,
  channel: SuppressionChannel,
  at: Date,
): Promise<void> {
  await addSuppressions(db, kernel, who, channel, at);
}

/** `suppress`, returning how many new entries were written (0 when all were there already). */
export async function addSuppressions(
  db: Db,
  kernel: Kernel,
  who: Who,
  channel: SuppressionChannel,
  at: Date,
): Promise<number> {
  const { email, phone } = addresses(who);
  const rows: SuppressionsTable[] = [];
  const base = { channel, created_at: at.toISOString(), key_id: kernel.keys.current.id };
  if (email && !(await has(db, 'email_index', kernel.lookupIndexes('email', email), channel))) {
    rows.push({
      ...base,
      id: randomUUID(),
      email_index: kernel.index('email', email),
      phone_index: null,
    });
  }
  if (phone && !(await has(db, 'phone_index', kernel.lookupIndexes('phone', phone), channel))) {
    rows.push({
      ...base,
      id: randomUUID(),
      email_index: null,
      phone_index: kernel.index('phone', phone),
    });
  }
  if (rows.length === 0) return 0;
  // A concurrent opt-out of the same address is the same fact: the unique indexes keep one.
  const result = await db
    .insertInto('suppressions')
    .values(rows)
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0);
}

/** True when any of the addresses given opted out of the channel, under any loaded key. */
export async function isSuppressed(
  db: Db,
  kernel: Kernel,
  who: Who,
  channel: SuppressionChannel,
): Promise<boolean> {
  const { email, phone } = addresses(who);
  if (email && (await has(db, 'email_index', kernel.lookupIndexes('email', email), channel)))
    return true;
  if (phone && (await has(db, 'phone_index', kernel.lookupIndexes('phone', phone), channel)))
    return true;
  return false;
}

/** How many opt-outs each data key indexed, and how many predate the record of which key. */
export async function suppressionKeys(
  db: Db,
): Promise<{ byKey: Map<string, number>; unlabelled: number }> {
  const rows = await db
    .selectFrom('suppressions')
    .select((eb) => ['key_id', eb.fn.countAll<number | string>().as('n')])
    .groupBy('key_id')
    .execute();
  const byKey = new Map<string, number>();
  let unlabelled = 0;
  for (const r of rows) {
    if (r.key_id === null) unlabelled += Number(r.n);
    else byKey.set(r.key_id, Number(r.n));
  }
  return { byKey, unlabelled };
}

/**
 * Names the key of opt-outs stored before keys were recorded. Only certain while a single key is
 * loaded: that key made every index that is still findable. With several keys nothing is guessed,
 * and every loaded key is kept instead (see `dropUnusedKeys`).
 */
export async function labelSuppressionKeys(db: Db, kernel: Kernel): Promise<number> {
  if (kernel.keys.all.length !== 1) return 0;
  const r = await db
    .updateTable('suppressions')
    .set({ key_id: kernel.keys.current.id })
    .where('key_id', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}
