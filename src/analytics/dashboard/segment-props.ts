import { eventTypes } from '../codes.js';
import { eventColumns as E, propColumns as P } from '../segments/codec.js';
import type { SegmentMeta, SegmentStore } from '../segments/store.js';
import { col, type Cols } from './segment-scan.js';

// The props panel over segments. A day's props are stored as event index, key and value, and
// a custom event's name sits in the event columns, so a scan followed three arrays per prop and
// counted matches in nested maps (~55 ms for 12 months at 10M events). Here each day's custom
// event props become, once, pairs of (visit, prop id), the id numbering each distinct
// (name, key, value) for the repository's lifetime; a filtered count is then one walk of
// integers into an array indexed by prop id.

/** The columns a day's pairs are made from. */
export const propPairColumns = [E.visit, E.type, E.name, P.event, P.key, P.value];

export function createPropIndex(store: SegmentStore) {
  const ids = new Map<number, Map<number, number>>();
  const triples: [number, number, number][] = [];
  const idOf = (name: number, key: number, value: number): number => {
    // name and key in one number (ids under 2^26 each), then value.
    const nk = name * 2 ** 26 + key;
    let byValue = ids.get(nk);
    if (!byValue) ids.set(nk, (byValue = new Map<number, number>()));
    let id = byValue.get(value);
    if (id === undefined) {
      byValue.set(value, (id = triples.length));
      triples.push([name, key, value]);
    }
    return id;
  };

  /** [visit, prop id] of each custom event prop of the day, flattened. */
  function pairsOf(seg: SegmentMeta, c: Cols): Uint32Array {
    return store.derived(seg, 'prop-pairs', () => {
      const [visit, type, name] = [col(c, E.visit), col(c, E.type), col(c, E.name)];
      const [event, key, value] = [col(c, P.event), col(c, P.key), col(c, P.value)];
      const out = new Uint32Array(2 * event.length);
      let m = 0;
      for (let p = 0; p < event.length; p++) {
        const e = event[p]!;
        if (type[e] !== eventTypes.custom) continue;
        out[m++] = visit[e]!;
        out[m++] = idOf(name[e]!, key[p]!, value[p]!);
      }
      return out.slice(0, m);
    });
  }

  return {
    pairsOf,

    /** The pairs of each segment: from memory, else made from its columns, read in one go. */
    async pairs(segments: SegmentMeta[]): Promise<Uint32Array[]> {
      // Held here, not looked up again later: making one day's pairs may evict another's.
      const out = segments.map((s) => store.cached<Uint32Array>(s, 'prop-pairs'));
      const lacking = segments.filter((_, i) => !out[i]);
      const loaded = await store.columns(lacking, propPairColumns);
      let j = 0;
      return out.map((pairs, i) => pairs ?? pairsOf(segments[i]!, loaded[j++]!));
    },

    /** Events per prop id of the visits `masks` pick: [name, key, value, events]. */
    count(pairs: Uint32Array[], masks: Uint8Array[]): [number, number, number, number][] {
      const counts = new Float64Array(triples.length);
      pairs.forEach((ps, s) => {
        const mask = masks[s]!;
        for (let m = 0; m < ps.length; m += 2) if (mask[ps[m]!]) counts[ps[m + 1]!]!++;
      });
      const out: [number, number, number, number][] = [];
      counts.forEach((n, id) => {
        if (n) out.push([...triples[id]!, n]);
      });
      return out;
    },
  };
}
