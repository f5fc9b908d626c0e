import type { Insertable, Kysely } from 'kysely';
import type { AccountKind, AccountTotpTable, Database } from '../db/schema.js';

type Trx = Kysely<Database>;
type Account = { kind: AccountKind; id: string };

export async function findTotp(db: Trx, a: Account) {
  return db
    .selectFrom('account_totp')
    .select(['id', 'secret', 'enrol_token_hash', 'confirmed_at', 'last_step'])
    .where('account_kind', '=', a.kind)
    .where('account_id', '=', a.id)
    .executeTakeFirst();
}

/** Which of these accounts have a confirmed second factor (for lists of accounts). */
export async function confirmedAmong(db: Trx, kind: AccountKind, ids: readonly string[]) {
  if (ids.length === 0) return new Set<string>();
  const rows = await db
    .selectFrom('account_totp')
    .select('account_id')
    .where('account_kind', '=', kind)
    .where('account_id', 'in', ids)
    .where('confirmed_at', 'is not', null)
    .execute();
  return new Set(rows.map((r) => r.account_id));
}

export async function deleteTotp(db: Trx, a: Account): Promise<number> {
  const r = await db
    .deleteFrom('account_totp')
    .where('account_kind', '=', a.kind)
    .where('account_id', '=', a.id)
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

export async function insertTotp(db: Trx, row: Insertable<AccountTotpTable>): Promise<void> {
  await db.insertInto('account_totp').values(row).execute();
}

/** Confirms the enrolment the token belongs to; false when the token is not that enrolment's. */
export async function confirmTotp(
  db: Trx,
  a: Account,
  tokenHash: string,
  at: string,
  step: number,
): Promise<boolean> {
  const r = await db
    .updateTable('account_totp')
    .set({ confirmed_at: at, enrol_token_hash: null, last_step: step })
    .where('account_kind', '=', a.kind)
    .where('account_id', '=', a.id)
    .where('enrol_token_hash', '=', tokenHash)
    .where('confirmed_at', 'is', null)
    .executeTakeFirst();
  return r.numUpdatedRows === 1n;
}

/**
 * Records that a code of `step` was used: only one request can move last_step past it, so the
 * same code sent twice at once is accepted once.
 */
export async function claimStep(db: Trx, a: Account, step: number): Promise<boolean> {
  const r = await db
    .updateTable('account_totp')
    .set({ last_step: step })
    .where('account_kind', '=', a.kind)
    .where('account_id', '=', a.id)
    .where('confirmed_at', 'is not', null)
    .where((eb) => eb.or([eb('last_step', 'is', null), eb('last_step', '<', step)]))
    .executeTakeFirst();
  return r.numUpdatedRows === 1n;
}

export async function replaceRecoveryCodes(
  db: Trx,
  a: Account,
  hashes: readonly string[],
  at: string,
): Promise<void> {
  await deleteRecoveryCodes(db, a);
  await db
    .insertInto('account_recovery_codes')
    .values(
      hashes.map((code_hash) => ({
        code_hash,
        account_kind: a.kind,
        account_id: a.id,
        created_at: at,
        used_at: null,
      })),
    )
    .execute();
}

export async function deleteRecoveryCodes(db: Trx, a: Account): Promise<void> {
  await db
    .deleteFrom('account_recovery_codes')
    .where('account_kind', '=', a.kind)
    .where('account_id', '=', a.id)
    .execute();
}

/** Uses a recovery code once: true only for the request that turned used_at from null. */
export async function useRecoveryCode(
  db: Trx,
  a: Account,
  hash: string,
  at: string,
): Promise<boolean> {
  const r = await db
    .updateTable('account_recovery_codes')
    .set({ used_at: at })
    .where('code_hash', '=', hash)
    .where('account_kind', '=', a.kind)
    .where('account_id', '=', a.id)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return r.numUpdatedRows === 1n;
}

export async function unusedRecoveryCodes(db: Trx, a: Account): Promise<number> {
  const row = await db
    .selectFrom('account_recovery_codes')
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .where('account_kind', '=', a.kind)
    .where('account_id', '=', a.id)
    .where('used_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
