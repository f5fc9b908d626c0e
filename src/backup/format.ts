import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { OWNER_FILE } from '../config/data-dir.js';
import type { DataKey, Keyring } from '../privacy/keyring.js';

// A backup file (decision 024):
//   "STARSPMB BACKUP\n" | u32 header length | header JSON | records…
// Each record is u32 plaintext length | AES-256-GCM ciphertext | 16-byte tag. The key is derived
// from the data key and a random salt in the header, so no two files share a key; the nonce is
// the record's number plus a "last" flag (the STREAM construction), and the whole header is every
// record's associated data. Reordered, dropped or appended records and a cut-off end all fail.
// Record 0 holds the manifest (JSON); the rest hold the database dump.

const MAGIC = Buffer.from('STARSPMB BACKUP\n');
const TAG = 16;
const MAX_HEADER = 64 * 1024;
const MAX_RECORD = 16 * 1024 * 1024;
export const CHUNK = 64 * 1024;
export const FORMAT_VERSION = 1;

const headerSchema = z.object({
  format: z.number().int(),
  engine: z.enum(['sqlite', 'postgres']),
  keyId: z.string().min(1),
  createdAt: z.string(),
  salt: z.string().min(43),
});
export type BackupHeader = z.infer<typeof headerSchema>;

/** A backup that fails its checks: altered, cut short, for another key or engine. */
export class BackupFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupFileError';
  }
}

const fileKey = (key: DataKey, salt: string) =>
  Buffer.from(
    hkdfSync('sha256', key.encKey, Buffer.from(salt, 'base64url'), 'starspmb backup v1', 32),
  );

function nonce(index: number, last: boolean): Buffer {
  const n = Buffer.alloc(12);
  n.writeUInt32BE(index, 7);
  n[11] = last ? 1 : 0;
  return n;
}

function encodeHeader(h: BackupHeader): Buffer {
  const json = Buffer.from(JSON.stringify(h));
  const len = Buffer.alloc(4);
  len.writeUInt32BE(json.length);
  return Buffer.concat([MAGIC, len, json]);
}

/**
 * Writes a backup to `${file}.partial`, owner-only, and renames it into place once complete and
 * flushed, so a backup at the final name is always whole. Refuses to overwrite a file.
 */
export async function createBackupWriter(
  file: string,
  opts: { engine: BackupHeader['engine']; key: DataKey; createdAt: Date },
) {
  const header: BackupHeader = {
    format: FORMAT_VERSION,
    engine: opts.engine,
    keyId: opts.key.id,
    createdAt: opts.createdAt.toISOString(),
    salt: randomBytes(32).toString('base64url'),
  };
  if (fs.existsSync(file)) throw new Error(`${file} already exists; choose another name`);
  const headerBytes = encodeHeader(header);
  const key = fileKey(opts.key, header.salt);
  const partial = `${file}.partial`;
  const out = await fs.promises.open(partial, 'wx', OWNER_FILE);
  let index = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let written = headerBytes.length;
  await out.write(headerBytes);

  async function record(plain: Buffer, last: boolean) {
    const c = createCipheriv('aes-256-gcm', key, nonce(index++, last));
    c.setAAD(headerBytes);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(plain.length);
    const body = Buffer.concat([len, c.update(plain), c.final(), c.getAuthTag()]);
    await out.write(body);
    written += body.length;
  }
  async function flushFull() {
    while (pendingBytes >= CHUNK) {
      const all = Buffer.concat(pending);
      await record(all.subarray(0, CHUNK), false);
      pending = [all.subarray(CHUNK)];
      pendingBytes = all.length - CHUNK;
    }
  }

  return {
    header,
    get bytesWritten() {
      return written;
    },
    /** The manifest: must come first. */
    async manifest(m: object) {
      await record(Buffer.from(JSON.stringify(m)), false);
    },
    async write(data: Buffer) {
      pending.push(data);
      pendingBytes += data.length;
      await flushFull();
    },
    async finish() {
      await record(Buffer.concat(pending), true);
      await out.sync();
      await out.close();
      fs.renameSync(partial, file);
      syncDir(path.dirname(file));
    },
    async abort() {
      await out.close().catch(() => undefined);
      fs.rmSync(partial, { force: true });
    },
  };
}

function syncDir(dir: string) {
  try {
    const fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
    fs.closeSync(fd);
  } catch {
    // Not every file system lets a folder be flushed; the file itself was.
  }
}

