import { z } from 'zod';
import { BackupFileError } from './format.js';

/** Told how far a step has come: done out of total (pages, tables or bytes). */
export type Progress = (done: number, total: number) => void;

/** What a backup holds, written as its first (encrypted) record. */
export const manifestSchema = z.object({
  engine: z.enum(['sqlite', 'postgres']),
  createdAt: z.string(),
  /** Migrations the database had applied, oldest first. */
  migrations: z.array(z.string()),
  /** Rows per table, counted in the same snapshot as the dump. */
  tables: z.record(z.string(), z.number()),
  /** How the dump is packed: a gzipped SQLite file, or pg_dump's custom format. */
  payload: z.enum(['sqlite+gzip', 'pg_dump-custom']),
});
export type Manifest = z.infer<typeof manifestSchema>;

export function parseManifest(raw: Buffer | undefined): Manifest {
  try {
    return manifestSchema.parse(JSON.parse(raw?.toString('utf8') ?? ''));
  } catch {
    throw new BackupFileError('the backup manifest is not readable');
  }
}
