import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Negotiator from 'negotiator';
import { brotliCompressSync, constants, crc32, deflateRawSync, gzipSync } from 'node:zlib';
import { pathOf } from '../privacy/cookie-free.js';

// Responses are compressed with Brotli or gzip, as the browser accepts (decision 028). A body
// that is the same for everyone (a cached page with no slot, a hashed asset) is compressed once,
// at the strongest setting, and the result kept beside it; any other body is compressed per
// response at a fast setting.
//
// Not compressed: pages under the prefixes given (the console, secret links). They show personal
// data next to text an attacker can choose (a search), and the length of a compressed answer
// would tell them whether a guess matched (BREACH). Public pages hold no such secret: their form
// tokens are random per response.

export type Encoding = 'br' | 'gzip';

/** Bodies this small gain less than the headers cost. */
const MIN_BYTES = 1024;
const compressible = /^(text\/|application\/(json|xml|javascript|ld\+json)|image\/svg\+xml)/;

/** The encoding to answer with, or null for none; Brotli first when both are equally welcome. */
export function negotiateEncoding(
  acceptEncoding: string | string[] | undefined,
  offered: readonly Encoding[] = ['br', 'gzip'],
): Encoding | null {
  if (acceptEncoding === undefined) return null;
  const negotiator = new Negotiator({ headers: { 'accept-encoding': acceptEncoding } });
  // negotiator 1.0 takes the server's order for equal weights; its types do not say so yet.
  const encoding = negotiator.encoding.bind(negotiator) as (
    available: string[],
    opts: { preferred: string[] },
  ) => string | undefined;
  const available = [...offered, 'identity'];
  const enc = encoding(available, { preferred: available });
  return enc === 'br' || enc === 'gzip' ? enc : null;
}

export function compressBody(body: Buffer, enc: Encoding, strongest: boolean): Buffer {
  if (enc === 'gzip') return gzipSync(body, { level: strongest ? 9 : 6 });
  const quality = strongest ? constants.BROTLI_MAX_QUALITY : 5;
  return brotliCompressSync(body, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: quality,
      [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
    },
  });
}

// Bodies that are sent again and again unchanged, with their compressed forms once made.
const stable = new WeakMap<Buffer, Partial<Record<Encoding, Buffer>>>();

/** Marks a body that will be sent unchanged many times: it is compressed once per encoding. */
export function compressOnce(body: Buffer): void {
  if (!stable.has(body)) stable.set(body, {});
}

function encoded(body: Buffer, enc: Encoding): Buffer {
  const kept = stable.get(body);
  if (!kept) return compressBody(body, enc, false);
  return (kept[enc] ??= compressBody(body, enc, true));
}

/**
 * A body made of fixed parts, the same for every visitor of a cached page, with this response's
 * values between them (a form token, the address a notice returns to): fixed[0], values[0],
 * fixed[1], … fixed[n]. Compressing it whole for each response cost ten times the rest of the
 * request; instead each fixed part is deflated once, ending on a full flush so that the next
 * part starts afresh, and the values go between as stored (uncompressed) deflate blocks. The
 * result is one ordinary gzip stream. Brotli has no such joint, so these bodies go as gzip.
 */
export interface Segments {
  fixed: readonly Buffer[];
  values: readonly Buffer[];
}
const segmented = new WeakMap<Buffer, Segments>();
const deflatedParts = new WeakMap<readonly Buffer[], Buffer[]>();

/** Marks a body filled from fixed parts and values: sent as gzip spliced from the parts. */
export function compressInSegments(body: Buffer, segments: Segments): void {
  segmented.set(body, segments);
}

// RFC 1952: magic, deflate, no flags, no time, no extra flags, unknown OS.
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
// RFC 1951 3.2.4: a stored block holds at most 65,535 bytes.
const STORED_MAX = 0xffff;

/** `bytes` as stored deflate blocks, not final; the stream is byte-aligned after a full flush. */
function storedBlocks(bytes: Buffer): Buffer[] {
  const blocks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += STORED_MAX) {
    const piece = bytes.subarray(at, at + STORED_MAX);
    const head = Buffer.alloc(5);
    head.writeUInt16LE(piece.length, 1);
    head.writeUInt16LE(~piece.length & 0xffff, 3);
    blocks.push(head, piece);
  }
  return blocks;
}

export function gzipSegments(body: Buffer, { fixed, values }: Segments): Buffer {
  let parts = deflatedParts.get(fixed);
  if (!parts) {
    const last = fixed.length - 1;
    parts = fixed.map((part, i) =>
      deflateRawSync(part, {
        level: 9,
        finishFlush: i === last ? constants.Z_FINISH : constants.Z_FULL_FLUSH,
      }),
    );
    deflatedParts.set(fixed, parts);
  }
  const chunks: Buffer[] = [GZIP_HEADER];
  parts.forEach((part, i) => {
    chunks.push(part);
    if (i < values.length) chunks.push(...storedBlocks(values[i]!));
  });
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc32(body), 0);
  trailer.writeUInt32LE(body.length % 2 ** 32, 4);
  chunks.push(trailer);
  return Buffer.concat(chunks);
}

/** Weak comparison, as If-None-Match asks: `W/"x"` matches `"x"`. */
export const etagMatches = (ifNoneMatch: string | undefined, etag: string): boolean => {
  if (ifNoneMatch === undefined) return false;
  const opaque = (t: string) => t.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((t) => t.trim() === '*' || opaque(t) === opaque(etag));
};

export function compressResponses(app: FastifyInstance, opts: { skip: readonly string[] }) {
  const skipped = (url: string) => {
    const path = pathOf(url);
    return opts.skip.some((p) => path === p || path.startsWith(p.endsWith('/') ? p : `${p}/`));
  };
  // Synchronous (onSend with `done`): it runs on every response, and an async hook costs a promise.
  app.addHook('onSend', (request, reply, payload, done) =>
    done(null, compressed(request, reply, payload)),
  );

  function compressed(request: FastifyRequest, reply: FastifyReply, payload: unknown): unknown {
    if (request.method !== 'GET' && request.method !== 'HEAD') return payload;
    if (reply.statusCode < 200 || reply.statusCode === 204 || reply.statusCode === 206)
      return payload;
    if (reply.hasHeader('content-encoding')) return payload;
    const type = String(reply.getHeader('content-type') ?? '');
    if (!compressible.test(type) || skipped(request.url)) return payload;
    if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return payload;
    // The answer depends on the header even when it is not compressed: caches must know.
    reply.header('vary', varyWith(reply.getHeader('vary')));
    if (Buffer.byteLength(payload) < MIN_BYTES) return payload;
    const segments = Buffer.isBuffer(payload) ? segmented.get(payload) : undefined;
    const enc = negotiateEncoding(
      request.headers['accept-encoding'],
      segments ? ['gzip'] : undefined,
    );
    if (!enc) return payload;
    const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
    const etag = reply.getHeader('etag');
    // The compressed bytes differ from the plain ones: the tag becomes weak (RFC 9110 8.8.1).
    if (typeof etag === 'string' && !etag.startsWith('W/')) reply.header('etag', `W/${etag}`);
    reply.header('content-encoding', enc).removeHeader('content-length');
    return segments ? gzipSegments(body, segments) : encoded(body, enc);
  }
}

function varyWith(current: number | string | string[] | undefined): string {
  const list = (Array.isArray(current) ? current.join(',') : String(current ?? ''))
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  if (list.some((v) => v === '*' || v.toLowerCase() === 'accept-encoding')) return list.join(', ');
  return [...list, 'Accept-Encoding'].join(', ');
}
