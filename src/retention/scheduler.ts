import type { FastifyBaseLogger } from 'fastify';
import type { RetentionRunner } from './service.js';

const HOUR = 3_600_000;
/** Start-up waits this long, so a restart loop does not run retention over and over at once. */
export const START_DELAY_MS = 60_000;

/**
 * Runs retention once shortly after start-up and then every `intervalHours` (0: never). Each
 * run takes the runner's lock, so several instances on one PostgreSQL never run together; the
 * one that finds the lock taken skips that turn. Tests never start it unless they mean to.
 */
export function createRetentionScheduler(deps: {
  runner: RetentionRunner;
  intervalHours: number;
  log: FastifyBaseLogger;
}) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;

  async function tick(): Promise<void> {
    try {
      const outcome = await deps.runner.run({ trigger: 'scheduled', dryRun: false });
      if (outcome.status === 'busy')
        deps.log.info('retention: another run holds the lock; skipped');
      else
        deps.log.info(
          { run: outcome.report.id, total: outcome.report.total },
          'retention run finished',
        );
    } catch (err) {
      // Logged and retried at the next turn; what was deleted before the error stays deleted.
      deps.log.error({ err }, 'retention run failed');
    }
  }

  function schedule(delay: number) {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick().finally(() => {
        running = undefined;
        schedule(deps.intervalHours * HOUR);
      });
    }, delay);
    timer.unref();
  }

  return {
    /** Starts the schedule; `delayMs` overrides the start-up delay (tests). */
    start(delayMs = START_DELAY_MS) {
      if (deps.intervalHours <= 0 || timer) return;
      stopped = false;
      schedule(delayMs);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}

export type RetentionScheduler = ReturnType<typeof createRetentionScheduler>;
