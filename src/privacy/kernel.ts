import { blindIndex, open, seal, type IndexKind } from './cipher.js';
import { fieldClass, type PersonalField } from './data-map.js';
import type { Keyring } from './keyring.js';
import { isWithheld, mayRead, mask, type Masked } from './access.js';
import type { Purpose } from './vocabulary.js';

/** A row as a purpose allows it to be seen: refused fields arrive as Masked. */
export type Shown<T> = { [K in keyof T]: T[K] | Masked };

const personal = (table: string, column: string): PersonalField | undefined => {
  const f = fieldClass(table, column);
  return f?.personal ? f : undefined;
};

/**
 * The privacy kernel's hold on the data key. Capabilities write through `seal` and read through
 * `reveal`: a sealed column is unreadable anywhere else, so every read of contact details passes
 * the purpose check by construction.
 */
export function createKernel(keys: Keyring) {
  const where = (table: string, column: string) => `${table}.${column}`;

  /** Seals the columns the data map marks encrypted; everything else passes through. */
  function sealRow<T extends object>(table: string, row: T): T {
    const out = { ...row } as Record<string, unknown>;
    for (const [column, value] of Object.entries(row as Record<string, unknown>)) {
      if (typeof value === 'string' && personal(table, column)?.encrypted) {
        out[column] = seal(keys.current, where(table, column), value);
      }
    }
    return out as T;
  }

  /** Opens every sealed column (kernel use only: reseal, access reports, adapters it hands to). */
  function openRow<T extends object>(table: string, row: T): T {
    const out = { ...row } as Record<string, unknown>;
    for (const [column, value] of Object.entries(row as Record<string, unknown>)) {
      if (typeof value === 'string' && personal(table, column)?.encrypted) {
        out[column] = open(keys, where(table, column), value);
      }
    }
    return out as T;
  }

  /**
   * What a purpose may see of some rows: allowed fields opened, refused ones masked, blind indexes
   * and phone numbers outside SMS left out entirely (the policy reserves a number for texts).
   */
  function reveal<T extends object>(table: string, rows: T[], purpose: Purpose): Shown<T>[] {
    return rows.map((row) => {
      const out: Record<string, unknown> = {};
      for (const [column, value] of Object.entries(row as Record<string, unknown>)) {
        const field = personal(table, column);
        if (field?.blindIndexOf || isWithheld(table, column, purpose)) continue;
        const plain =
          typeof value === 'string' && field?.encrypted
            ? open(keys, where(table, column), value)
            : value;
        out[column] = mayRead(table, column, purpose) ? plain : mask();
      }
      return out as Shown<T>;
    });
  }

  return {
    keys,
    seal: sealRow,
    open: openRow,
    reveal,
    /** The index to store with a new or changed value (current key). */
    index: (kind: IndexKind, value: string) => blindIndex(keys.current, kind, value),
    /** Every index the value may be stored under while a key rotation is under way. */
    lookupIndexes: (kind: IndexKind, value: string) => [
      ...new Set(keys.all.map((k) => blindIndex(k, kind, value))),
    ],
  };
}

export type Kernel = ReturnType<typeof createKernel>;
