import { pathOf } from './cookie-free.js';

// Pages where a person types personal data or is signed in. No third-party code loads on them,
// whatever the visitor consented to (src/cookies/tags.ts asks here). Declared once, in the
// kernel, beside the secret addresses (secret-paths.ts) and the cookie-free ones (cookie-free.ts).

/** Each prefix covers itself and everything below it: `/portal` covers `/portal/invoices`. */
export const sensitivePrefixes: readonly string[] = [
  '/get-started',
  '/partners/apply',
  '/privacy-center',
  '/portal',
  '/partner',
  '/console',
];

/** Whether a request URL (query string ignored, trailing slashes too) is a sensitive page. */
export function isSensitivePath(url: string): boolean {
  const path = pathOf(url).replace(/\/+$/, '') || '/';
  return sensitivePrefixes.some((p) => path === p || path.startsWith(`${p}/`));
}
