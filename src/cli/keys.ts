import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import type { Config } from '../config/env.js';
import { createDb } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { KEY_POLL_MS } from '../privacy/live-keyring.js';
import { dropOldWaitMs, dropUnusedKeys, rotateDataKey } from '../privacy/rotation.js';

export const keysUsage = `  keys rotate                             re-encrypt every contact field under a new data key (resumable)
  keys drop-old                           remove older keys that seal nothing from the key file`;

export async function keysCommand(config: Config, args: string[]): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  const sub = positionals[0];
  if (sub !== 'rotate' && sub !== 'drop-old') {
    console.error(`Usage:\n${keysUsage}`);
    return 1;
  }
  const db = createDb(config.databaseUrl);
  if (sub === 'drop-old') {
    try {
      if (config.dataKey) {
        console.error(
          'Keys come from STARSPMB_DATA_KEY: remove old ones from STARSPMB_PREVIOUS_DATA_KEYS yourself.',
        );
        return 1;
      }
      const wait = dropOldWaitMs(config.dataDir, new Date());
      if (wait > 0) {
        console.error(
          `The newest key is too new: running servers may not have read it yet. Try again in ${Math.ceil(wait / 1000)} s.`,
        );
        return 1;
      }
      const { dropped, keptForOptOuts } = await dropUnusedKeys(db, config.dataDir);
      console.log(
        dropped.length ? `Removed key(s): ${dropped.join(', ')}.` : 'No unused key to remove.',
      );
      if (keptForOptOuts.length) console.log(keptForOptOutsNote(keptForOptOuts));
      return 0;
    } finally {
      await db.destroy();
    }
  }
  const bar = new cliProgress.SingleBar(
    { format: '  {table} [{bar}] {value}/{total}', stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  let table = '';
  try {
    await migrateToLatest(db);
    const result = await rotateDataKey(
      db,
      {
        dataDir: config.dataDir,
        key: config.dataKey,
        previous: config.previousDataKeys,
        at: new Date(),
      },
      (p) => {
        if (p.table !== table) {
          if (table) bar.stop();
          table = p.table;
          bar.start(p.total, 0, { table });
        }
        bar.update(p.done);
      },
    );
    if (table) bar.stop();
    const total = Object.values(result.resealed).reduce((a, b) => a + b, 0);
    console.log(
      `${result.resumed ? 'Finished an interrupted rotation' : 'Rotated'}: ${total} row(s) now sealed under key ${result.current}.`,
    );
    if (result.keptForOptOuts.length) {
      console.log(
        keptForOptOutsNote(result.keptForOptOuts) +
          (config.dataKey ? ' Keep them in STARSPMB_PREVIOUS_DATA_KEYS.' : ''),
      );
    }
    console.log(nextSteps(config, result.current, result.unused));
    return 0;
  } finally {
    await db.destroy();
  }
}

/** What happens next on the running servers, and what the operator still has to do. */
function nextSteps(config: Config, current: string, unused: string[]): string {
  const poll = KEY_POLL_MS / 1000;
  if (config.dataKey) {
    return (
      `Next: servers read STARSPMB_DATA_KEY only when they start. Every instance must run with key ${current} ` +
      'as STARSPMB_DATA_KEY and the older keys in STARSPMB_PREVIOUS_DATA_KEYS (restart them one at a time; ' +
      'best before rotating, so none meets a value sealed under a key it lacks).' +
      (unused.length
        ? ` Then remove ${unused.join(', ')} from STARSPMB_PREVIOUS_DATA_KEYS and restart again.`
        : '')
    );
  }
  return (
    `Next: running servers sharing ${config.dataDir} pick up key ${current} by themselves within ${poll} s ` +
    '(at once on SIGHUP: `systemctl reload starspmb` or `kill -HUP <pid>`); no restart is needed, and ' +
    'pages that show contact details keep working meanwhile.' +
    (unused.length
      ? ` Older key(s) ${unused.join(', ')} seal nothing now: after ${2 * poll} s, run \`starspmb keys drop-old\`.`
      : '')
  );
}

const keptForOptOutsNote = (ids: string[]) =>
  `Kept older key(s) ${ids.join(', ')}: they seal nothing, but opt-outs are indexed under them, and an opt-out ` +
  'holds no address that could be indexed again, so the key stays for as long as the opt-out stands.';
