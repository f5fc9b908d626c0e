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
    out[column] = mayRead(table, column, purpose) ? value : mask(table, column, value);
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

export function mask(table: string, column: string, value: unknown): Masked {
  const field = fieldClass(table, column);
  if (field?.personal && field.category === 'contact.phone' && typeof value === 'string') {
    return { masked: true, hint: `•••-•••-${value.slice(-4)}` };
  }
  return { masked: true, hint: 'hidden' };
}
