import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Clock } from '../adapters/clock.js';
import { appendAudit, type AuditActor } from '../audit/log.js';
import type { Db } from '../db/database.js';
import type { AccountKind } from '../db/schema.js';
import type { Kernel } from '../privacy/kernel.js';
import { conflict, DomainError, invalid } from '../web/errors.js';
import * as repo from './second-factor-repository.js';
import {
  hashRecoveryCode,
  looksLikeRecoveryCode,
  matchTotp,
  newRecoveryCodes,
  newTotpSecret,
  otpauthUri,
  qrDataUrl,
} from './totp.js';

// The second factor of any kind of account (docs/decisions/025-second-factor-and-sessions.md):
// a TOTP secret sealed by the kernel, and ten single-use recovery codes kept as keyed hashes.
// Enrolment is a two-step exchange tied by a one-time token: the page that shows the secret
// carries the token, and only that page's code confirms it.

export const enrolmentInvalidMessage =
  'This enrolment page is out of date: it was replaced by a newer one, already used, or changed. Start again to get a new QR code.';
export const wrongCodeMessage =
  'That code did not match. Enter the 6-digit code your app shows now, or one of your recovery codes. Each code works once.';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const tokenPattern = /^[A-Za-z0-9_-]{43}$/;

export interface SecondFactorDeps {
  db: Db;
  clock: Clock;
  kernel: Kernel;
  /** Keys the recovery-code hashes: a copy of the table alone cannot be tried offline. */
  secret: string;
  kind: AccountKind;
  /** The name an authenticator app shows above the code. */
  issuer: string;
  actor: (accountId: string) => AuditActor;
}

export function createSecondFactor(deps: SecondFactorDeps) {
  const { db, clock, kernel, kind } = deps;
  const account = (id: string) => ({ kind, id });
  const openSecret = (sealed: string) => kernel.open('account_totp', { secret: sealed }).secret;
  const audit = (id: string, change: string, now: Date) =>
    appendAudit(db, { actor: deps.actor(id), action: 'second_factor', detail: { change } }, now);

  async function status(accountId: string) {
    const row = await repo.findTotp(db, account(accountId));
    const enabled = !!row?.confirmed_at;
    const recoveryLeft = enabled ? await repo.unusedRecoveryCodes(db, account(accountId)) : 0;
    return { enabled, recoveryLeft };
  }

  /** What the enrolment page shows: the secret as text and as a QR code, and its token. */
  async function show(secret: string, label: string, token: string) {
    const uri = otpauthUri(secret, deps.issuer, label);
    return { token, secret, uri, qr: await qrDataUrl(uri) };
  }

  /** Starts (or restarts) an enrolment: a new secret, replacing any unconfirmed one. */
  async function begin(accountId: string, label: string, now: Date = clock.now()) {
    const a = account(accountId);
    const token = randomBytes(32).toString('base64url');
    const secret = newTotpSecret();
    await db.transaction().execute(async (trx) => {
      const existing = await repo.findTotp(trx, a);
      if (existing?.confirmed_at)
        throw conflict('Two-step sign-in is already on for this account.');
      await repo.deleteTotp(trx, a);
      await repo.insertTotp(trx, {
        id: randomUUID(),
        account_kind: kind,
        account_id: accountId,
        ...kernel.seal('account_totp', { secret }),
        enrol_token_hash: sha256(token),
        created_at: now.toISOString(),
        confirmed_at: null,
        last_step: null,
      });
    });
    return show(secret, label, token);
  }

  /** The enrolment a token belongs to, to show its page again; null for any other token. */
  async function pending(accountId: string, token: string, label: string) {
    if (!tokenPattern.test(token)) return null;
    const row = await repo.findTotp(db, account(accountId));
    if (!row || row.confirmed_at || row.enrol_token_hash !== sha256(token)) return null;
    return show(openSecret(row.secret), label, token);
  }

  /**
   * Confirms an enrolment with a code from the app; returns the ten recovery codes, shown once.
   * A token that is not this account's open enrolment changes nothing.
   */
  async function confirm(accountId: string, token: string, code: string, now = clock.now()) {
    const a = account(accountId);
    const row = tokenPattern.test(token) ? await repo.findTotp(db, a) : undefined;
    if (!row || row.confirmed_at || row.enrol_token_hash !== sha256(token)) {
      throw new DomainError(404, enrolmentInvalidMessage);
    }
    const step = matchTotp(openSecret(row.secret), code.replace(/\s/g, ''), now, null);
    if (step === null) throw invalid(wrongCodeMessage, { code: wrongCodeMessage });
    const codes = newRecoveryCodes();
    await db.transaction().execute(async (trx) => {
      if (!(await repo.confirmTotp(trx, a, sha256(token), now.toISOString(), step))) {
        throw new DomainError(404, enrolmentInvalidMessage);
      }
      const hashes = codes.map((c) => hashRecoveryCode(deps.secret, c));
      await repo.replaceRecoveryCodes(trx, a, hashes, now.toISOString());
      await appendAudit(
        trx,
        { actor: deps.actor(accountId), action: 'second_factor', detail: { change: 'enabled' } },
        now,
      );
    });
    return codes;
  }

  /**
   * Checks a code from the app, or a recovery code; each is accepted once. Returns how the
   * person proved it, or null.
   */
  async function verify(accountId: string, typed: string, now: Date = clock.now()) {
    const a = account(accountId);
    const row = await repo.findTotp(db, a);
    if (!row?.confirmed_at) return null;
    const code = typed.replace(/\s/g, '');
    if (/^\d{6}$/.test(code)) {
      const step = matchTotp(openSecret(row.secret), code, now, row.last_step);
      return step !== null && (await repo.claimStep(db, a, step)) ? ('totp' as const) : null;
    }
    if (!looksLikeRecoveryCode(code)) return null;
    const used = await repo.useRecoveryCode(
      db,
      a,
      hashRecoveryCode(deps.secret, code),
      now.toISOString(),
    );
    if (!used) return null;
    await audit(accountId, 'recovery_code_used', now);
    return 'recovery' as const;
  }

  /** Turns the second factor off: the secret and recovery codes are deleted. */
  async function disable(accountId: string, now: Date = clock.now()) {
    await db.transaction().execute(async (trx) => {
      await repo.deleteTotp(trx, account(accountId));
      await repo.deleteRecoveryCodes(trx, account(accountId));
      await appendAudit(
        trx,
        { actor: deps.actor(accountId), action: 'second_factor', detail: { change: 'disabled' } },
        now,
      );
    });
  }

  /** Ten new recovery codes; the old ones stop working. */
  async function newCodes(accountId: string, now: Date = clock.now()) {
    if (!(await status(accountId)).enabled) {
      throw invalid('Turn on two-step sign-in first.');
    }
    const codes = newRecoveryCodes();
    const hashes = codes.map((c) => hashRecoveryCode(deps.secret, c));
    await repo.replaceRecoveryCodes(db, account(accountId), hashes, now.toISOString());
    await audit(accountId, 'recovery_codes_replaced', now);
    return codes;
  }

  return {
    status,
    begin,
    pending,
    confirm,
    verify,
    disable,
    newCodes,
    /** Which of these accounts have two-step sign-in on (for the list of accounts). */
    enabledAmong: (ids: readonly string[]) => repo.confirmedAmong(db, kind, ids),
  };
}

export type SecondFactor = ReturnType<typeof createSecondFactor>;
