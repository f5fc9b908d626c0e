// Helpers for page tests: read rendered HTML the way a person (or a screen reader) would.

const entities: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
};

/** The visible text of an HTML document, tags removed, entities decoded, spaces collapsed. */
export function visibleText(html: string): string {
  return html
    .replace(/<(script|style|title|head)[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (m, e: string) => {
      if (e.startsWith('#x') || e.startsWith('#X'))
        return String.fromCodePoint(parseInt(e.slice(2), 16));
      if (e.startsWith('#')) return String.fromCodePoint(parseInt(e.slice(1), 10));
      return entities[e] ?? m;
    })
    .replace(/\s+/g, ' ')
    .trim();
}

/** The text of every element with the given tag, e.g. all h1 headings. */
export function elementTexts(html: string, tag: string): string[] {
  return [...html.matchAll(new RegExp(`<${tag}\\b[^>]*>([\\s\\S]*?)</${tag}>`, 'gi'))].map((m) =>
    visibleText(m[1] ?? ''),
  );
}

/** Lower-cased words, for comparing wording regardless of punctuation and case. */
export const words = (text: string) => text.toLowerCase().match(/[a-z0-9']+/g) ?? [];

/** Every run of `n` consecutive words, joined by spaces. */
export function shingles(text: string, n: number): Set<string> {
  const w = words(text);
  const out = new Set<string>();
  for (let i = 0; i + n <= w.length; i++) out.add(w.slice(i, i + n).join(' '));
  return out;
}
