import { describe, expect, it } from 'vitest';
import { resolvedPathname, safeRedirectPath } from './redirect.js';

const FALLBACK = '/safe';

describe('safeRedirectPath', () => {
  it.each([
    ['/'],
    ['/services'],
    ['/cookies?saved=1'],
    ['/console/leads?status=new&q=a%2Fb'],
    ['/privacy#cookies'],
    ['/caf%C3%A9'],
    ['/a/../b'],
  ])('keeps the path on this site %j', (input) => {
    expect(safeRedirectPath(input, FALLBACK)).toBe(input);
  });

  it.each([
    ['scheme-relative', '//evil.example'],
    ['scheme-relative with a path', '//evil.example/x'],
    ['backslash', '/\\evil.example'],
    ['backslash later', '/a\\b'],
    ['decoded tab (the reported case)', '/\t/evil.example'],
    ['encoded tab', '/%09/evil.example'],
    ['encoded slash', '/%2F/evil.example'],
    ['encoded slash, lower case', '/%2f/evil.example'],
    ['encoded slashes without a leading slash', '%2f%2fevil.example'],
    ['encoded backslash', '/%5Cevil.example'],
    ['absolute URL', 'https://evil.example'],
    ['absolute URL to this site too', 'http://localhost:3000/'],
    ['javascript:', 'javascript:alert(1)'],
    ['data:', 'data:text/html,<script>alert(1)</script>'],
    ['relative path', 'evil.example'],
    ['zero-width space', '/\u200b/evil.example'],
    ['encoded zero-width space', '/%E2%80%8B/evil.example'],
    ['right-to-left override', '/\u202eevil'],
    ['NUL', '/\u0000'],
    ['encoded NUL', '/%00'],
    ['CR LF (header splitting)', '/\r\nSet-Cookie: x=1'],
    ['encoded CR LF in the path', '/%0d%0aSet-Cookie:x=1'],
    ['line feed', '/\n/evil.example'],
    ['tab', '/\t'],
    ['space', '/ /evil.example'],
    ['non-breaking space', '/\u00a0/evil.example'],
    ['non-ASCII letter', '/café'],
    ['malformed encoding', '/%E0%A4%A'],
    ['empty', ''],
    ['very long', `/${'a'.repeat(5000)}`],
  ])('falls back for %s', (_why, input) => {
    expect(safeRedirectPath(input, FALLBACK)).toBe(FALLBACK);
  });

  it.each([[undefined], [null], [42], [['/a', '/b']], [{ toString: () => '/a' }], [true]])(
    'falls back for a value that is not one string: %j',
    (input) => {
      expect(safeRedirectPath(input, FALLBACK)).toBe(FALLBACK);
    },
  );

  it('may fall back to nothing, for callers with their own default', () => {
    expect(safeRedirectPath('//evil.example', undefined)).toBeUndefined();
  });

  it('tells where a kept path really leads once dot segments are resolved', () => {
    expect(resolvedPathname('/console/../cookies?x=1')).toBe('/cookies');
  });
});
