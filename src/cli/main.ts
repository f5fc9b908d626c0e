import { parseArgs } from 'node:util';
import { ownerOnlyByDefault } from '../config/data-dir.js';
import { ConfigError, loadConfig, type Config } from '../config/env.js';
import { useConfiguredAuditKey } from '../audit/key.js';
import { auditCommand, auditUsage } from './audit.js';
import { backupCommand, backupUsage, restoreCommand } from './backup.js';
import { demoCommand, demoUsage } from './demo.js';
import { keysCommand, keysUsage } from './keys.js';
import { migrateCommand } from './migrate.js';
import { serveCommand } from './serve.js';
import { retentionCommand } from './retention.js';
import { userCommand } from './user.js';

const usage = `Usage: starspmb <command>

Commands:
  serve                                   start the website (migrates first)
  migrate                                 bring the database schema up to date
  user create --email E --role R          create a staff account (role: admin, sales, marketing, privacy);
                                          the password is asked for, or read from standard input
  user list                               every staff account with its role, status and last sign-in
  user disable <email>                    end that person's sessions and refuse their sign-in
  user reset-link <email>                 print a one-time password reset link (30 minutes)
${auditUsage}
  retention run [--dry-run]               delete what the retention periods say is due (legal holds respected);
                                          --dry-run only counts it

${keysUsage}

${backupUsage}

${demoUsage}

Settings come from the same environment variables as the server (DATA_DIR, DATABASE_URL, ...).`;

/** Commands that write audit entries key them like the server does, making the key if none exists. */
function withAuditKey(config: Config): Config {
  useConfiguredAuditKey(config);
  return config;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  // Key files, the database and mail written by any command are the owner's alone.
  ownerOnlyByDefault();
  try {
    switch (command) {
      case 'serve':
        await serveCommand(loadConfig());
        return -1;
      case 'migrate':
        return await migrateCommand(withAuditKey(loadConfig()));
      case 'user':
        return await userCommand(withAuditKey(loadConfig()), rest, parseArgs);
      case 'keys':
        return await keysCommand(withAuditKey(loadConfig()), rest);
      case 'audit':
        return await auditCommand(loadConfig(), rest);
      case 'backup':
        return await backupCommand(loadConfig(), rest);
      case 'restore':
        return await restoreCommand(loadConfig(), rest);
      case 'demo':
        return await demoCommand(withAuditKey(loadConfig()), rest);
      case 'retention':
        return await retentionCommand(withAuditKey(loadConfig()), rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        console.log(usage);
        return command === undefined ? 1 : 0;
      default:
        console.error(`Unknown command "${command}".\n\n${usage}`);
        return 1;
    }
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      return 1;
    }
    throw err;
  }
}

const code = await main(process.argv.slice(2));
if (code >= 0) process.exitCode = code;
