// Addresses that carry a secret: whoever holds the link holds the access it opens (a person's
// access report, the first admin's account). Every such address is declared here, once, and
// everything that records addresses (the access log, the analytics tracker and collector) cuts
// the path before the secret through `redactSecretPath` / `redactSecretUrl`. A route with a
// token-like parameter that no declaration covers fails `secret-paths.test.ts`.

export interface SecretPath {
  /** The path before the secret; the secret is the next segment and what follows it. */
  prefix: `/${string}/`;
  /** What the link opens, for whoever reads this list. */
  opens: string;
}

export const secretPaths = {
  privacyRequest: {
    prefix: '/privacy-center/r/',
    opens: "a Privacy Center request: its confirmation, its status and the person's access report",
  },
  accountSetup: {
    prefix: '/setup/',
    opens: 'the first-run setup of the first administrator account',
  },
  staffInvitation: {
    prefix: '/account/invite/',
    opens: 'an invited staff account: whoever holds it chooses its password (72 hours, once)',
  },
  passwordReset: {
    prefix: '/account/reset/',
    opens: "a staff account's password reset (30 minutes, once)",
  },
} as const satisfies Record<string, SecretPath>;

export type SecretPathName = keyof typeof secretPaths;

const prefixes: readonly string[] = Object.values(secretPaths).map((p) => p.prefix);

/** The declared prefixes, for the tracker (filled into /a.js when it is served). */
export const secretPrefixes = (): readonly string[] => prefixes;

/** The route pattern of a secret address: `/setup/:token`, `/privacy-center/r/:token/report.json`. */
export const secretRoute = (name: SecretPathName, rest = ''): string =>
  `${secretPaths[name].prefix}:token${rest}`;

/** The path of a secret link, to put behind the site's base URL in a mail or a form action. */
export const secretLink = (name: SecretPathName, token: string, rest = ''): string =>
  `${secretPaths[name].prefix}${encodeURIComponent(token)}${rest}`;

/** What stands in for the cut secret: readable in a log or a dashboard, never a link that works. */
export const CUT = '…';

/** Query parameters that carry a secret wherever they appear; removed from every logged URL. */
export const secretQueryParams: readonly string[] = [
  'token',
  'code',
  'key',
  'secret',
  'sig',
  'signature',
];

/** Whether a path (no query string) is a secret address. */
export const isSecretPath = (path: string): boolean => secretPrefixOf(path) !== undefined;

/** The path cut before its secret: `/privacy-center/r/abc/report.json` → `/privacy-center/r/…`. */
export function redactSecretPath(path: string): string {
  const prefix = secretPrefixOf(path);
  return prefix ? `${prefix}${CUT}` : path;
}

function secretPrefixOf(path: string): string | undefined {
  // Matched as a router would read it: percent-decoded (`URL.pathname` encodes), slashes doubled.
  const read = safeDecode(path).replace(/\/{2,}/g, '/');
  return prefixes.find((p) => read.startsWith(p));
}

/**
 * A request URL (path and query) with secret paths cut, secret query parameters removed, and
 * query values that are themselves a secret address (the cookie notice's `back=`) cut too.
 */
export function redactSecretUrl(url: string): string {
  const q = url.indexOf('?');
  const path = redactSecretPath(q < 0 ? url : url.slice(0, q));
  if (q < 0) return path;
  const kept = url
    .slice(q + 1)
    .split('&')
    .flatMap((pair) => {
      const eq = pair.indexOf('=');
      const name = safeDecode(eq < 0 ? pair : pair.slice(0, eq));
      if (secretQueryParams.includes(name.toLowerCase())) return [];
      const value = eq < 0 ? '' : safeDecode(pair.slice(eq + 1).replace(/\+/g, ' '));
      const local = value.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '');
      return isSecretPath(local)
        ? [`${pair.slice(0, eq)}=${encodeURIComponent(redactSecretPath(local))}`]
        : [pair];
    });
  return kept.length ? `${path}?${kept.join('&')}` : path;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
