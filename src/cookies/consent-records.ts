import Bowser from 'bowser';
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/database.js';
import type { CookieConsentsTable } from '../db/schema.js';
import { policyVersionNow } from '../privacy/consent.js';
import type { BrowserChoices } from '../privacy/signals.js';
import { insertGpc } from '../privacy-center/repository.js';
import { BANNER_VERSION } from './messages.js';

// Proof of cookie choices: each choice is a row, by the browser's random consent id, linked to
// a staff member when one is signed in. Plain data in and out; the routes hold no rules.

export const CONSENT_COOKIE = 'spmb_consent';
const consentIdShape = /^[0-9a-f-]{36}$/;

/** The browser's consent id when it holds a well-formed one; a new one otherwise. */
export const consentIdOf = (cookie: string | undefined): string =>
  cookie && consentIdShape.test(cookie) ? cookie : randomUUID();

/** "Chrome desktop", "Safari mobile": the browser family and device type, never the version string. */
export function uaClass(userAgent: string | undefined): string {
  if (!userAgent) return 'unknown';
  const parsed = Bowser.parse(userAgent);
  const browser = parsed.browser.name ?? 'Other';
  const device = parsed.platform.type ?? 'unknown';
  return `${browser} ${device}`.slice(0, 48);
}

export interface ChoiceInput {
  consentId: string;
  staffId: string | null;
  analytics: boolean;
  advertising: boolean;
  /** A GPC signal was present: advertising is refused whatever was asked for. */
  gpc: boolean;
  source: CookieConsentsTable['source'];
  userAgent: string | undefined;
}

/**
 * Records one choice and returns what the browser's choice cookie must now say. Under GPC the
 * advertising grant is refused, and the signal's application is recorded with what it overrode.
 */
export async function recordChoice(db: Db, input: ChoiceInput, at: Date): Promise<BrowserChoices> {
  const advertising = input.advertising && !input.gpc;
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('cookie_consents')
      .values({
        consent_id: input.consentId,
        at: at.toISOString(),
        day: at.toISOString().slice(0, 10),
        subject_kind: input.staffId ? 'staff' : 'browser',
        subject_id: input.staffId,
        analytics: input.analytics ? 1 : 0,
        advertising: advertising ? 1 : 0,
        source: input.source,
        gpc: input.gpc ? 1 : 0,
        policy_version: policyVersionNow(),
        banner_version: BANNER_VERSION,
        ua_class: uaClass(input.userAgent),
      })
      .execute();
    if (input.gpc) {
      const overrode = input.advertising ? 'advertising_opt_in' : 'none';
      await insertGpc(trx, [
        {
          at: at.toISOString(),
          subject_kind: 'browser',
          subject_id: input.consentId,
          source: 'page',
          overrode,
        },
      ]);
    }
  });
  return {
    analytics: input.analytics ? 'granted' : 'denied',
    advertising: advertising ? 'granted' : 'denied',
  };
}

/** The choices one browser made, newest first: what the visitor (or a test) can be shown. */
export function choicesOf(db: Db, consentId: string) {
  return db
    .selectFrom('cookie_consents')
    .select([
      'at',
      'analytics',
      'advertising',
      'gpc',
      'policy_version',
      'banner_version',
      'ua_class',
      'source',
      'subject_kind',
      'subject_id',
    ])
    .where('consent_id', '=', consentId)
    .orderBy('id', 'desc')
    .execute();
}

export interface DayRates {
  day: string;
  choices: number;
  analytics: number;
  advertising: number;
  gpc: number;
}

/** Choices per day, with how many granted each category, from `from` to `to` (YYYY-MM-DD). */
export async function consentRates(db: Db, from: string, to: string): Promise<DayRates[]> {
  const rows = await db
    .selectFrom('cookie_consents')
    .select((eb) => [
      'day',
      eb.fn.countAll<number | string>().as('choices'),
      eb.fn.sum<number | string>('analytics').as('analytics'),
      eb.fn.sum<number | string>('advertising').as('advertising'),
      eb.fn.sum<number | string>('gpc').as('gpc'),
    ])
    .where('day', '>=', from)
    .where('day', '<=', to)
    .groupBy('day')
    .orderBy('day', 'desc')
    .execute();
  // PostgreSQL returns counts and sums as strings (bigint / numeric).
  return rows.map((r) => ({
    day: r.day,
    choices: Number(r.choices),
    analytics: Number(r.analytics ?? 0),
    advertising: Number(r.advertising ?? 0),
    gpc: Number(r.gpc ?? 0),
  }));
}
