import type { Config } from '../config/env.js';
import { createDb } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';

export async function migrateCommand(config: Config): Promise<number> {
  const db = createDb(config.databaseUrl);
  try {
    const applied = await migrateToLatest(db);
    console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'The database is up to date.');
    return 0;
  } finally {
    await db.destroy();
  }
}
