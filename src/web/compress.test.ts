import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { gzipSegments } from './compress.js';

describe('gzipSegments', () => {
  const whole = (fixed: Buffer[], values: Buffer[]) =>
    Buffer.concat(fixed.flatMap((f, i) => (i < values.length ? [f, values[i]!] : [f])));

  it.each([
    ['a page with two values', ['<p>', '</p><a href="', '">x</a>'], ['token', '/back?q=1']],
    ['empty parts and values', ['', '', ''], ['', 'v']],
    ['a value longer than one stored block', ['<b>', '</b>'], ['é'.repeat(40_000)]],
    ['no value at all', ['<p>only</p>'], []],
  ])('is one gzip stream that inflates to the page: %s', (_name, fixedText, valueText) => {
    const fixed = fixedText.map((t) => Buffer.from(t.repeat(50)));
    const values = valueText.map((t) => Buffer.from(t));
    const body = whole(fixed, values);
    const gz = gzipSegments(body, { fixed, values });
    expect(gunzipSync(gz).equals(body)).toBe(true);
    // The same fixed parts with other values: the kept deflated parts still join correctly.
    const other = values.map((v) => Buffer.from(`${v.toString()}-other`));
    const body2 = whole(fixed, other);
    expect(gunzipSync(gzipSegments(body2, { fixed, values: other })).equals(body2)).toBe(true);
  });
});
