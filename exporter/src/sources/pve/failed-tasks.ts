import type { PveTask } from '../../pve-model/index.js';

export interface FailedTaskCounterOptions {
  /** A counted task is forgotten only once it is gone from the listing and older than this. */
  retentionSeconds?: number;
  /** Hard bound on remembered UPIDs; the oldest go first. */
  maxRemembered?: number;
}

/**
 * Failed PVE tasks counted once each by UPID, by type, since the exporter started (failures already in
 * the first listing included). A UPID stays remembered while it is still listed, so a task that lingers
 * in `/cluster/tasks` for days is never counted twice; the set stays bounded by age and size.
 */
export class FailedTaskCounter {
  readonly #seen = new Map<string, number>();
  readonly #totals = new Map<string, number>();
  readonly #retention: number;
  readonly #max: number;

  constructor(options: FailedTaskCounterOptions = {}) {
    this.#retention = options.retentionSeconds ?? 2 * 86_400;
    this.#max = options.maxRemembered ?? 20_000;
  }

  /** Counts the failed tasks of a listing not seen before; `nowSeconds` ages the remembered ones. */
  observe(tasks: readonly PveTask[], nowSeconds: number): void {
    const listed = new Set<string>();
    for (const t of tasks) {
      listed.add(t.upid);
      if (t.outcome !== 'failed' || this.#seen.has(t.upid)) continue;
      this.#seen.set(t.upid, t.endtime ?? t.starttime ?? nowSeconds);
      const type = t.type || 'unknown';
      this.#totals.set(type, (this.#totals.get(type) ?? 0) + 1);
    }
    for (const [upid, at] of this.#seen) {
      if (!listed.has(upid) && at < nowSeconds - this.#retention) this.#seen.delete(upid);
    }
    if (this.#seen.size > this.#max) {
      const oldest = [...this.#seen].sort((a, b) => a[1] - b[1]).slice(0, this.#seen.size - this.#max);
      for (const [upid] of oldest) this.#seen.delete(upid);
    }
  }

  /** Cumulative failures by task type (a copy). */
  totals(): Map<string, number> {
    return new Map(this.#totals);
  }

  get remembered(): number {
    return this.#seen.size;
  }
}
