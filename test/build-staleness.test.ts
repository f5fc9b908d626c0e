import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildNeeded, STAMP } from '../bin/build.js';

// `npm start` builds only when a build input changed since the last good build (bin/build.js).
// A copy of the project's shape in a temp folder, with every time set here: no wall clock.

let root: string;
const at = (minute: number) => new Date(Date.UTC(2026, 10, 28, 12, minute));
const write = (rel: string, minute: number, text = '') => {
  const file = path.join(root, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  fs.utimesSync(file, at(minute), at(minute));
};
const date = (rel: string, minute: number) =>
  fs.utimesSync(path.join(root, rel), at(minute), at(minute));

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'starspmb-build-'));
  for (const f of ['tsconfig.json', 'tsconfig.build.json', 'package.json', 'package-lock.json'])
    write(f, 0, '{}');
  write('src/app.ts', 1);
  write('src/pages/home.tsx', 1);
  write('src/pages/pages.test.ts', 1);
  for (const dir of ['src/pages', 'src']) date(dir, 1);
  write('dist/cli/main.js', 10);
  write(STAMP, 10);
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe('the build staleness check', () => {
  it('needs no build when the last build is newer than every input', () => {
    expect(buildNeeded(root)).toBeNull();
  });

  it('builds when there is no build, or only part of one', () => {
    fs.rmSync(path.join(root, STAMP));
    expect(buildNeeded(root)).toBe('there is no complete build yet');
    write(STAMP, 10);
    fs.rmSync(path.join(root, 'dist/cli/main.js'));
    expect(buildNeeded(root)).toBe('there is no complete build yet');
  });

  it('builds when a source changed after the build', () => {
    date('src/pages/home.tsx', 11);
    expect(buildNeeded(root)).toBe(
      `${path.join('src', 'pages', 'home.tsx')} changed since the last build`,
    );
  });

  it('builds when a source was added or removed (its folder changed)', () => {
    fs.rmSync(path.join(root, 'src/pages/home.tsx'));
    date('src/pages', 12);
    expect(buildNeeded(root)).toBe(`${path.join('src', 'pages')} changed since the last build`);
  });

  it('builds when the compiler settings or the dependencies changed', () => {
    date('tsconfig.build.json', 11);
    expect(buildNeeded(root)).toBe('tsconfig.build.json changed since the last build');
    date('tsconfig.build.json', 0);
    date('package-lock.json', 11);
    expect(buildNeeded(root)).toBe('package-lock.json changed since the last build');
  });

  it('needs no build for an edited test, which is never built', () => {
    date('src/pages/pages.test.ts', 11);
    expect(buildNeeded(root)).toBeNull();
  });
});
