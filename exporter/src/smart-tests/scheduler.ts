import { isCronExpression, scheduleCron } from '../cron.js';
import type { Logger } from 'pino';
import type { Exec } from '../sources/exec.js';
import type { SmartSnapshot } from '../sources/smart/types.js';
import { startSelfTest, targetOf, type TestTarget } from './run.js';
import type { RunRecord, Schedule, SmartTestStore } from './store.js';
import type { SelfTestType } from './types.js';

/** How the service schedules; a test passes its own to fire schedules by hand. */
export type CronSchedule = (expression: string, fn: () => Promise<void>) => { stop(): unknown };

const cronSchedule: CronSchedule = scheduleCron;

/**
 * A schedule's cron expression: five fields (no seconds) whose minute is fixed (`0`, `15,45`), so a
 * schedule can start tests at most a few times an hour, never every minute.
 */
export function checkCron(expression: string): string | undefined {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) return 'must have five fields: minute hour day-of-month month day-of-week';
  if (!/^\d{1,2}(,\d{1,2}){0,3}$/.test(fields[0]!))
    return 'the minute field must be fixed (like 0 or 0,30): self-tests do not run every minute';
  if (!isCronExpression(expression)) return 'not a valid cron expression';
  return undefined;
}

export interface SmartTestServiceDeps {
  store: SmartTestStore;
  exec: Exec;
  smart: () => SmartSnapshot | undefined;
  logger: Logger;
  schedule?: CronSchedule;
}

export interface SmartTestService {
  /** Starts one test and records it; `scheduleId` or `actor` says who asked. */
  run(
    target: TestTarget,
    type: SelfTestType,
    by: { scheduleId?: number; actor?: string },
  ): Promise<RunRecord | { error: string; kind: string }>;
  /** Runs a schedule now (what its cron task does): every disk it names that the SMART round has. */
  runSchedule(id: number): Promise<RunRecord[]>;
  /** (Re)creates the cron tasks from the stored schedules; call after every change. */
  reload(): void;
  stop(): void;
}

export function createSmartTestService(deps: SmartTestServiceDeps): SmartTestService {
  const { store, exec, logger } = deps;
  const schedule = deps.schedule ?? cronSchedule;
  const log = logger.child({ module: 'smart-tests' });
  let tasks: Array<{ stop(): unknown }> = [];

  const service: SmartTestService = {
    async run(target, type, by) {
      const started = await startSelfTest(exec, target, type);
      if (!started.ok) return { error: started.error.message, kind: started.error.kind };
      const s = started.value;
      return store.recordRun({
        diskId: target.diskId,
        device: target.device,
        type,
        scheduleId: by.scheduleId ?? null,
        actor: by.actor ?? null,
        outcome: s.outcome,
        message: s.message,
        expectedMinutes: s.outcome === 'started' ? (s.expectedMinutes ?? null) : null,
      });
    },

    async runSchedule(id) {
      const sched = store.getSchedule(id);
      if (!sched) return [];
      const disks = (deps.smart()?.disks ?? []).filter(
        (d) => sched.disks === 'all' || sched.disks.includes(d.diskId),
      );
      const runs: RunRecord[] = [];
      // One disk at a time: tests on disks of one pool should not all start in the same second.
      for (const d of disks) {
        const r = await service.run(targetOf(d), sched.type, { scheduleId: id });
        if ('error' in r)
          log.warn({ schedule: id, disk: d.diskId, err: r.error }, 'scheduled self-test not started');
        else runs.push(r);
      }
      log.info({ schedule: id, name: sched.name, disks: runs.length }, 'scheduled SMART self-tests run');
      return runs;
    },

    reload() {
      service.stop();
      tasks = store
        .listSchedules()
        .filter((s: Schedule) => s.enabled && checkCron(s.cron) === undefined)
        .map((s) =>
          schedule(s.cron, async () => {
            try {
              await service.runSchedule(s.id);
            } catch (err) {
              log.error({ err, schedule: s.id }, 'scheduled SMART self-tests failed');
            }
          }),
        );
    },

    stop() {
      for (const t of tasks) t.stop();
      tasks = [];
    },
  };
  return service;
}
