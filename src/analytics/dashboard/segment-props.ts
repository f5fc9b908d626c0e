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
  function pairsOf(seg: SegmentMeta, columns: Cols): Uint32Array {
    return store.derived(seg, 'prop-pairs', () => {
      const [visit, type, name] = [
        col(columns, E.visit),
        col(columns, E.type),
        col(columns, E.name),
      ];
      const [event, key, value] = [
        col(columns, P.event),
        col(columns, P.key),
        col(columns, P.value),
      ];
      const out = new Uint32Array(2 * event.length);
      let written = 0;
      for (let prop = 0; prop < event.length; prop++) {
        const ev = event[prop]!;
        if (type[ev] !== eventTypes.custom) continue;
        out[written++] = visit[ev]!;
        out[written++] = idOf(name[ev]!, key[prop]!, value[prop]!);
      }
      return out.slice(0, written);
    });
  }

  return {
    pairsOf,

    /** The pairs of each segment: from memory, else made from its columns, read in one go. */
    async pairs(segments: SegmentMeta[]): Promise<Uint32Array[]> {
      // Held here, not looked up again later: making one day's pairs may evict another's.
      const out = segments.map((seg) => store.cached<Uint32Array>(seg, 'prop-pairs'));
      const lacking = segments.filter((_, i) => !out[i]);
      const loaded = await store.columns(lacking, propPairColumns);
      let j = 0;
      return out.map((pairs, i) => pairs ?? pairsOf(segments[i]!, loaded[j++]!));
    },

    /** Events per prop id of the visits `masks` pick: [name, key, value, events]. */
    count(pairs: Uint32Array[], masks: Uint8Array[]): [number, number, number, number][] {
      const counts = new Float64Array(triples.length);
      pairs.forEach((flat, segIndex) => {
        const mask = masks[segIndex]!;
        for (let at = 0; at < flat.length; at += 2) if (mask[flat[at]!]) counts[flat[at + 1]!]!++;
      });
      const out: [number, number, number, number][] = [];
      counts.forEach((n, id) => {
        if (n) out.push([...triples[id]!, n]);
      });
      return out;
    },
  };
}
