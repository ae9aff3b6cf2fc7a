import { Cron } from 'croner';

/**
 * Cron schedules, through croner: it reads local time from Date itself and uses Intl only for a named
 * time zone, which we never pass. (node-cron formatted the time through Intl.DateTimeFormat every
 * second, which paged ~9 MB of ICU data into the exporter for good.) Five fields, or six with seconds
 * first; a run still going when the next one is due is skipped, not overlapped.
 */
export interface CronTask {
  stop(): void;
}

export function isCronExpression(expression: string): boolean {
  try {
    new Cron(expression, { paused: true, mode: '5-or-6-parts' }).stop();
    return true;
  } catch {
    return false;
  }
}

/** `run` handles its own errors; one that escapes becomes a process warning, never a crash. */
export function scheduleCron(expression: string, run: () => unknown): CronTask {
  return new Cron(
    expression,
    {
      protect: true,
      // A schedule never keeps the process alive on its own; the server does that.
      unref: true,
      mode: '5-or-6-parts',
      catch: (err) => process.emitWarning(`cron ${expression}: ${(err as Error)?.message ?? String(err)}`),
    },
    async () => {
      await run();
    },
  );
}