/** Reads and checks a backup's header (not yet its records). */
export async function readHeader(file: string): Promise<{ header: BackupHeader; bytes: Buffer }> {
  const fh = await fs.promises.open(file, 'r').catch((err: NodeJS.ErrnoException) => {
    throw new BackupFileError(
      `cannot open ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`,
    );
  });
  try {
    const start = Buffer.alloc(MAGIC.length + 4);
    const { bytesRead } = await fh.read(start, 0, start.length, 0);
    if (bytesRead < start.length || !start.subarray(0, MAGIC.length).equals(MAGIC))
      throw new BackupFileError(
        `${file} is not a starspmb backup (its first bytes are not the backup header)`,
      );
    const len = start.readUInt32BE(MAGIC.length);
    if (len > MAX_HEADER)
      throw new BackupFileError(`${file}: the backup header is damaged (length ${len})`);
    const json = Buffer.alloc(len);
    const r = await fh.read(json, 0, len, start.length);
    if (r.bytesRead < len) throw new BackupFileError(`${file} is truncated inside its header`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(json.toString('utf8'));
    } catch {
      throw new BackupFileError(`${file}: the backup header is damaged (not valid JSON)`);
    }
    const format = (parsed as { format?: unknown } | null)?.format;
    if (typeof format === 'number' && format > FORMAT_VERSION)
      throw new BackupFileError(
        `${file} was written in backup format ${format}; this version of starspmb reads format ${FORMAT_VERSION}: upgrade it first`,
      );
    const header = headerSchema.safeParse(parsed);
    if (!header.success || header.data.format !== FORMAT_VERSION)
      throw new BackupFileError(`${file}: the backup header is damaged (unexpected fields)`);
    return { header: header.data, bytes: Buffer.concat([start, json]) };
  } finally {
    await fh.close();
  }
}

/** The data key a backup was sealed with, from the loaded keys, or a message naming it. */
export function keyFor(keys: Keyring, header: BackupHeader): DataKey {
  const key = keys.byId(header.keyId);
  if (!key)
    throw new BackupFileError(
      `this backup was encrypted with data key ${header.keyId}, which is not loaded (loaded: ${keys.all
        .map((k) => k.id)
        .join(
          ', ',
        )} from ${keys.source}). Put the key you backed up in place (DATA_DIR/data-keys.json or STARSPMB_DATA_KEY / STARSPMB_PREVIOUS_DATA_KEYS) and try again`,
    );
  return key;
}

/**
 * Opens a backup and yields its records decrypted and authenticated, the manifest first. A
 * consumer must not act on what it was given until the iteration ends without an error: the
 * last record's check is what proves nothing was cut off.
 */
export async function* readRecords(
  file: string,
  keys: Keyring,
  onBytes?: (read: number, total: number) => void,
): AsyncGenerator<Buffer, void, undefined> {
  const { header, bytes } = await readHeader(file);
  const key = fileKey(keyFor(keys, header), header.salt);
  const fh = await fs.promises.open(file, 'r');
  try {
    const total = (await fh.stat()).size;
    let at = bytes.length;
    for (let index = 0; ; index++) {
      if (at === total)
        throw new BackupFileError(`${file} is truncated: its last record is missing`);
      const lenBuf = Buffer.alloc(4);
      if ((await fh.read(lenBuf, 0, 4, at)).bytesRead < 4)
        throw new BackupFileError(`${file} is truncated inside a record`);
      const len = lenBuf.readUInt32BE(0);
      if (len > MAX_RECORD)
        throw new BackupFileError(`${file} is damaged: record ${index} claims ${len} bytes`);
      const body = Buffer.alloc(len + TAG);
      if ((await fh.read(body, 0, body.length, at + 4)).bytesRead < body.length)
        throw new BackupFileError(`${file} is truncated inside a record`);
      at += 4 + body.length;
      const last = at === total;
      const plain = openRecord(key, bytes, index, last, body);
      if (!plain) {
        // A record that opens as "not last" at the file's end means the end was cut off.
        if (last && openRecord(key, bytes, index, false, body))
          throw new BackupFileError(`${file} is truncated: its last record is missing`);
        throw new BackupFileError(
          `${file} failed authentication at record ${index}: it was altered or damaged after it was written, or sealed with another key of the same id. Nothing was restored from it`,
        );
      }
      onBytes?.(at, total);
      yield plain;
      if (last) return;
    }
  } finally {
    await fh.close();
  }
}

function openRecord(key: Buffer, aad: Buffer, index: number, last: boolean, body: Buffer) {
  try {
    const d = createDecipheriv('aes-256-gcm', key, nonce(index, last));
    d.setAAD(aad);
    d.setAuthTag(body.subarray(body.length - TAG));
    return Buffer.concat([d.update(body.subarray(0, body.length - TAG)), d.final()]);
  } catch {
    return undefined;
  }
}
