/**
 * A background task run once at start and then every `intervalMs`, in a timer that never keeps
 * the process alive. A failed run is logged and the next tick tries again, so each task must be
 * safe to run twice. The server starts it; tests call `runOnce`.
 */
export function intervalJob<T>(
  runOnce: () => Promise<T>,
  opts: {
    intervalMs: number;
    log: { error(obj: object, msg: string): void };
    failed: string;
    /** Scheduled runs only: asked first, and the run is skipped when it answers false. */
    lease?: () => Promise<boolean>;
  },
) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  const tick = () => {
    const leased = opts.lease ? opts.lease() : Promise.resolve(true);
    running = leased
      .then((held) => (held ? runOnce() : undefined))
      .catch((err: unknown) => opts.log.error({ err }, opts.failed));
  };
  return {
    runOnce,
    start() {
      tick();
      timer = setInterval(tick, opts.intervalMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
