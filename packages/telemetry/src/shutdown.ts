import type { Logger } from './logger.ts';

export interface ShutdownStep {
  /** Shown in the log when the step fails or is still running at the deadline. */
  readonly name: string;
  readonly run: () => unknown;
}

export interface ShutdownOptions {
  logger: Logger;
  /** Run in order: stop intake first, then finish in-flight work, then close connections. */
  steps: readonly ShutdownStep[];
  /** How long all steps together may take before the process exits anyway, with code 1. */
  timeoutMs: number;
}

/** A SIGINT this soon after the first signal is the same one delivered twice (a process group's, and a forwarding of it). */
const SAME_SIGNAL_MS = 100;

/** Starts a shutdown (a signal, or the service itself, e.g. on losing its account lock); resolves never. */
export type Stop = (code: number, reason: string) => Promise<void>;

/**
 * A service's one way to stop, on SIGTERM/SIGINT or when it calls the returned `stop`:
 * - the steps run in order; a step that fails is logged and the rest still run (exit code 1);
 * - past `timeoutMs` the process exits with code 1 and names the step it was waiting on. A
 *   close that waits on an unreachable Redis would otherwise hang until the supervisor's
 *   SIGKILL (found by `pnpm bench`: the all-in-one never exited once its Redis was gone).
 *   Nothing acknowledged is lost by exiting then: spooled complaints stay on disk, and a job
 *   that was running goes back to its queue once BullMQ finds it stalled;
 * - a second Ctrl-C (SIGINT) while stopping exits at once, unless it comes within
 *   SAME_SIGNAL_MS of the first (the same keypress delivered twice). A second SIGTERM never
 *   does: it is a supervisor's, which sends SIGKILL when it will wait no longer, and it comes
 *   twice, however late, when a whole process group is signalled (`timeout`,
 *   `kill -- -<pgid>`) and pnpm forwards the signal it got to the service that got it too.
 */
export function onShutdown(opts: ShutdownOptions): Stop {
  const { logger } = opts;
  let stopping: Promise<void> | undefined;
  let firstSignalAt = 0;

  const stop: Stop = (code, reason) => {
    stopping ??= (async () => {
      logger.info({ reason, timeoutMs: opts.timeoutMs }, 'shutting down: no new work, finishing in-flight work');
      let current = 'start';
      const deadline = setTimeout(() => {
        logger.error({ step: current, timeoutMs: opts.timeoutMs }, `shutdown step "${current}" did not finish in time (Redis unreachable?); exiting anyway. Spooled complaints stay on disk; running jobs are retried once BullMQ finds them stalled`);
        process.exit(1);
      }, opts.timeoutMs);
      let exitCode = code;
      for (const step of opts.steps) {
        current = step.name;
        try {
          await step.run();
        } catch (err) {
          exitCode = 1;
          logger.error({ step: step.name, err: (err as Error).message }, `shutdown step "${step.name}" failed`);
        }
      }
      clearTimeout(deadline);
      logger.info({ exitCode }, 'stopped');
      process.exit(exitCode);
    })();
    return stopping;
  };

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (!stopping) {
        firstSignalAt = Date.now();
        return void stop(0, signal);
      }
      if (signal === 'SIGTERM' || Date.now() - firstSignalAt < SAME_SIGNAL_MS) return;
      logger.warn({ signal }, 'second signal while shutting down: exiting now');
      process.exit(1);
    });
  }
  return stop;
}
