import { sql, type SqlBool } from 'kysely';
import type { Db } from '../db/database.js';
import type { IndexKind } from './cipher.js';
import { dataMap, type FieldClass, type PersonalField } from './data-map.js';
import type { Kernel } from './kernel.js';

const CHUNK = 500;

interface Plan {
  table: string;
  sealed: string[];
  /** index column -> the column it indexes */
  indexes: [string, string][];
}

/** Every table holding sealed columns, read from the data map so a new one cannot be missed. */
export function resealPlans(): Plan[] {
  return Object.entries(dataMap as Record<string, Record<string, FieldClass>>)
    .map(([table, cols]) => {
      const fields = Object.entries(cols).filter(
        (e): e is [string, PersonalField] => e[1].personal,
      );
      return {
        table,
        sealed: fields.filter(([, f]) => f.encrypted).map(([c]) => c),
        indexes: fields
          .filter(([, f]) => f.blindIndexOf)
          .map(([c, f]) => [c, f.blindIndexOf!] as [string, string]),
      };
    })
    .filter((p) => p.sealed.length > 0);
}

const indexKind = (column: string): IndexKind => (column === 'phone' ? 'phone' : 'email');

// Plain SQL over table names from the data map: the typed builder cannot name tables at runtime.
function pending(db: Db, plan: Plan, currentId: string) {
  const stale = [
    ...plan.sealed.map((c) => sql<SqlBool>`${sql.ref(c)} not like ${`enc1.${currentId}.%`}`),
    ...plan.indexes.map(([c]) => sql<SqlBool>`${sql.ref(c)} is null`),
  ];
  return sql.join(stale, sql` or `);
}

export interface ResealProgress {
  table: string;
  done: number;
  total: number;
}

/**
 * Seals every value not yet under the current key — rows stored before encryption, or under a
 * key being rotated out — and recomputes their blind indexes. Works in chunks, each its own
 * transaction, so it can stop anywhere and a second run picks up what is left.
 */
export async function resealPending(
  db: Db,
  kernel: Kernel,
  // May return a promise, awaited before the next chunk (a test lets a reader run in between).
  onProgress?: (p: ResealProgress) => void | Promise<void>,
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const plan of resealPlans()) {
    const filter = pending(db, plan, kernel.keys.current.id);
    const totalRow = await sql<{
      n: number | string;
    }>`select count(*) as n from ${sql.table(plan.table)} where ${filter}`.execute(db);
    const total = Number(totalRow.rows[0]?.n ?? 0);
    counts[plan.table] = 0;
    let after = '';
    while (counts[plan.table]! < total) {
      const columns = sql.join(
        ['id', ...plan.sealed, ...plan.indexes.map(([c]) => c)].map((c) => sql.ref(c)),
      );
      const rows = await sql<
        Record<string, string | null>
      >`select ${columns} from ${sql.table(plan.table)}
        where id > ${after} and (${filter}) order by id limit ${CHUNK}`.execute(db);
      if (rows.rows.length === 0) break;
      await db.transaction().execute(async (trx) => {
        for (const row of rows.rows) {
          const opened = kernel.open(plan.table, row);
          const changes: Record<string, string> = {};
          for (const c of plan.sealed) if (typeof opened[c] === 'string') changes[c] = opened[c];
          const sealedRow = kernel.seal(plan.table, changes);
          for (const [idx, source] of plan.indexes) {
            const v = opened[source];
            if (typeof v === 'string') sealedRow[idx] = kernel.index(indexKind(source), v);
          }
          const sets = sql.join(
            Object.entries(sealedRow).map(([c, v]) => sql`${sql.ref(c)} = ${v}`),
          );
          await sql`update ${sql.table(plan.table)} set ${sets} where id = ${row.id}`.execute(trx);
        }
      });
      after = String(rows.rows.at(-1)!.id);
      counts[plan.table]! += rows.rows.length;
      await onProgress?.({ table: plan.table, done: counts[plan.table]!, total });
    }
  }
  return counts;
}

/** How many stored values each key still seals, to tell when an old key can be dropped. */
export async function valuesByKey(db: Db): Promise<Map<string, number>> {
  const byKey = new Map<string, number>();
  for (const plan of resealPlans()) {
    for (const c of plan.sealed) {
      const rows = await sql<{ k: string | null; n: number | string }>`
        select substr(${sql.ref(c)}, 6, 8) as k, count(*) as n from ${sql.table(plan.table)}
        where ${sql.ref(c)} like 'enc1.%' group by substr(${sql.ref(c)}, 6, 8)`.execute(db);
      for (const r of rows.rows) if (r.k) byKey.set(r.k, (byKey.get(r.k) ?? 0) + Number(r.n));
    }
  }
  return byKey;
}
