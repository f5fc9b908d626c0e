/**
 * The one gate for redirect targets taken from a request (a `back` or `next` parameter, a
 * form field, the request's own URL): only a path on this site gets through, anything else
 * becomes `fallback`. It never throws, so a hostile target can never turn into a 500.
 */

export const MAX_REDIRECT_LENGTH = 2000;

// Printable ASCII only: a Location header cannot carry more, and browsers silently drop tabs
// and newlines (`/\t/evil.example` becomes `//evil.example`, another origin).
const PRINTABLE_ASCII = /^[\x21-\x7e]+$/;
// Slashes or backslashes hidden by percent-encoding: a proxy or a later hop that decodes them
// would see `//host` or `/\host`. Only the path is checked; in a query string they are data.
const ENCODED_SLASH = /%(?:2f|5c)/i;
// Control, format (zero-width, bidi) and space characters, once the path is decoded.
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Z}]/u;
// Any origin that cannot be ours: resolving against it shows whether a target leaves the site.
const PROBE_ORIGIN = 'http://redirect-probe.invalid';

/** `input` when it is a same-origin path that is safe to put in a Location header, else `fallback`. */
export function safeRedirectPath<F extends string | undefined>(
  input: unknown,
  fallback: F,
): string | F {
  if (typeof input !== 'string' || input.length > MAX_REDIRECT_LENGTH) return fallback;
  if (!PRINTABLE_ASCII.test(input) || input.includes('\\')) return fallback;
  // A path of our own: `/x`, never `//host` (scheme-relative) nor `https:`, `javascript:`, `x`.
  if (!input.startsWith('/') || input.startsWith('//')) return fallback;
  const path = input.split(/[?#]/, 1)[0]!;
  if (ENCODED_SLASH.test(path)) return fallback;
  const decoded = decodedOrNull(path);
  if (decoded === null || INVISIBLE.test(decoded)) return fallback;
  return sameOrigin(input) ? input : fallback;
}

function decodedOrNull(path: string): string | null {
  try {
    return decodeURIComponent(path);
  } catch {
    return null; // malformed percent-encoding: not a path we produced
  }
}

/** What a browser would make of the target, by the URL standard: still on this origin? */
function sameOrigin(target: string): boolean {
  try {
    return new URL(target, PROBE_ORIGIN).origin === PROBE_ORIGIN;
  } catch {
    return false;
  }
}

/** The path a target resolves to (`..` segments removed), for checks such as "inside /console". */
export function resolvedPathname(safePath: string): string {
  return new URL(safePath, PROBE_ORIGIN).pathname;
}
