import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

// With two workers, a long file started last sets the run's length. Vitest orders files by
// their last durations, which a fresh clone (CI) does not have; it then falls back to file
// size, and the browser files (short to read, slowest to run) start last. Until durations are
// known, browser files, files that start worker threads and the crash suite (two server
// processes) go first.
const slow = /e2e\/support\.js|startWriterThread\(|startSite\(/;

export default class SlowFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const known = sorted.every((f) =>
      this.ctx.cache.getFileTestResults(
        `${f.project.name}:${relative(this.ctx.config.root, f.moduleId)}`,
      ),
    );
    if (known) return sorted;
    const isSlow = (f: TestSpecification) =>
      f.moduleId.includes('/test/e2e/') || slow.test(readFileSync(f.moduleId, 'utf8'));
    return [...sorted.filter(isSlow), ...sorted.filter((f) => !isSlow(f))];
  }
}
