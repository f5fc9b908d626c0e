import type { Db } from '../db/database.js';
import { appendAudit } from '../audit/log.js';
import { createKernel } from './kernel.js';
import { addKeyToFile, dropKeysFromFile, loadKeyring, type KeyringOptions } from './keyring.js';
import { resealPending, valuesByKey, type ResealProgress } from './reseal.js';

export interface RotationResult {
  /** The key everything is sealed under now. */
  current: string;
  /** True when this run finished an earlier, interrupted rotation instead of starting one. */
  resumed: boolean;
  resealed: Record<string, number>;
  /** Older keys still loaded that no stored value uses any more. */
  unused: string[];
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
  onProgress?: (p: ResealProgress) => void,
): Promise<RotationResult> {
  let keys = loadKeyring(opts);
  const before = await valuesByKey(db);
  const behind = [...before.keys()].some((id) => id !== keys.current.id);
  const resumed = behind && keys.all.length > 1;
  if (keys.source !== 'env' && !resumed) keys = addKeyToFile(opts.dataDir);
  const kernel = createKernel(keys);
  const resealed = await resealPending(db, kernel, onProgress);
  const after = await valuesByKey(db);
  const unused = keys.all.map((k) => k.id).filter((id) => id !== keys.current.id && !after.has(id));
  await appendAudit(
    db,
    {
      actor: { kind: 'system', name: 'cli' },
      action: 'key_rotation',
      detail: { current: keys.current.id, resumed, resealed: Object.values(resealed).reduce((a, b) => a + b, 0) },
    },
    opts.at,
  );
  return { current: keys.current.id, resumed, resealed, unused };
}

/** Removes older keys that seal nothing from the key file (after app instances restarted). */
export async function dropUnusedKeys(db: Db, dataDir: string): Promise<string[]> {
  const used = await valuesByKey(db);
  return dropKeysFromFile(dataDir, (id) => used.has(id));
}
