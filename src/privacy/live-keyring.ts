import fs from 'node:fs';
import path from 'node:path';
import {
  KEY_FILE,
  loadKeyring,
  type DataKey,
  type Keyring,
  type KeyringOptions,
} from './keyring.js';

/**
 * A keyring a running server keeps current while `starspmb keys rotate` and `keys drop-old`
 * change the key file under it (decision 027). It reads the file again
 *  - when it changed and a value names a key it does not hold (so a reveal during a rotation
 *    finds the new key instead of failing),
 *  - when `reload()` is called (the server calls it on SIGHUP),
 *  - and when `watch()` sees the file change (a short poll, so a new key becomes the one new
 *    values are sealed under within seconds, on every instance sharing the file).
 * Keys from the environment cannot change under a running process: `reload` keeps them.
 */
export interface LiveKeyring extends Keyring {
  /** Reads the key file again; true when the set of keys or the current key changed. */
  reload(): boolean;
  /** Polls the key file every `intervalMs`; returns the function that stops polling. */
  watch(intervalMs: number, onChange: (ring: Keyring) => void): () => void;
}

/** What identifies one version of the key file without reading it. */
/** How often a server looks at the key file; `keys drop-old` waits at least twice this long. */
export const KEY_POLL_MS = 5_000;

const stampOf = (file: string): string => {
  try {
    const s = fs.statSync(file);
    return `${s.ino}:${s.size}:${s.mtimeMs}`;
  } catch {
    return 'missing';
  }
};

const idsOf = (ring: Keyring) => `${ring.current.id}|${ring.all.map((k) => k.id).join(',')}`;

export function liveKeyring(
  opts: KeyringOptions & { onError?: (err: Error) => void },
): LiveKeyring {
  const file = path.join(opts.dataDir, KEY_FILE);
  let ring = loadKeyring(opts);
  const fromFile = ring.source !== 'env';
  let stamp = fromFile ? stampOf(file) : '';

  function reload(): boolean {
    if (!fromFile) return false;
    const next = stampOf(file);
    try {
      // Never create a file here: a key file that vanished is an operator's mistake to report.
      if (next === 'missing') throw new Error(`the data key file ${file} is gone`);
      const fresh = loadKeyring({ dataDir: opts.dataDir });
      stamp = next;
      const changed = idsOf(fresh) !== idsOf(ring);
      ring = fresh;
      return changed;
    } catch (err) {
      // The keys in memory stay in use: a half-edited or missing file must not stop reveals.
      opts.onError?.(err as Error);
      return false;
    }
  }

  function byId(id: string): DataKey | undefined {
    const key = ring.byId(id);
    if (key || !fromFile) return key;
    // A value sealed under a key this process has not seen: read the file again if it changed.
    if (stampOf(file) !== stamp) reload();
    return ring.byId(id);
  }

  function watch(intervalMs: number, onChange: (r: Keyring) => void): () => void {
    if (!fromFile) return () => undefined;
    const timer = setInterval(() => {
      if (stampOf(file) !== stamp && reload()) onChange(ring);
    }, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  return {
    get current() {
      return ring.current;
    },
    get all() {
      return ring.all;
    },
    get source() {
      return ring.source;
    },
    byId,
    reload,
    watch,
  };
}
