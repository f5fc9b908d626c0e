import { createHmac, randomInt } from 'node:crypto';
import { generateSecret, generateSync, generateURI, verifySync } from 'otplib';
import QRCode from 'qrcode';

// RFC 6238 time-based one-time passwords: SHA-1, 6 digits, 30-second steps, which every
// authenticator app reads from an otpauth:// address. otplib computes; this file decides the
// window (one step either side, for clocks a little apart) and the recovery codes.

export const TOTP_PERIOD_S = 30;
const WINDOW_S = TOTP_PERIOD_S;

export const newTotpSecret = (): string => generateSecret();

/** The address an authenticator app reads from the QR code. */
export const otpauthUri = (secret: string, issuer: string, label: string) =>
  generateURI({ issuer, label, secret, period: TOTP_PERIOD_S });

/** The QR code of an otpauth address as a data: URL of an SVG image, drawn here. */
export async function qrDataUrl(uri: string): Promise<string> {
  const svg = await QRCode.toString(uri, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}

/** The code an authenticator shows at `at` (tests compute codes from their clock with it). */
export const totpCode = (secret: string, at: Date): string =>
  generateSync({ secret, epoch: Math.floor(at.getTime() / 1000), period: TOTP_PERIOD_S });

/**
 * The 30-second step a code is valid for at `at`, or null. Only a step later than
 * `afterStep` counts, so a code, once accepted, is never accepted again.
 */
export function matchTotp(
  secret: string,
  code: string,
  at: Date,
  afterStep: number | null,
): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const epoch = Math.floor(at.getTime() / 1000);
  const r = verifySync({
    secret,
    token: code,
    epoch,
    period: TOTP_PERIOD_S,
    epochTolerance: WINDOW_S,
  });
  if (!r.valid) return null;
  const step = Math.floor(epoch / TOTP_PERIOD_S) + r.delta;
  return afterStep !== null && step <= afterStep ? null : step;
}

// Recovery codes: 10 characters from an alphabet without look-alikes (about 50 bits each),
// shown as two groups of five. Random enough that a keyed hash protects them at rest.
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
export const RECOVERY_CODE_COUNT = 10;

export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const chars = Array.from({ length: 10 }, () => ALPHABET[randomInt(ALPHABET.length)]);
    return `${chars.slice(0, 5).join('')}-${chars.slice(5).join('')}`;
  });
}

/** The form a typed recovery code is compared in: lower case, no spaces or dashes. */
export const normalizeRecoveryCode = (typed: string) => typed.toLowerCase().replace(/[\s-]/g, '');

export const looksLikeRecoveryCode = (typed: string) =>
  /^[a-z0-9]{10}$/.test(normalizeRecoveryCode(typed));

export const hashRecoveryCode = (key: string, code: string) =>
  createHmac('sha256', key)
    .update(`recovery:${normalizeRecoveryCode(code)}`)
    .digest('hex');
