#!/usr/bin/env node
// Builds dist/ from src/. `npm run build` always builds; `npm start` runs this with --if-stale, so
// a start builds only when a build input changed since the last build finished well.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Written after each successful build, dated when that build started. */
export const STAMP = 'dist/.build-stamp';
const ENTRY = 'dist/cli/main.js';
/** What the build reads: the sources, the compiler's settings, the locked dependencies. */
const INPUTS = ['src', 'tsconfig.json', 'tsconfig.build.json', 'package.json', 'package-lock.json'];
// Tests are not built: editing one needs no build (adding or removing one still dates its folder).
const notBuilt = /\.test\.tsx?$/;

/** The most recently modified build input under `root`: a folder counts, so deleting a file does. */
export function newestInput(root) {
  let newest = { file: '', mtimeMs: -Infinity };
  const visit = (rel) => {
    const stat = fs.statSync(path.join(root, rel), { throwIfNoEntry: false });
    if (!stat) return;
    if (stat.mtimeMs > newest.mtimeMs && !notBuilt.test(rel))
      newest = { file: rel, mtimeMs: stat.mtimeMs };
    if (stat.isDirectory())
      for (const name of fs.readdirSync(path.join(root, rel))) visit(path.join(rel, name));
  };
  for (const input of INPUTS) visit(input);
  return newest;
}

/** Why `root` needs a build, or null when its last good build is newer than every input. */
export function buildNeeded(root) {
  const stamp = fs.statSync(path.join(root, STAMP), { throwIfNoEntry: false });
  if (!stamp || !fs.existsSync(path.join(root, ENTRY))) return 'there is no complete build yet';
  const newest = newestInput(root);
  return newest.mtimeMs > stamp.mtimeMs ? `${newest.file} changed since the last build` : null;
}

/** Compiles, and on success stamps the build with the time it started (edits during it count). */
export function build(root) {
  const started = new Date();
  const tsc = createRequire(path.join(root, 'package.json')).resolve('typescript/bin/tsc');
  const run = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (run.status !== 0) return false;
  fs.writeFileSync(
    path.join(root, STAMP),
    `built from the sources as they were at ${started.toISOString()}\n`,
  );
  fs.utimesSync(path.join(root, STAMP), started, started);
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const reason = process.argv.includes('--if-stale') ? buildNeeded(root) : 'asked to';
  if (reason) {
    console.log(`Building (${reason})…`);
    if (!build(root)) process.exit(1);
  }
}
