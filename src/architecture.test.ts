import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// The import rule README's architecture section draws. Every folder under src/ is one unit:
// the privacy kernel, shared infrastructure, the console's UI kit, a capability, or a
// composition root. A capability imports the kernel, the infrastructure, the console kit and
// its own files; another capability only through the entry files listed below.

type Kind = 'kernel' | 'infrastructure' | 'console' | 'root' | 'capability';

const src = dirname(fileURLToPath(import.meta.url));

/** The privacy kernel: every capability's data passes it. The audit log (and its key) is its record. */
const kernel = ['privacy/', 'audit/log.ts', 'audit/key.ts'];
/** Infrastructure any code may use; it imports only the kernel and itself. */
const infrastructure = ['db/', 'web/', 'adapters/', 'config/'];
/** The console's frame and UI kit (layout, pager, table, filters, input, permissions, section). */
const consoleKit = ['console/'];
/** Wire everything together, so may import anything. */
const roots = ['app.ts', 'server.ts', 'cli/', 'test-support/'];

/**
 * A capability's public face: files other capabilities may import, and why each is needed.
 * The staff user is also what the console kit and the request type are about.
 */
const entries: Record<string, { why: string; by?: readonly Kind[] }> = {
  'accounts/recipients.ts': {
    why: 'which staff a notification goes to (admins, privacy officers), for each mail owner',
  },
  'accounts/service.ts': {
    why: 'the signed-in staff user every console screen and request carries',
    by: ['capability', 'console', 'infrastructure'],
  },
  'outbox/repository.ts': { why: 'enqueue: the one way to send a message, in a transaction' },
  'outbox/worker.ts': { why: 'OutboxDeps, what a mail builder receives (issue 15 item 5)' },
  'retention/types.ts': { why: 'the Purger contract a capability implements to be purged' },
  'retention/period.ts': { why: 'how a purger states and computes its retention period' },
  'retention/delete-after.ts': { why: 'the chunked delete every purger shares' },
  'disclosures/evidence.ts': {
    why: 'the evidence a privacy officer records, which a disclosure to a third party cites',
  },
  'backup/schedule.ts': { why: 'the daily backups an operator checks on the console' },
  'leads/records.ts': { why: 'the lead records intake, the Privacy Center and retention use' },
};

/** Imports that break the rule today, each with the reason it still stands. Keep this short. */
const exceptions: { from: string; to: string; why: string }[] = [
  {
    from: 'privacy-center/fields.ts',
    to: 'intake/fields.ts',
    why: 'US phone and state formats both public forms share; item 2 moves phone normalisation',
  },
  {
    from: 'cookies/consent-records.ts',
    to: 'privacy-center/repository.ts',
    why: 'a GPC record with the cookie choice; item 2 moves privacy signals into the kernel',
  },
  {
    from: 'config/env.ts',
    to: 'privacy-center/deadlines.ts',
    why: 'the environment bounds the report-link lifetime by the Privacy Center’s legal limits',
  },
  {
    from: 'retention/registry.ts',
    to: 'privacy-center/purger.ts',
    why: 'the retention registry lists every capability’s purger in one place',
  },
  {
    from: 'retention/registry.ts',
    to: 'analytics/purger.ts',
    why: 'as above',
  },
  {
    from: 'retention/registry.ts',
    to: 'audit/purger.ts',
    why: 'as above',
  },
  {
    from: 'retention/routes.ts',
    to: 'leads/console-views.tsx',
    why: 'LeadPanel: the lead page’s extension point where retention adds the legal-hold panel',
  },
];

const under = (file: string, prefixes: readonly string[]) =>
  prefixes.some((p) => (p.endsWith('/') ? file.startsWith(p) : file === p));

function kindOf(file: string): Kind {
  if (under(file, kernel)) return 'kernel';
  if (under(file, infrastructure)) return 'infrastructure';
  if (under(file, consoleKit)) return 'console';
  if (under(file, roots)) return 'root';
  return 'capability';
}

/** A capability is its top-level folder. */
const unitOf = (file: string) => (kindOf(file) === 'kernel' ? 'kernel' : file.split('/')[0]!);

