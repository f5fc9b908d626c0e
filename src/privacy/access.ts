import { fieldClass } from './data-map.js';
import type { Purpose } from './vocabulary.js';

export class PurposeNotAllowedError extends Error {
  constructor(
    readonly table: string,
    readonly column: string,
    readonly purpose: Purpose,
  ) {
    super(`${table}.${column} may not be read for ${purpose}`);
    this.name = 'PurposeNotAllowedError';
  }
}

/** May this column be read for this purpose? Unknown columns are refused, never assumed safe. */
export function mayRead(table: string, column: string, purpose: Purpose): boolean {
  const field = fieldClass(table, column);
  if (!field) return false;
  return !field.personal || field.purposes.includes(purpose);
}

export function assertReadable(table: string, column: string, purpose: Purpose): void {
  if (!mayRead(table, column, purpose)) throw new PurposeNotAllowedError(table, column, purpose);
}

/**
 * Keep only what the purpose allows; refused personal fields are replaced by their masked form
 * (or dropped when no mask exists), so a view can show that a value exists without revealing it.
 */
export function viewFor<Row extends Record<string, unknown>>(
  table: string,
  row: Row,
  purpose: Purpose,
): { [K in keyof Row]: Row[K] | Masked } {
  const out: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(row)) {
    if (isWithheld(table, column, purpose)) continue;
    out[column] = mayRead(table, column, purpose) ? value : mask();
  }
  return out as { [K in keyof Row]: Row[K] | Masked };
}

export interface Masked {
  masked: true;
  hint: string;
}

export function isMasked(v: unknown): v is Masked {
  return typeof v === 'object' && v !== null && (v as Masked).masked === true;
}

/** A mask never carries any part of the value: not even a phone number's last digits. */
export function mask(): Masked {
  return { masked: true, hint: 'hidden' };
}

/**
 * The policy uses phone numbers solely for SMS: outside that purpose a number is not shown at all,
 * not even masked, so a reader cannot tell numbers apart or see that one is held.
 */
export function isWithheld(table: string, column: string, purpose: Purpose): boolean {
  const field = fieldClass(table, column);
  return (
    !!field?.personal && field.category === 'contact.phone' && !mayRead(table, column, purpose)
  );
}
