import fs from 'node:fs';
import path from 'node:path';

// DATA_DIR holds the database, queued mail with people's addresses, the app secret and the data
// key: readable by the account that runs the site and no one else. Everything the app creates
// there is made owner-only with explicit modes (whatever the umask), and the server looks at
// what it finds at start.

/** Files: read and write by the owner only. */
export const OWNER_FILE = 0o600;
/** Folders: the owner only. */
export const OWNER_DIR = 0o700;

/** Creating files and folders owner-only by default, for whatever a library creates itself. */
export function ownerOnlyByDefault(): void {
  process.umask(0o077);
}

/** Makes a folder (and missing parents) owner-only; an existing one is left as it is. */
export function makeOwnerDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: OWNER_DIR });
}

/** Creates an empty owner-only file if there is none, so what opens it later keeps that mode. */
export function touchOwnerFile(file: string): void {
  makeOwnerDir(path.dirname(file));
  fs.closeSync(fs.openSync(file, 'a', OWNER_FILE));
}

/** Paths under `dir` (itself included) that others may read, write or enter, with their modes. */
export function widerThanOwner(dir: string, limit = 1000): { path: string; mode: string }[] {
  const found: { path: string; mode: string }[] = [];
  const visit = (p: string) => {
    if (found.length >= limit) return;
    const st = fs.lstatSync(p, { throwIfNoEntry: false });
    if (!st || st.isSymbolicLink()) return;
    if ((st.mode & 0o077) !== 0) found.push({ path: p, mode: (st.mode & 0o777).toString(8) });
    if (st.isDirectory()) for (const name of fs.readdirSync(p)) visit(path.join(p, name));
  };
  visit(dir);
  return found;
}

/** Warns, naming each path, when anything under DATA_DIR is open to other accounts. */
export function checkDataDirModes(dir: string, warn: (message: string) => void): number {
  const wide = widerThanOwner(dir);
  for (const w of wide.slice(0, 20)) {
    warn(
      `${w.path} is open to other accounts (mode ${w.mode}); DATA_DIR holds secrets and personal ` +
        `data: chmod ${fs.statSync(w.path).isDirectory() ? '700' : '600'} it`,
    );
  }
  if (wide.length > 20) warn(`…and ${wide.length - 20} more paths under ${dir} (chmod -R go-rwx)`);
  return wide.length;
}
