import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The kernel sits under every capability: capabilities import it, never the reverse. Its code
// (tests aside, which drive the whole app) may reach only the foundations below.

const here = path.dirname(fileURLToPath(import.meta.url));
const src = path.resolve(here, '..');

/** Folders of src/ the kernel may import: storage, adapters to the outside, configuration. */
const foundations = ['privacy', 'db', 'adapters', 'config'];
/**
 * Single files outside them. The audit chain is written by the kernel's own actions (a
 * disclosure, an erasure, a key rotation) as by every capability; it imports only the kernel,
 * db and its own key.
 */
const allowedFiles = ['audit/log.ts'];

const importPattern = /(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g;

/** Every relative import of a file's text, as a path under src/ with .ts for .js. */
function importsOf(file: string, text: string): string[] {
  return [...text.matchAll(importPattern)].map((m) =>
    path.relative(src, path.resolve(path.dirname(file), m[1]!)).replace(/\.js$/, '.ts'),
  );
}

function violations(files: readonly { file: string; text: string }[]): string[] {
  return files.flatMap(({ file, text }) =>
    importsOf(file, text)
      .filter((target) => {
        const folder = target.split(path.sep)[0]!;
        return !foundations.includes(folder) && !allowedFiles.includes(target);
      })
      .map((target) => `${path.relative(src, file)} imports ${target}`),
  );
}

const kernelFiles = () =>
  fs
    .readdirSync(here, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.tsx?$/.test(f) && !/\.test\.tsx?$/.test(f))
    .map((f) => ({ file: path.join(here, f), text: fs.readFileSync(path.join(here, f), 'utf8') }));

describe('the privacy kernel', () => {
  it('imports no capability folder', () => {
    const files = kernelFiles();
    expect(files.length).toBeGreaterThan(30);
    expect(violations(files)).toEqual([]);
  });

  it('would be caught importing one, however the import is written', () => {
    const file = path.join(here, 'probe.ts');
    const text = [
      "import { toE164 } from '../intake/fields.js';",
      "import type { Db } from '../db/database.js';",
      "export { x } from '../cookies/tags.js';",
      "const lazy = await import('../analytics/routes.js');",
      "import { appendAudit } from '../audit/log.js';",
      "import { cut } from './secret-paths.js';",
    ].join('\n');
    expect(violations([{ file, text }])).toEqual([
      'privacy/probe.ts imports intake/fields.ts',
      'privacy/probe.ts imports cookies/tags.ts',
      'privacy/probe.ts imports analytics/routes.ts',
    ]);
  });
});
