import type { parseArgs as ParseArgs } from 'node:util';
import { createAccountService } from '../accounts/service.js';
import { systemClock } from '../adapters/clock.js';
import type { Config } from '../config/env.js';
import { loadAppSecret } from '../config/secret.js';
import { createDb } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import type { StaffRole } from '../db/schema.js';
import { DomainError } from '../web/errors.js';
import { readSecret } from './prompt.js';

const roles: readonly StaffRole[] = ['admin', 'sales', 'marketing', 'privacy'];

export async function userCommand(
  config: Config,
  args: string[],
  parseArgs: typeof ParseArgs,
): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'create') {
    console.error('Usage: starspmb user create --email E --role admin|sales|marketing|privacy');
    return 1;
  }
  const { values } = parseArgs({
    args: rest,
    options: { email: { type: 'string' }, role: { type: 'string' } },
    strict: true,
  });
  if (!values.email || !values.role || !roles.includes(values.role as StaffRole)) {
    console.error(`Both --email and --role (${roles.join(', ')}) are required.`);
    return 1;
  }
  const password = await readSecret('Password (12 characters or more): ');
  const db = createDb(config.databaseUrl);
  try {
    await migrateToLatest(db);
    const secret = loadAppSecret(config.dataDir, config.appSecret);
    const accounts = createAccountService({ db, clock: systemClock, config, secret });
    const user = await accounts.createStaffUser({
      email: values.email,
      password,
      role: values.role as StaffRole,
    });
    console.log(`Created ${user.role} account for ${user.email}.`);
    return 0;
  } catch (err) {
    if (err instanceof DomainError) {
      const details = Object.values(err.fields);
      console.error([err.message, ...details].join('\n'));
      return 1;
    }
    throw err;
  } finally {
    await db.destroy();
  }
}
