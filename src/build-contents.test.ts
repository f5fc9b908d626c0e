import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';

// What `npm run build` compiles into dist/ is what production runs: tests, their helpers and
// the devDependencies they import must stay out of it (dist/ once held test-support/smtp.js).
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** The files `tsc -p tsconfig.build.json --listFilesOnly` lists, ours only. */
function buildFiles(): string[] {
  const configPath = path.join(root, 'tsconfig.build.json');
  const parsed = ts.getParsedCommandLineOfConfigFile(
    configPath,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  if (!parsed) throw new Error('tsconfig.build.json could not be read');
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
  return program
    .getSourceFiles()
    .map((f) => path.relative(root, f.fileName))
    .filter((f) => f.startsWith(`src${path.sep}`));
}

/** The package a bare import specifier names: `@scope/name` or `name`, subpaths dropped. */
const packageOf = (specifier: string) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

function importedPackages(file: string): string[] {
  const text = fs.readFileSync(path.join(root, file), 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*['"]([^'".][^'"]*)['"]/g)]
    .map((m) => m[1]!)
    .filter((s) => !s.startsWith('node:'))
    .map(packageOf);
}

describe('the production build', () => {
  let files: string[] = [];
  // A whole program is parsed: slow on a busy machine, so the hook may take its time.
  beforeAll(() => {
    files = buildFiles();
  }, 300_000);
  const devOnly = new Set(
    Object.keys(pkg.devDependencies).filter((name) => !(name in pkg.dependencies)),
  );

  it('compiles the application', () => {
    expect(files).toContain(path.join('src', 'server.ts'));
    expect(files).toContain(path.join('src', 'app.ts'));
    // The scan below reads real imports: the app's own dependencies are found in it.
    expect(importedPackages(path.join('src', 'app.ts'))).toContain('fastify');
  });

  it('holds no test, test helper or test fixture', () => {
    const helpers = files.filter(
      (f) =>
        /\.test\.tsx?$/.test(f) ||
        f.includes(`${path.sep}test-support${path.sep}`) ||
        path.basename(f) === 'testing.ts',
    );
    expect(helpers).toEqual([]);
  });

  it('imports no devDependency', () => {
    const offending = files.flatMap((f) =>
      importedPackages(f)
        .filter((name) => devOnly.has(name))
        .map((name) => `${f} imports ${name}`),
    );
    expect(offending).toEqual([]);
  });
});
