import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { keyringOf } from '../privacy/keyring.js';
import { BackupFileError, CHUNK, createBackupWriter, readHeader, readRecords } from './format.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'starspmb-format-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const keys = keyringOf([Buffer.alloc(32, 1)], 'test');
const otherKeys = keyringOf([Buffer.alloc(32, 2)], 'other');
const at = new Date('2026-11-28T12:00:00.000Z');
// Three full records and a part: enough for cuts at and between record boundaries.
const data = Buffer.from(Array.from({ length: CHUNK * 3 + 1000 }, (_, i) => (i * 31) % 251));
let n = 0;

async function write(): Promise<string> {
  const file = path.join(dir, `b${n++}.backup`);
  const w = await createBackupWriter(file, { engine: 'sqlite', key: keys.current, createdAt: at });
  await w.manifest({ hello: 'manifest' });
  for (let i = 0; i < data.length; i += 10_000) await w.write(data.subarray(i, i + 10_000));
  await w.finish();
  return file;
}

async function readAll(file: string, k = keys) {
  const out: Buffer[] = [];
  for await (const r of readRecords(file, k)) out.push(r);
  return out;
}

/** A copy of the file changed by `edit`. */
function altered(file: string, edit: (b: Buffer) => Buffer): string {
  const copy = path.join(dir, `x${n++}.backup`);
  fs.writeFileSync(copy, edit(fs.readFileSync(file)));
  return copy;
}

describe('backup file format', () => {
  it('reads back the manifest and the data; the file is owner-only with a plain header', async () => {
    const file = await write();
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.existsSync(`${file}.partial`)).toBe(false);
    const { header } = await readHeader(file);
    expect(header).toMatchObject({ format: 1, engine: 'sqlite', keyId: keys.current.id });
    expect(header.createdAt).toBe(at.toISOString());
    const [manifest, ...rest] = await readAll(file);
    expect(JSON.parse(manifest!.toString())).toEqual({ hello: 'manifest' });
    expect(Buffer.concat(rest).equals(data)).toBe(true);
    // Nothing of the data is readable in the file.
    expect(fs.readFileSync(file).includes(data.subarray(0, 64))).toBe(false);
  });

  it('refuses a flipped byte anywhere: header, record body, length, tag', async () => {
    const file = await write();
    const size = fs.statSync(file).size;
    const headerEnd = (await readHeader(file)).bytes.length;
    for (const at of [20, headerEnd - 3, headerEnd + 2, headerEnd + 40, size - 1000, size - 1]) {
      const bad = altered(file, (b) => {
        const c = Buffer.from(b);
        c[at] = c[at]! ^ 0x01;
        return c;
      });
      await expect(readAll(bad), `byte ${at}`).rejects.toThrow(BackupFileError);
    }
  });

  it('refuses a file cut anywhere, at a record boundary included, and bytes appended', async () => {
    const file = await write();
    const size = fs.statSync(file).size;
    const record = 4 + CHUNK + 16;
    const headerEnd = (await readHeader(file)).bytes.length;
    const manifestEnd = headerEnd + 4 + Buffer.from('{"hello":"manifest"}').length + 16;
    for (const keep of [10, headerEnd, manifestEnd, manifestEnd + record, size - 5]) {
      const bad = altered(file, (b) => b.subarray(0, keep));
      await expect(readAll(bad), `cut at ${keep}`).rejects.toThrow(
        /truncated|not a starspmb backup/,
      );
    }
    const longer = altered(file, (b) => Buffer.concat([b, Buffer.from('more')]));
    await expect(readAll(longer)).rejects.toThrow(BackupFileError);
  });

  it('names the missing key, and a key id pointed at another key fails authentication', async () => {
    const file = await write();
    await expect(readAll(file, otherKeys)).rejects.toThrow(
      new RegExp(`encrypted with data key ${keys.current.id}, which is not loaded`),
    );
    const forged = altered(file, (b) =>
      Buffer.from(b.toString('latin1').replace(keys.current.id, otherKeys.current.id), 'latin1'),
    );
    await expect(readAll(forged, otherKeys)).rejects.toThrow(/failed authentication/);
  });

  it('says what a file that is not a backup is, and refuses to overwrite a file', async () => {
    const other = path.join(dir, 'notes.txt');
    fs.writeFileSync(other, 'hello, this is not a backup at all');
    await expect(readAll(other)).rejects.toThrow(/is not a starspmb backup/);
    await expect(
      createBackupWriter(other, { engine: 'sqlite', key: keys.current, createdAt: at }),
    ).rejects.toThrow(/already exists/);
  });
});
