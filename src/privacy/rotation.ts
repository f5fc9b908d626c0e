import type { Db } from '../db/database.js';
import { appendAudit } from '../audit/log.js';
import { createKernel } from './kernel.js';
import {
  addKeyToFile,
  currentKeySince,
  dropKeysFromFile,
  loadKeyring,
  type KeyringOptions,
} from './keyring.js';
import { KEY_POLL_MS } from './live-keyring.js';
import { resealPending, valuesByKey, type ResealProgress } from './reseal.js';
import { labelSuppressionKeys, suppressionKeys } from './suppression.js';

export interface RotationResult {
  /** The key everything is sealed under now. */
  current: string;
  /** True when this run finished an earlier, interrupted rotation instead of starting one. */
  resumed: boolean;
  resealed: Record<string, number>;
  /** Older keys still loaded that no stored value uses any more. */
  unused: string[];
  /** Older keys that seal nothing but still index opt-outs, which must stay findable. */
  keptForOptOuts: string[];
}

/**
 * Re-encrypts every sealed value under a new data key and recomputes the blind indexes.
 * Resumable: an interrupted run leaves values under both keys, and the next run finishes the
 * job under the same new key instead of making another. With the embedded key file the new key
 * is made here; with STARSPMB_DATA_KEY the operator sets the new key and lists the old one in
 * STARSPMB_PREVIOUS_DATA_KEYS before running it.
 */
export async function rotateDataKey(
  db: Db,
  opts: KeyringOptions & { at: Date },
  onProgress?: (p: ResealProgress) => void | Promise<void>,
): Promise<RotationResult> {
  let keys = loadKeyring(opts);
  // Before a second key exists, the one key in use is certainly the one older opt-outs used.
  await labelSuppressionKeys(db, createKernel(keys));
  const before = await valuesByKey(db);
  const behind = [...before.keys()].some((id) => id !== keys.current.id);
  const resumed = behind && keys.all.length > 1;
  if (keys.source !== 'env' && !resumed) keys = addKeyToFile(opts.dataDir);
  const kernel = createKernel(keys);
  const resealed = await resealPending(db, kernel, onProgress);
  const after = await valuesByKey(db);
  const optOuts = await suppressionKeys(db);
  const older = keys.all.map((k) => k.id).filter((id) => id !== keys.current.id && !after.has(id));
  const needed = (id: string) => optOuts.unlabelled > 0 || optOuts.byKey.has(id);
  const unused = older.filter((id) => !needed(id));
  const keptForOptOuts = older.filter(needed);
  await appendAudit(
    db,
    {
      actor: { kind: 'system', name: 'cli' },
      action: 'key_rotation',
      detail: {
        current: keys.current.id,
        resumed,
        resealed: Object.values(resealed).reduce((a, b) => a + b, 0),
      },
    },
    opts.at,
  );
  return { current: keys.current.id, resumed, resealed, unused, keptForOptOuts };
}

export interface DropResult {
  dropped: string[];
  /** Keys kept although they seal nothing: opt-outs were indexed under them. */
  keptForOptOuts: string[];
}

/**
 * Removes older keys that seal nothing from the key file (after app instances restarted). A key
 * that indexed an opt-out stays: without it that person's "no" could no longer be found. Opt-outs
 * of unknown key (older than the record of keys) keep every key.
 */
export async function dropUnusedKeys(db: Db, dataDir: string): Promise<DropResult> {
  const sealed = await valuesByKey(db);
  const optOuts = await suppressionKeys(db);
  const keptForOptOuts: string[] = [];
  const dropped = dropKeysFromFile(dataDir, (id) => {
    if (sealed.has(id)) return true;
    const needed = optOuts.unlabelled > 0 || optOuts.byKey.has(id);
    if (needed) keptForOptOuts.push(id);
    return needed;
  });
  return { dropped, keptForOptOuts };
}

/**
 * How long `keys drop-old` must still wait after the key file's newest key was made: until every
 * running server has polled the file twice (decision 027), none still seals under an older key.
 * A value sealed under it in that window is counted by `valuesByKey` and keeps the key anyway.
 */
export function dropOldWaitMs(dataDir: string, now: Date): number {
  const since = currentKeySince(dataDir);
  if (!since) return 0;
  return Math.max(0, since.getTime() + 2 * KEY_POLL_MS - now.getTime());
}
