import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import type { SnapshotCache } from './snapshots.js';
import type { Source, SourceContext, SourceError } from './sources/source.js';

export interface ScheduledSource {
  source: Source;
  intervalSeconds: number;
  timeoutSeconds: number;
}

export interface SchedulerDeps {
  sources: readonly ScheduledSource[];
  snapshots: SnapshotCache;
  /** The context minus the per-run abort signal. */
  context: Omit<SourceContext, 'signal' | 'logger'>;
  logger: Logger;
  /** Called after each successful collection, for state kept beyond snapshots (the disk registry). */
  onSuccess?: (source: string, value: unknown) => void;
  /** A value older than this many intervals is dropped rather than served. */
  staleAfterIntervals?: number;
  /** 0..1; injected so tests are deterministic. */
  random?: () => number;
  absentRetrySeconds?: number;
}

export interface Scheduler {
  start(): void;
  /** Runs one refresh now (or joins the one in flight); resolves when its outcome is recorded. */
  refresh(name: string): Promise<void>;
  stop(): Promise<void>;
}

/** Spread of each interval, so sources that share a cadence do not all fire in the same tick. */
const JITTER = 0.1;
/**
 * How often a source whose tool or device is absent looks again, if its own interval is shorter: a
 * host without an NVIDIA GPU should not fork nvidia-smi every 10 s for nothing, and a tool installed
 * later is still picked up within a minute.
 */
export const ABSENT_RETRY_SECONDS = 60;

/**
 * Refreshes each source in the background on its own jittered cadence. A refresh is bounded by the
 * source's timeout even if the source ignores its abort signal, and a source never has two
 * refreshes at once: a run that is still hung when the next one is due is reported, not doubled.
 */
export function createScheduler({
  sources,
  snapshots,
  context,
  logger,
  staleAfterIntervals = 3,
  random = Math.random,
  onSuccess,
  absentRetrySeconds = ABSENT_RETRY_SECONDS,
}: SchedulerDeps): Scheduler {
  const byName = new Map(sources.map((s) => [s.source.name, s]));
  const timers = new Map<string, NodeJS.Timeout>();
  const inFlight = new Map<string, Promise<void>>();
  /** A collect() that outlived its deadline and still has not settled. */
  const hung = new Set<string>();
  const lastErrorKind = new Map<string, string | undefined>();
  const shutdown = new AbortController();
  // One listener per run in flight, and a run may fan out to many tool calls: not a leak.
  setMaxListeners(0, shutdown.signal);
  let running = false;

  for (const { source, intervalSeconds } of sources) {
    snapshots.register(source.name, intervalSeconds * 1000 * staleAfterIntervals);
  }

  function report(name: string, error: SourceError | undefined) {
    const previous = lastErrorKind.get(name);
    const kind = error?.kind;
    lastErrorKind.set(name, kind);
    if (previous === kind) return; // log transitions only: a missing tool is said once, not every cycle
    const log = logger.child({ source: name });
    if (!error) log.info('source recovered');
    else if (error.kind === 'absent') log.info({ reason: error.message }, 'source not available');
    else log.warn({ kind: error.kind, reason: error.message }, 'source failed');
  }

  async function runOnce(entry: ScheduledSource): Promise<void> {
    const { source, timeoutSeconds } = entry;
    if (hung.has(source.name)) {
      const error = { kind: 'timeout' as const, message: `previous run still has not finished` };
      snapshots.recordFailure(source.name, error, 0);
      return report(source.name, error);
    }
    const controller = new AbortController();
    setMaxListeners(0, controller.signal);
    const onShutdown = () => controller.abort();
    shutdown.signal.addEventListener('abort', onShutdown, { once: true });
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => {
        controller.abort();
        resolve('timeout');
      }, timeoutSeconds * 1000);
    });
    const collecting = source
      .collect({ ...context, signal: controller.signal, logger: logger.child({ source: source.name }) })
      .catch((err: unknown) => ({
        ok: false as const,
        error: { kind: 'parse' as const, message: `unexpected: ${(err as Error)?.message ?? String(err)}` },
      }));
    const outcome = await Promise.race([collecting, deadline]);
    clearTimeout(timer);
    shutdown.signal.removeEventListener('abort', onShutdown);
    const seconds = (performance.now() - started) / 1000;
    if (outcome === 'timeout') {
      hung.add(source.name);
      void collecting.finally(() => hung.delete(source.name));
      const error = { kind: 'timeout' as const, message: `timed out after ${timeoutSeconds} s` };
      snapshots.recordFailure(source.name, error, seconds);
      return report(source.name, error);
    }
    if (outcome.ok) {
      snapshots.recordSuccess(source.name, outcome.value, seconds);
      report(source.name, undefined);
      try {
        onSuccess?.(source.name, outcome.value);
      } catch (err) {
        logger.error({ source: source.name, err }, 'handling a new snapshot failed');
      }
    } else {
      snapshots.recordFailure(source.name, outcome.error, seconds);
      report(source.name, outcome.error);
    }
  }

  function refresh(name: string): Promise<void> {
    const entry = byName.get(name);
    if (!entry) return Promise.reject(new Error(`unknown source ${name}`));
    const current = inFlight.get(name);
    if (current) return current;
    const run = runOnce(entry).finally(() => inFlight.delete(name));
    inFlight.set(name, run);
    return run;
  }

  function schedule(entry: ScheduledSource, delayMs: number) {
    const timer = setTimeout(() => {
      void refresh(entry.source.name).finally(() => {
        if (!running) return;
        const absent = lastErrorKind.get(entry.source.name) === 'absent';
        const seconds = absent ? Math.max(entry.intervalSeconds, absentRetrySeconds) : entry.intervalSeconds;
        schedule(entry, jittered(seconds * 1000));
      });
    }, delayMs);
    timer.unref();
    timers.set(entry.source.name, timer);
  }

  const jittered = (ms: number) => ms * (1 - JITTER + 2 * JITTER * random());

  return {
    start() {
      if (running) return;
      running = true;
      // First runs are spread over the first second so start-up does not fork every tool at once.
      for (const entry of sources) schedule(entry, random() * Math.min(1000, entry.intervalSeconds * 1000));
    },
    refresh,
    async stop() {
      running = false;
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
      shutdown.abort();
      await Promise.allSettled([...inFlight.values()]);
    },
  };
}
