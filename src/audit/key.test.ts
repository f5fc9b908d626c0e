import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config/env.js';
import { TEST_AUDIT_KEY_TEXT, testAuditKey } from '../test-support/app.js';
import { AUDIT_KEY_FILE, loadAuditKey } from './key.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'starspmb-auditkey-'));
  dirs.push(dir);
  return dir;
}

describe('loadAuditKey', () => {
  it('makes DATA_DIR/audit-key once, readable by its owner only, and reads the same key after', () => {
    const dataDir = tempDir();
    const created: string[] = [];
    const first = loadAuditKey({ dataDir, create: true, onCreated: (f) => created.push(f) });
    const file = path.join(dataDir, AUDIT_KEY_FILE);
    expect(created).toEqual([file]);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const again = loadAuditKey({ dataDir, create: true, onCreated: (f) => created.push(f) });
    expect(again?.id).toBe(first?.id);
    expect(created).toHaveLength(1);
  });

  it('prefers STARSPMB_AUDIT_KEY, and makes nothing for read-only commands', () => {
    const dataDir = tempDir();
    expect(loadAuditKey({ dataDir, create: false })).toBeUndefined();
    expect(fs.existsSync(path.join(dataDir, AUDIT_KEY_FILE))).toBe(false);
    const fromEnv = loadAuditKey({ dataDir, key: TEST_AUDIT_KEY_TEXT, create: false });
    expect(fromEnv).toMatchObject({ id: testAuditKey.id, source: 'env' });
  });

  it('names a damaged key file instead of making a new key over it', () => {
    const dataDir = tempDir();
    fs.writeFileSync(path.join(dataDir, AUDIT_KEY_FILE), 'too short\n');
    expect(() => loadAuditKey({ dataDir, create: true })).toThrow(
      /audit-key must be 32 random bytes/,
    );
  });
});

describe('audit settings at start', () => {
  it('refuses a malformed key and a checkpoint interval longer than a day, saying why', () => {
    const bad = () =>
      loadConfig({ STARSPMB_AUDIT_KEY: 'secret', AUDIT_CHECKPOINT_INTERVAL_HOURS: '48' });
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow(/STARSPMB_AUDIT_KEY: must be 32 random bytes/);
    expect(bad).toThrow(/AUDIT_CHECKPOINT_INTERVAL_HOURS: must be at most 24/);
    expect(() => loadConfig({ AUDIT_CHECKPOINT_INTERVAL_HOURS: '0' })).toThrow(/more than 0/);
  });

  it('keeps checkpoints in DATA_DIR unless AUDIT_CHECKPOINT_FILE puts them elsewhere', () => {
    expect(loadConfig({ DATA_DIR: '/srv/spmb' }).auditCheckpointFile).toBe(
      '/srv/spmb/audit-checkpoints.jsonl',
    );
    const elsewhere = loadConfig({ AUDIT_CHECKPOINT_FILE: '/mnt/worm/cp.jsonl' });
    expect(elsewhere.auditCheckpointFile).toBe('/mnt/worm/cp.jsonl');
  });
});
