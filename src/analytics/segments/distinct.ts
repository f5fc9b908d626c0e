// Distinct visitor counts that merge across rows and segments (docs/decisions/014-*.md).
//
// Exact while small: the 32-bit visitor hashes go into a set until it holds EXACT_MAX of them
// (so a short span or a narrow filter counts exactly, up to hash collisions: about n²/2³³
// expected, under 0.3 at 50,000). Past that, a HyperLogLog of 2^14 one-byte registers takes
// over: standard error 1.04/√16384 = 0.81%, so 99.7% of counts fall within ±2.5% of the truth.
// Per-day sketches merge by taking each register's maximum, which is what makes a year of days
// cheap to count.

const P = 14;
const M = 1 << P;
export const EXACT_MAX = 50_000;
/** The sketch's relative standard error. */
export const HLL_STANDARD_ERROR = 1.04 / Math.sqrt(M);

export type Sketch = Uint8Array;

export function newSketch(): Sketch {
  return new Uint8Array(M);
}

/** Adds a well-mixed 32-bit hash: the first P bits pick a register, the rest give a rank. */
export function addToSketch(r: Sketch, h: number): void {
  const i = h >>> (32 - P);
  const rest = (h << P) >>> 0;
  const rank = rest === 0 ? 32 - P + 1 : Math.clz32(rest) + 1;
  if (rank > r[i]!) r[i] = rank;
}

export function sketchOf(hashes: ArrayLike<number>): Sketch {
  const r = newSketch();
  for (let i = 0; i < hashes.length; i++) addToSketch(r, hashes[i]!);
  return r;
}

export function estimate(r: Sketch): number {
  let sum = 0;
  let zeros = 0;
  for (let i = 0; i < M; i++) {
    sum += 2 ** -r[i]!;
    if (r[i] === 0) zeros++;
  }
  const alpha = 0.7213 / (1 + 1.079 / M);
  const e = (alpha * M * M) / sum;
  // Small counts: linear counting on the empty registers is the better estimate.
  if (e <= 2.5 * M && zeros > 0) return Math.round(M * Math.log(M / zeros));
  const two32 = 2 ** 32;
  return Math.round(e > two32 / 30 ? -two32 * Math.log(1 - e / two32) : e);
}

/** A distinct count over visitor hashes and per-day sketches: exact while small, then HLL. */
export class DistinctCounter {
  private exact: Set<number> | null = new Set();
  private sketch: Sketch | null = null;

  add(h: number): void {
    if (this.exact) {
      this.exact.add(h);
      if (this.exact.size > EXACT_MAX) this.toSketch();
    } else addToSketch(this.sketch!, h);
  }

  addAll(hashes: ArrayLike<number>): void {
    for (let i = 0; i < hashes.length; i++) this.add(hashes[i]!);
  }

  /** Merges a sketch; the count is approximate from then on. */
  merge(other: Sketch): void {
    if (this.exact) this.toSketch();
    const r = this.sketch!;
    for (let i = 0; i < M; i++) if (other[i]! > r[i]!) r[i] = other[i]!;
  }

  get isExact(): boolean {
    return this.exact !== null;
  }

  count(): number {
    return this.exact ? this.exact.size : estimate(this.sketch!);
  }

  private toSketch(): void {
    this.sketch = sketchOf([...this.exact!]);
    this.exact = null;
  }
}
