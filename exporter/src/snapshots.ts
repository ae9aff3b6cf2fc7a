import type { SourceError } from './sources/source.js';

/** What the cache knows about one source: its last good value and how the last run went. */
export interface SourceStatus {
  name: string;
  up: boolean;
  /** The last run found the tool or device simply not there (not an error to alert on). */
  absent: boolean;
  error: SourceError | undefined;
  durationSeconds: number;
  /** Epoch ms of the last successful run, if any. */
  lastSuccessAt: number | undefined;
  /** Failed runs, timeouts included; `absent` outcomes are not counted. */
  errorsTotal: number;
}

/** Read side of the cache: what metrics collectors, the API and the health cycle see. */
export interface SnapshotReader {
  /** The last good value while it is fresh, else undefined (stale values are dropped, never served). */
  latest<T>(source: string): T | undefined;
  /** Epoch ms at which the fresh value was taken. */
  takenAt(source: string): number | undefined;
  statuses(): SourceStatus[];
  /** Bumps whenever any stored value or status changes; renderers key caches on it. */
  readonly generation: number;
}

interface Entry extends SourceStatus {
  value: unknown;
  staleAfterMs: number;
}

export class SnapshotCache implements SnapshotReader {
  #entries = new Map<string, Entry>();
  #generation = 0;

  constructor(private readonly now: () => number = Date.now) {}

  get generation(): number {
    return this.#generation;
  }

  /** Declares a source before its first run, so it is reported (up=0) from the start. */
  register(name: string, staleAfterMs: number): void {
    if (this.#entries.has(name)) throw new Error(`source ${name} registered twice`);
    this.#entries.set(name, {
      name,
      up: false,
      absent: false,
      error: undefined,
      durationSeconds: 0,
      lastSuccessAt: undefined,
      errorsTotal: 0,
      value: undefined,
      staleAfterMs,
    });
    this.#generation++;
  }

  recordSuccess(name: string, value: unknown, durationSeconds: number): void {
    const e = this.#entry(name);
    Object.assign(e, { value, up: true, absent: false, error: undefined, durationSeconds });
    e.lastSuccessAt = this.now();
    this.#generation++;
  }

  recordFailure(name: string, error: SourceError, durationSeconds: number): void {
    const e = this.#entry(name);
    const absent = error.kind === 'absent';
    Object.assign(e, { up: false, absent, error, durationSeconds });
    if (!absent) e.errorsTotal++;
    this.#generation++;
  }

  latest<T>(name: string): T | undefined {
    const e = this.#entries.get(name);
    return e && this.#fresh(e) ? (e.value as T) : undefined;
  }

  takenAt(name: string): number | undefined {
    const e = this.#entries.get(name);
    return e && this.#fresh(e) ? e.lastSuccessAt : undefined;
  }

  statuses(): SourceStatus[] {
    return [...this.#entries.values()].map(({ value: _v, staleAfterMs: _s, ...status }) => status);
  }

  #fresh(e: Entry): boolean {
    return e.lastSuccessAt !== undefined && this.now() - e.lastSuccessAt <= e.staleAfterMs;
  }

  #entry(name: string): Entry {
    const e = this.#entries.get(name);
    if (!e) throw new Error(`unknown source ${name}`);
    return e;
  }
}
