import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BACKSTOP_PAGES, startCheckpointer, type Checkpointer } from './checkpointer.js';

let dir: string;
let database: SQLite.Database | undefined;
let checkpoints: Checkpointer | undefined;
afterEach(async () => {
  await checkpoints?.stop();
  database?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function open() {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'starspmb-ckpt-'));
  const file = path.join(dir, 'db.sqlite');
  database = new SQLite(file);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.exec('create table t (id integer primary key, body blob)');
  return { db: database, file };
}

describe('background checkpoints', () => {
  it('copies committed pages into the database file from a worker, not after the commit', async () => {
    const { db, file } = open();
    // A long interval: only the explicit request below checkpoints during this test.
    checkpoints = startCheckpointer(db, file, { intervalMs: 60_000 });
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(BACKSTOP_PAGES);
    const before = fs.statSync(file).size;
    const insert = db.prepare('insert into t (body) values (?)');
    for (let i = 0; i < 2000; i++) insert.run(Buffer.alloc(1024, i % 256));
    // 2,000 commits of 1 KiB filled more than the default 1,000 pages, yet the connection did not
    // checkpoint them itself: the database file has not grown.
    expect(fs.statSync(file).size).toBe(before);
    await checkpoints.checkpointNow();
    expect(fs.statSync(file).size).toBeGreaterThan(before + 2000 * 1024);
    expect((db.prepare('select count(*) as n from t').get() as { n: number }).n).toBe(2000);
  });

  it('hands checkpoints back to the connection, with a warning, if the worker cannot run', async () => {
    const { db } = open();
    const warnings: string[] = [];
    // The worker cannot open this file, so it fails at once.
    checkpoints = startCheckpointer(db, path.join(dir, 'missing', 'db.sqlite'), {
      warn: (m) => warnings.push(m),
    });
    await vi.waitFor(() => expect(warnings.join('\n')).toMatch(/background checkpoints stopped/));
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
  });
});
