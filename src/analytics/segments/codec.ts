// Columns of a day segment (docs/decisions/014-analytics-day-segments.md). Ids are on disk: add,
// never renumber. Every value is a non-negative integer; a null dictionary id is stored as 0
// (dictionary ids start at 1), a missing visitor id as hash 0.

/** A visit: everything analytics_sessions holds, minus its id, with the start inside the day. */
export const visitColumns = {
  start: 0, // seconds after the day's midnight
  duration: 1, // last_at - started_at
  pageviews: 2,
  events: 3,
  visitor: 4, // visitorHash of the id, 0 without one
  entry_path: 5,
  exit_path: 6,
  channel: 7,
  referrer: 8,
  engine: 9,
  utm_source: 10,
  utm_medium: 11,
  utm_campaign: 12,
  country: 13,
  region: 14,
  city: 15,
  browser: 16,
  browser_version: 17,
  os: 18,
  device: 19,
  visitor_kind: 20,
  client: 21,
  funnel: 22,
} as const;
export type VisitColumn = keyof typeof visitColumns;

/** An event, ordered by visit. `visit` = the segment's visit count for an event of no visit. */
export const eventColumns = { visit: 32, type: 33, path: 34, name: 35, offset: 36 } as const;
/** A custom event's property; `event` indexes the segment's events. */
export const propColumns = { event: 48, key: 49, value: 50 } as const;
/** The day's distinct visitor hashes, ascending (what analytics_visitor_days held). */
export const DAY_VISITORS = 64;

export type Column = Uint8Array | Uint16Array | Uint32Array;

/** The narrowest width (bytes) holding every value; 0 when all are 0, so nothing is stored. */
export function widthOf(values: ArrayLike<number>): 0 | 1 | 2 | 4 {
  let max = 0;
  for (let i = 0; i < values.length; i++) if (values[i]! > max) max = values[i]!;
  return max === 0 ? 0 : max < 0x100 ? 1 : max < 0x10000 ? 2 : 4;
}

/** Little-endian bytes of `values` at `width`; empty for width 0. */
export function encodeColumn(values: ArrayLike<number>, width: 0 | 1 | 2 | 4): Uint8Array {
  if (width === 0) return new Uint8Array(0);
  const out =
    width === 1
      ? new Uint8Array(values.length)
      : width === 2
        ? new Uint16Array(values.length)
        : new Uint32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i]!;
  return littleEndian(new Uint8Array(out.buffer, out.byteOffset, out.byteLength), width);
}

/**
 * Values of a stored column as a typed array over the same bytes where alignment allows (no
 * copy). Width 0 is `length` zeros.
 */
export function decodeColumn(data: Uint8Array, width: number, length: number): Column {
  if (width === 0) return new Uint8Array(length);
  const bytes = littleEndian(data, width);
  if (width === 1) return bytes;
  const aligned = bytes.byteOffset % width === 0 ? bytes : bytes.slice();
  return width === 2
    ? new Uint16Array(aligned.buffer, aligned.byteOffset, length)
    : new Uint32Array(aligned.buffer, aligned.byteOffset, length);
}

const bigEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 0;
/** Typed arrays use the host's byte order; segments are little-endian everywhere. */
function littleEndian(bytes: Uint8Array, width: number): Uint8Array {
  if (!bigEndianHost || width === 1) return bytes;
  const out = bytes.slice();
  for (let i = 0; i < out.length; i += width) out.subarray(i, i + width).reverse();
  return out;
}

/**
 * A 32-bit hash of a visitor id (FNV-1a, then murmur3's finaliser so every bit is mixed, which
 * HyperLogLog needs), never 0. Segments keep only this; distinct counts collide with
 * probability about n²/2³³ (under 0.3 expected collisions among 50,000 ids).
 */
export function visitorHash(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0 || 1;
}
