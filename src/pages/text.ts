// Small wording helpers for pages assembled from lists (the generated policy above all).

/** "a", "a and b", "a, b, and c": the serial comma keeps items that contain "and" apart. */
export function listJoin(items: readonly string[], conjunction = 'and'): string {
  if (items.length <= 1) return items.join('');
  if (items.length === 2) return `${items[0]} ${conjunction} ${items[1]}`;
  return `${items.slice(0, -1).join(', ')}, ${conjunction} ${items.at(-1)}`;
}

/** First letter upper case: vocabulary labels are written to sit mid-sentence. */
export const sentence = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** "2026-11-28" → "November 28, 2026", read as a calendar date, never shifted by time zone. */
export function longDate(isoDate: string): string {
  return new Date(`${isoDate}T00:00:00Z`).toLocaleDateString('en-US', {
    timeZone: 'UTC',
    dateStyle: 'long',
  });
}

/** Group items by a key, keeping first-seen order of the groups. */
export function groupBy<T>(items: readonly T[], key: (item: T) => string): [string, T[]][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    groups.set(k, [...(groups.get(k) ?? []), item]);
  }
  return [...groups.entries()];
}
