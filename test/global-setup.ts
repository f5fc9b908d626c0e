import { existsSync } from 'node:fs';

// Says which real parts this run exercises; in CI a missing part is a failure, not a skip.
export default function setup(): void {
  const pg = process.env.TEST_DATABASE_URL;
  const chromium = existsSync('/usr/bin/chromium');
  console.log(`\n[starspmb tests] database: ${pg ? 'PostgreSQL (TEST_DATABASE_URL)' : 'SQLite'}`);
  if (!pg)
    console.log(
      '[starspmb tests] PostgreSQL not covered in this run: set TEST_DATABASE_URL=postgres://… to run the suite on it.',
    );
  if (!chromium)
    console.log(
      '[starspmb tests] browser tests SKIPPED: /usr/bin/chromium not found (apt-get install chromium).',
    );
  if (process.env.CI === 'true' && !chromium)
    throw new Error('CI requires /usr/bin/chromium for the browser tests');
}
