import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));
const src = path.resolve(here, '..');
// The shared layers; everything else under src/ is a capability, which registers its mail
// with the outbox (src/app.ts) rather than being imported by it.
const shared = new Set(['adapters', 'config', 'db', 'privacy', 'web', 'outbox']);

/** Every relative module a file imports, re-exports or loads, as a folder under src/. */
function importedFolders(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)];
  return specifiers.map((m) => {
    const target = path.relative(src, path.resolve(path.dirname(file), m[1]!));
    return target.split(path.sep)[0]!;
  });
}

describe('the outbox knows no capability', () => {
  const files = fs
    .readdirSync(here)
    .filter((f) => /\.tsx?$/.test(f) && !/\.test\.tsx?$/.test(f))
    .map((f) => path.join(here, f));

  it('reads its own sources', () => {
    expect(files.map((f) => path.basename(f))).toContain('worker.ts');
    // The parser sees the imports that are there, so an empty answer below means something.
    expect(importedFolders(path.join(here, 'worker.ts'))).toContain('adapters');
  });

  it.each(files.map((f) => [path.basename(f), f]))('%s imports only shared layers', (_, file) => {
    const foreign = importedFolders(file).filter((folder) => !shared.has(folder));
    expect(foreign).toEqual([]);
  });
});
