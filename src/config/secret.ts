import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { makeOwnerDir, OWNER_FILE } from './data-dir.js';

/**
 * The secret that signs cookies and form tokens: APP_SECRET, or for the embedded default a file
 * made on first start, readable by the owner only, so several restarts keep sessions valid.
 */
export function loadAppSecret(dataDir: string, fromEnv: string | undefined): string {
  if (fromEnv) return fromEnv;
  const file = path.join(dataDir, 'app-secret');
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  makeOwnerDir(dataDir);
  const secret = randomBytes(32).toString('base64url');
  fs.writeFileSync(file, `${secret}\n`, { mode: OWNER_FILE, flag: 'wx' });
  return secret;
}
