import { isCronExpression, scheduleCron } from '../cron.js';
import type { Logger } from 'pino';
import type { HistoryStore, MaintenanceResult } from './store.js';

export interface HistoryMaintenanceDeps {
  store: HistoryStore;
  /** Cron expression; default every 5 minutes, a few seconds past, once the bucket is complete. */
  schedule?: string;
  now?: () => number;
  logger?: Logger;
}

export interface HistoryMaintenance {
  /** One run now (also what the schedule calls); errors are logged and returned, never thrown. */
  run(): MaintenanceResult | Error;
  stop(): Promise<void>;
}

export const DEFAULT_HISTORY_SCHEDULE = '15 */5 * * * *';

/**
 * Rolls up and prunes history on a cron schedule, and once at start so a restart after a long stop
 * catches up at once. The work is a few indexed SQL statements, so it runs in-process.
 */
export function scheduleHistoryMaintenance({
  store,
  schedule = DEFAULT_HISTORY_SCHEDULE,
  now = Date.now,
  logger,
}: HistoryMaintenanceDeps): HistoryMaintenance {
  if (!isCronExpression(schedule))
    throw new Error(`history: not a cron expression: ${JSON.stringify(schedule)}`);
  const run = (): MaintenanceResult | Error => {
    try {
      const result = store.maintain(now());
      logger?.debug({ ...result }, 'history maintained');
      return result;
    } catch (err) {
      logger?.warn({ reason: (err as Error).message }, 'history maintenance failed');
      return err as Error;
    }
  };
  run();
  const task = scheduleCron(schedule, run);
  return { run, stop: async () => task.stop() };
}
