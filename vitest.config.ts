import { defineConfig } from 'vitest/config';
import SlowFirst from './test/sequencer.js';

export default defineConfig({
  test: {
    include: ['src/**/*.test.{ts,tsx}', 'test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Files share two cores and, for PostgreSQL, one server: keep the fan-out small.
    maxWorkers: 2,
    sequence: { sequencer: SlowFirst },
    // Each worker loads the app's modules once, not once per file: importing them was 180 s of a
    // 320 s run. Tests share no state through modules (each builds its own app and database) and
    // restore what they spy on.
    isolate: false,
  },
});
