import { EventEmitter } from 'node:events';
import { scheduleCron, type CronTask } from '../cron.js';
import type { Logger } from 'pino';
import type { SnapshotCache } from '../snapshots.js';
import type { AptSnapshot } from '../sources/apt/index.js';
import { APT_SOURCE } from '../sources/apt/index.js';
import type { Exec } from '../sources/exec.js';
import type { HostInfo } from '../sources/hostinfo/index.js';
import type { HostPaths } from '../sources/source.js';
import type { Db } from '../store/db.js';
import type {
  CategoryCheck,
  CategoryEvaluation,
  HealthExtras,
  HealthInputs,
  ResourceInventory,
} from './check.js';
import { ALL_CHECKS } from './checks/index.js';
import { mayReportGuestEvent } from './checks/vm-events.js';
import { certificateExpiry, failedLogins24h, lastUpgradeAt, trackSecurityPending } from './extras.js';
import { CATEGORIES, type Category } from './finding.js';
import { logAnalysisOptions } from './checks/logs.js';
import { createLogAnalyzer, type LogAnalyzer } from './logs/index.js';
import type { SampleHistory } from './samples.js';
import { categoryStatus, overallStatus, type HealthSnapshot } from './status.js';
import type { HealthEvent, HealthStore } from './store/index.js';
import {
  checkThresholdOrder,
  resolveThresholds,
  type ThresholdOverrides,
  type Thresholds,
} from './thresholds.js';

export const HEALTH_SOURCE = 'health';

export interface HealthOptions {
  /** Minutes between cycles (cron `*\/N`). */
  intervalMinutes: number;
  /** The first cycle runs this long after start (sources have reported by then). */
  firstRunDelayMs: number;
  /** After a host boot (uptime below this), noisy checks report INFO. */
  bootGraceSeconds: number;
}

export const DEFAULT_HEALTH_OPTIONS: HealthOptions = {
  intervalMinutes: 5,
  firstRunDelayMs: 30_000,
  bootGraceSeconds: 600,
};

export interface HealthMonitorDeps {
  db: Db;
  store: HealthStore;
  snapshots: SnapshotCache;
  samples: SampleHistory;
  exec: Exec;
  paths: HostPaths;
  /** Journal analysis (logs category); off leaves that category UNKNOWN with the reason. */
  journal?: { enabled: boolean; directory?: string };
  logger: Logger;
  now?: () => number;
  options?: Partial<HealthOptions>;
  checks?: Partial<Record<Category, CategoryCheck>>;
}

export interface HealthMonitor {
  /** Runs a cycle now, unless one is running (then waits for that one). */
  runCycle(): Promise<HealthSnapshot>;
  latest(): HealthSnapshot | undefined;
  thresholds(): Thresholds;
  /** Typed stream for the notification engine: new, escalated, retriggered, resolved, persistent, ... */
  readonly events: EventEmitter<{ event: [HealthEvent] }>;
  start(): void;
  stop(): Promise<void>;
}

/**
 * The health cycle: gathers the async inputs (journal analysis, certificate, apt history), runs the
 * pure category checks over the latest snapshots, applies the findings to the store in one transaction,
 * publishes the result (API, metrics) and emits the store's events. Cycles never overlap.
 */
