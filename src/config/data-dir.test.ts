import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailer } from '../adapters/mailer.js';
import { createDb } from '../db/database.js';
import { loadKeyring } from '../privacy/keyring.js';
import { checkDataDirModes } from './data-dir.js';
import { loadAppSecret } from './secret.js';

// DATA_DIR holds the database, queued mail, the app secret and the data key: what the app
// creates there is its owner's alone (files 0600, folders 0700) whatever the umask, and a start
// finding anything wider says so, naming the path.

const modeOf = (p: string) => (fs.statSync(p).mode & 0o777).toString(8);

let root: string;
let umask: number;
beforeAll(() => {
  // The usual umask, which leaves new files readable by everyone unless a mode is given.
  umask = process.umask(0o022);
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'starspmb-modes-'));
});
afterAll(() => {
  process.umask(umask);
  fs.rmSync(root, { recursive: true, force: true });
});

describe('files the app creates under DATA_DIR', () => {
  it('are 0600 and their folders 0700: database, log, app secret, data key, outbox mail', async () => {
    const dataDir = path.join(root, 'data');
    const db = createDb(`sqlite:${path.join(dataDir, 'starspmb.db')}`);
    await sql`create table t (a integer)`.execute(db);
    await sql`insert into t values (1)`.execute(db);
    loadAppSecret(dataDir, undefined);
    loadKeyring({ dataDir });
    const mailer = createMailer({
      outboxDir: path.join(dataDir, 'outbox'),
      from: 'site@example.test',
    });
    await mailer.send({ to: ['riley@example.test'], subject: 's', text: 't', messageId: '<m@x>' });
    mailer.close();
    const expected = {
      '.': '700',
      'starspmb.db': '600',
      'starspmb.db-wal': '600',
      'starspmb.db-shm': '600',
      'app-secret': '600',
      'data-keys.json': '600',
      outbox: '700',
      'outbox/_m_x_.eml': '600',
    };
    const actual = Object.fromEntries(
      Object.keys(expected).map((p) => [p, modeOf(path.join(dataDir, p))]),
    );
    await db.destroy();
    expect(actual).toEqual(expected);
    const warnings: string[] = [];
    expect(checkDataDirModes(dataDir, (m) => warnings.push(m))).toBe(0);
    expect(warnings).toEqual([]);
  });

  it('are checked at start: a wider file or folder is named in a warning', () => {
    const dataDir = path.join(root, 'wide');
    fs.mkdirSync(path.join(dataDir, 'outbox'), { recursive: true, mode: 0o700 });
    fs.chmodSync(dataDir, 0o700);
    fs.writeFileSync(path.join(dataDir, 'app-secret'), 'x', { mode: 0o600 });
    fs.writeFileSync(path.join(dataDir, 'outbox', 'old.eml'), 'x', { mode: 0o644 });
    fs.chmodSync(path.join(dataDir, 'outbox'), 0o755);
    const warnings: string[] = [];
    expect(checkDataDirModes(dataDir, (m) => warnings.push(m))).toBe(2);
    expect(warnings).toHaveLength(2);
    expect(warnings.join('\n')).toContain(
      `${path.join(dataDir, 'outbox')} is open to other accounts (mode 755)`,
    );
    expect(warnings.join('\n')).toContain(
      `${path.join(dataDir, 'outbox', 'old.eml')} is open to other accounts (mode 644)`,
    );
    expect(warnings.join('\n')).not.toContain('app-secret');
  });
});
