#!/usr/bin/env node
// Runs the compiled CLI; `npm ci` builds it (the prepare script), `npm run build` rebuilds it.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
if (!existsSync(main)) {
  console.error('starspmb is not built yet: run `npm run build` (or `npm ci`) first.');
  process.exit(1);
}
await import(main);
