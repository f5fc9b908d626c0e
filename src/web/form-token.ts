import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

// One token per rendered form: it carries when the form was shown (the time trap) and a random
// key (the idempotency key), signed so neither can be forged or replayed from another site.
const MAX_AGE_MS = 24 * 60 * 60_000;

export interface FormToken {
  renderedAt: number;
  key: string;
}

export type TokenCheck =
  { ok: true; token: FormToken } | { ok: false; reason: 'invalid' | 'expired' };

/** What a person is told when their form's token fails: the same words on every public form. */
export const expiredFormMessage =
  'This form has expired or did not come from our website. Please reload the page and send it again.';

export function createFormTokens(secret: string) {
  const sign = (body: string) =>
    createHmac('sha256', secret).update(`intake:${body}`).digest('base64url');

  return {
    issue(now: Date): string {
      // 122 random bits from Node's batched CSPRNG pool: a fresh draw per form cost more.
      const body = `${now.getTime().toString(36)}.${randomUUID().replaceAll('-', '')}`;
      return `${body}.${sign(body)}`;
    },
    check(token: string, now: Date): TokenCheck {
      const parts = token.split('.');
      if (parts.length !== 3) return { ok: false, reason: 'invalid' };
      const [time, key, mac] = parts as [string, string, string];
      const expected = Buffer.from(sign(`${time}.${key}`));
      const given = Buffer.from(mac);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        return { ok: false, reason: 'invalid' };
      }
      const renderedAt = parseInt(time, 36);
      if (!Number.isFinite(renderedAt) || now.getTime() - renderedAt > MAX_AGE_MS) {
        return { ok: false, reason: 'expired' };
      }
      return { ok: true, token: { renderedAt, key } };
    },
  };
}

export type FormTokens = ReturnType<typeof createFormTokens>;
