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
  },
});