export function createHealthMonitor(deps: HealthMonitorDeps): HealthMonitor {
  const now = deps.now ?? Date.now;
  const options = { ...DEFAULT_HEALTH_OPTIONS, ...deps.options };
  const checks = deps.checks ?? ALL_CHECKS;
  const events = new EventEmitter<{ event: [HealthEvent] }>();
  const log = deps.logger.child({ component: 'health' });
  let latest: HealthSnapshot | undefined;
  let running: Promise<HealthSnapshot> | undefined;
  let task: CronTask | undefined;
  let firstRun: NodeJS.Timeout | undefined;
  let loginCache: { at: number; value: number | undefined } | undefined;

  deps.snapshots.register(HEALTH_SOURCE, options.intervalMinutes * 60_000 * 3);

  const thresholds = (): Thresholds => {
    const t = resolveThresholds(deps.store.getThresholdOverrides() as ThresholdOverrides);
    // A stored set that breaks ordering (edited by hand) must not disable alerting: fall back.
    return checkThresholdOrder(t).length === 0 ? t : resolveThresholds({});
  };

  // Rebuilt when the log thresholds change; a new analyzer re-reads the last 10 minutes on its first step.
  let logs: { key: string; analyzer: LogAnalyzer } | undefined;
  const analyzer = (t: Thresholds): LogAnalyzer | undefined => {
    if (!deps.journal?.enabled) return undefined;
    const options = {
      ...logAnalysisOptions(t),
      ...(deps.journal.directory ? { directory: deps.journal.directory } : {}),
    };
    const key = JSON.stringify(options);
    if (logs?.key !== key)
      logs = {
        key,
        analyzer: createLogAnalyzer({
          db: deps.db,
          exec: deps.exec,
          options,
          keepLine: mayReportGuestEvent,
        }),
      };
    return logs.analyzer;
  };

  async function gatherExtras(at: number, thresholds: Thresholds): Promise<HealthExtras> {
    const extras: HealthExtras = {};
    const [cert, upgraded] = await Promise.all([certificateExpiry(deps.paths), lastUpgradeAt(deps.paths)]);
    if (cert !== undefined) extras.certificateExpiresAt = cert;
    if (upgraded !== undefined) extras.lastUpgradeAt = upgraded;
    // Counting a day of journal is not free: once an hour is plenty.
    if (!loginCache || at - loginCache.at > 3_600_000) {
      loginCache = {
        at,
        value: await failedLogins24h(
          deps.exec,
          at,
          deps.journal?.directory ? { directory: deps.journal.directory } : {},
        ),
      };
    }
    if (loginCache.value !== undefined) extras.failedLogins24h = loginCache.value;
    const apt = deps.snapshots.latest<AptSnapshot>(APT_SOURCE);
    if (apt) {
      const pending = apt.upgrades.filter((u) => u.security).map((u) => u.package);
      extras.securityPendingSince = trackSecurityPending(deps.db, pending, at);
    }
    const logs = analyzer(thresholds);
    if (logs) {
      const step = await logs.step(at);
      extras.logs = step.ok
        ? { findings: step.value.findings, rows: [] }
        : { unknown: `journal unreadable: ${step.error.message}` };
      if (step.ok) extras.journal = logs.recentLines(at);
    } else {
      extras.logs = { unknown: 'journal analysis is disabled' };
    }
    return extras;
  }

  async function cycle(): Promise<HealthSnapshot> {
    const started = now();
    const t = thresholds();
    const extras = await gatherExtras(started, t);
    const uptime = deps.snapshots.latest<HostInfo>('hostinfo')?.uptimeSeconds;
    const inputs: HealthInputs = {
      now: started,
      snapshots: deps.snapshots,
      thresholds: t,
      samples: deps.samples,
      exclusions: deps.store.exclusions(),
      bootGrace: uptime !== undefined && uptime < options.bootGraceSeconds,
      ...(uptime === undefined ? {} : { uptimeSeconds: uptime }),
      extras,
    };
    const evaluations: CategoryEvaluation[] = [];
    for (const category of CATEGORIES) {
      const check = checks[category];
      if (!check) continue;
      try {
        evaluations.push(check(inputs));
      } catch (err) {
        // A bug in one check must not take the others down: that category is UNKNOWN, and logged.
        log.error({ err, category }, 'health check failed');
        evaluations.push({ category, rows: [], findings: [], unknown: 'the check failed; see the log' });
      }
    }
    const evaluated = evaluations.filter((e) => e.unknown === undefined && e.skipped === undefined);
    const present: Partial<Record<Category, ResourceInventory>> = {};
    for (const e of evaluated) if (e.present) present[e.category] = e.present;
    const emitted = deps.store.applyCycle({
      evaluated: evaluated.map((e) => e.category),
      findings: evaluated.flatMap((e) => e.findings),
      present,
    });
    const dismissed = new Set(deps.store.dismissed().map((r) => r.errorKey));
    const categories = evaluations.map((e) => ({ ...categoryStatus(e, dismissed), evaluation: e }));
    const snapshot: HealthSnapshot = {
      at: started,
      durationMs: now() - started,
      overall: overallStatus(categories),
      categories,
    };
    latest = snapshot;
    deps.snapshots.recordSuccess(HEALTH_SOURCE, snapshot, snapshot.durationMs / 1000);
    for (const e of emitted) events.emit('event', e);
    log.info(
      { overall: snapshot.overall, ms: snapshot.durationMs, events: emitted.length },
      'health cycle finished',
    );
    return snapshot;
  }

  const runCycle = () =>
    (running ??= cycle().finally(() => {
      running = undefined;
    }));

  const safeRun = () => runCycle().catch((err: unknown) => log.error({ err }, 'health cycle failed'));

  return {
    runCycle,
    latest: () => latest,
    thresholds,
    events,
    start() {
      firstRun = setTimeout(() => void safeRun(), options.firstRunDelayMs);
      firstRun.unref();
      task = scheduleCron(`*/${options.intervalMinutes} * * * *`, safeRun);
    },
    async stop() {
      clearTimeout(firstRun);
      task?.stop();
      await running?.catch(() => undefined);
    },
  };
}
