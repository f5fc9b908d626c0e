import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TestClock, type TestApp } from '../test-support/app.js';
import { readHeader } from './format.js';
import { scheduledBackups } from './schedule.js';

const HOUR = 3_600_000;
let t: TestApp;
const clock = new TestClock();
let dir: string;
beforeAll(async () => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'starspmb-sched-'));
  dir = path.join(base, 'backups');
  t = await createTestApp({
    clock,
    env: { BACKUP_DIR: dir, BACKUP_KEEP: '2', ANALYTICS_WRITER: 'inline' },
  });
  fs.writeFileSync(path.join(base, 'keep-me.txt'), 'not a backup');
});
afterAll(async () => {
  await t.close();
  fs.rmSync(path.dirname(dir), { recursive: true, force: true });
});

describe('the daily backup', () => {
  it('is off unless BACKUP_DIR is set', async () => {
    const off = await createTestApp();
    try {
      expect(await off.app.backups.runOnce()).toEqual({ status: 'off' });
    } finally {
      await off.close();
    }
  });

  it('writes one a day by the clock, owner-only, and keeps the newest BACKUP_KEEP', async () => {
    const first = await t.app.backups.runOnce();
    expect(first).toMatchObject({ status: 'written', removed: [] });
    expect(scheduledBackups(dir)).toEqual(['starspmb-20261128T120000Z.backup']);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    const file = path.join(dir, scheduledBackups(dir)[0]!);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect((await readHeader(file)).header.createdAt).toBe('2026-11-28T12:00:00.000Z');

    // Restarts and hourly checks within the day add nothing.
    clock.advance(23 * HOUR);
    expect(await t.app.backups.runOnce()).toMatchObject({ status: 'not due' });
    clock.advance(HOUR);
    expect(await t.app.backups.runOnce()).toMatchObject({ status: 'written', removed: [] });
    // A half-written file from a crash goes; a file the schedule did not name stays.
    fs.writeFileSync(path.join(dir, 'starspmb-20261129T130000Z.backup.partial'), 'x');
    fs.writeFileSync(path.join(dir, 'operator-copy.backup'), 'mine');
    clock.advance(24 * HOUR);
    expect(await t.app.backups.runOnce()).toMatchObject({
      status: 'written',
      removed: ['starspmb-20261128T120000Z.backup'],
    });
    expect(fs.readdirSync(dir).sort()).toEqual([
      'operator-copy.backup',
      'starspmb-20261129T120000Z.backup',
      'starspmb-20261130T120000Z.backup',
    ]);
  });
});