/** What `file` may import outside its own unit, apart from the entries and the exceptions. */
const mayImport: Record<Kind, readonly Kind[]> = {
  kernel: ['kernel', 'infrastructure'],
  infrastructure: ['kernel', 'infrastructure'],
  console: ['kernel', 'infrastructure'],
  capability: ['kernel', 'infrastructure', 'console'],
  root: ['kernel', 'infrastructure', 'console', 'capability', 'root'],
};

// Tests and test helpers build state across capabilities, so only production code is checked.
const isTestCode = (file: string) => /\.test\.tsx?$|(^|\/)testing\.ts$/.test(file);

function sourceFiles(dir = src): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(e.name) ? [relative(src, path).split('\\').join('/')] : [];
  });
}

/** The src/-relative files a file imports, types included; packages and node: are skipped. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(src, file), 'utf8');
  return ts
    .preProcessFile(text, true, true)
    .importedFiles.map((i) => i.fileName)
    .filter((name) => name.startsWith('.'))
    .map((name) => {
      const target = posix.normalize(posix.join(posix.dirname(file), name));
      return target.endsWith('.js') ? target.replace(/\.js$/, '') : target;
    })
    .map((base) => [`${base}.ts`, `${base}.tsx`].find((f) => known.has(f)) ?? `${base}.ts`);
}

const files = sourceFiles();
const known = new Set(files);
const exceptionFor = (from: string, to: string) =>
  exceptions.find((e) => under(from, [e.from]) && under(to, [e.to]));

function allowed(from: string, to: string): boolean {
  if (unitOf(from) === unitOf(to)) return true;
  if (mayImport[kindOf(from)].includes(kindOf(to))) return true;
  const entry = entries[to];
  return entry !== undefined && (entry.by ?? ['capability']).includes(kindOf(from));
}

describe('the import rule', () => {
  const production = files.filter((f) => !isTestCode(f));
  const edges = production.flatMap((from) => importsOf(from).map((to) => ({ from, to })));

  it('finds the source it checks', () => {
    // A broken walk would pass every rule below: prove it sees the capabilities and their imports.
    expect(production).toContain('leads/service.ts');
    expect(production).toContain('privacy-center/console-routes.ts');
    expect(edges).toContainEqual({ from: 'intake/service.ts', to: 'leads/records.ts' });
    for (const { to } of edges) expect(known, `${to} resolves to a file`).toContain(to);
  });

  it('capabilities import the kernel, infrastructure, console kit and entries, never internals', () => {
    const broken = edges
      .filter(({ from, to }) => !allowed(from, to) && !exceptionFor(from, to))
      .map(({ from, to }) => `src/${from} imports src/${to}`);
    expect(broken, 'import an entry file instead, or add one to `entries` with a reason').toEqual(
      [],
    );
  });

  it('lists no exception or entry that nothing needs any more', () => {
    const stale = exceptions
      .filter(
        (e) => !edges.some(({ from, to }) => !allowed(from, to) && exceptionFor(from, to) === e),
      )
      .map((e) => `${e.from} → ${e.to}`);
    const unusedEntries = Object.keys(entries).filter(
      (entry) => !edges.some(({ from, to }) => to === entry && unitOf(from) !== unitOf(to)),
    );
    expect(stale, 'remove these exceptions').toEqual([]);
    expect(unusedEntries, 'remove these entries').toEqual([]);
  });

  it('the rule itself refuses a capability reaching into another’s internals', () => {
    expect(allowed('intake/service.ts', 'leads/repository.ts')).toBe(false);
    expect(allowed('privacy/kernel.ts', 'console/layout.tsx')).toBe(false);
    expect(allowed('console/layout.tsx', 'leads/service.ts')).toBe(false);
    expect(allowed('console/layout.tsx', 'accounts/service.ts')).toBe(true);
    expect(allowed('db/schema.ts', 'intake/fields.ts')).toBe(false);
    expect(allowed('leads/service.ts', 'console/permissions.ts')).toBe(true);
  });
});
