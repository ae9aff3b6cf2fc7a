import type { Metric, Registry } from 'prom-client';
import type { SnapshotReader } from '../snapshots.js';

export type Labels<L extends string> = Partial<Record<L, string | number>>;
/**
 * Called with one `emit` per series; values that are undefined or NaN are skipped (unknown, not 0).
 * It must depend only on what it reads from snapshots (and constants): while those snapshots stay the
 * same, the family's last text may be served again without calling it (see trackSnapshotReads).
 */
export type Fill<L extends string> = (emit: (labels: Labels<L>, value: number | undefined) => void) => void;

interface Spec<L extends string> {
  name: string;
  help: string;
  labelNames?: readonly L[];
}

interface Series<L extends string> {
  labels: Labels<L>;
  value: number;
}

/** Whether what a fill read then would read the same now. */
type StillSame = () => boolean;

/** The reads of the fill running now, when it runs through SnapshotFamily.cachedText(). */
let currentReads: StillSame[] | undefined;

/** A read whose result cannot be checked cheaply later: the family is rebuilt every time. */
const CHANGES_ALWAYS: StillSame = () => false;

/**
 * The reader to hand to metric collectors in production: it notes each snapshot a fill reads, so a
 * family whose snapshots did not change since its last rendering is not rebuilt (with a thousand
 * guests, the pve source changes every few seconds while the others tick every second). "The same"
 * is the same value object, still fresh: sources hand the cache a new value each run and never change
 * one in place. A fill that reads source statuses or the generation, or no snapshot at all, is
 * rebuilt every time.
 */
export function trackSnapshotReads(snapshots: SnapshotReader): SnapshotReader {
  return {
    latest<T>(source: string): T | undefined {
      const value = snapshots.latest<T>(source);
      currentReads?.push(() => snapshots.latest(source) === value);
      return value;
    },
    takenAt(source: string): number | undefined {
      const at = snapshots.takenAt(source);
      currentReads?.push(() => snapshots.takenAt(source) === at);
      return at;
    },
    statuses() {
      currentReads?.push(CHANGES_ALWAYS);
      return snapshots.statuses();
    },
    get generation() {
      currentReads?.push(CHANGES_ALWAYS);
      return snapshots.generation;
    },
  };
}

/**
 * A metric family rebuilt from snapshots each time it is rendered, so series whose label sets vanished
 * (an unplugged disk, a removed guest) are gone and unknown values stay absent.
 *
 * It formats its own exposition text instead of using prom-client's Gauge/Counter: their per-series
 * label validation, hashing and storage, then the registry's generic formatting, cost about 4 µs a
 * series and left most of it as garbage, which with a thousand guests (~13 000 series) blocked the
 * event loop for ~50 ms at every rendering and swelled the heap. It still registers in the prom-client
 * Registry as a metric object (name, help, type, get()), so `registry.metrics()` prints the same text
 * and the process metrics stay prom-client's.
 */
export class SnapshotFamily<L extends string = string> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
  readonly aggregator = 'sum';
  readonly #header: string;
  readonly #sampleName: string;
  #cache: { text: string; reads: StillSame[] } | undefined;

  constructor(
    spec: Spec<L>,
    readonly type: 'gauge' | 'counter',
    private readonly fill: Fill<L>,
  ) {
    this.name = spec.name;
    this.help = spec.help;
    this.labelNames = spec.labelNames ?? [];
    this.#sampleName = escapeText(spec.name);
    this.#header = `# HELP ${this.#sampleName} ${escapeText(spec.help)}\n# TYPE ${this.#sampleName} ${type}`;
  }

  /** The family in the text format, byte for byte what prom-client's Registry prints for it. */
  text(): string {
    const counter = this.type === 'counter';
    const values = new Map<string, number>();
    this.#each((key, _labels, value) => values.set(key, counter ? (values.get(key) ?? 0) + value : value));
    const lines = [this.#header];
    for (const [key, value] of values) lines.push(`${this.#sampleName}${key} ${value}`);
    // join() yields one flat string, not a rope of every line's pieces, so keeping it costs its length.
    return lines.join('\n');
  }

  /**
   * text(), reused while every snapshot the fill read last time (through a reader from
   * trackSnapshotReads) is still the same.
   */
  cachedText(): string {
    const cache = this.#cache;
    if (cache && cache.reads.every((stillSame) => stillSame())) return cache.text;
    const outer = currentReads;
    const reads: StillSame[] = [];
    currentReads = reads;
    try {
      const text = this.text();
      const reusable = reads.length > 0 && !reads.includes(CHANGES_ALWAYS);
      this.#cache = reusable ? { text, reads } : undefined;
      return text;
    } finally {
      currentReads = outer;
    }
  }

  /** prom-client's metric interface: what `registry.metrics()` and `getMetricsAsJSON()` read. */
  async get(): Promise<{
    name: string;
    help: string;
    type: 'gauge' | 'counter';
    aggregator: 'sum';
    values: Series<L>[];
  }> {
    const counter = this.type === 'counter';
    const series = new Map<string, Series<L>>();
    this.#each((key, labels, value) => {
      const seen = series.get(key);
      series.set(key, { labels, value: seen && counter ? seen.value + value : value });
    });
    const { name, help, type, aggregator } = this;
    return { name, help, type, aggregator, values: [...series.values()] };
  }

  /** Nothing to reset: series are rebuilt from snapshots. */
  reset(): void {}

  /**
   * Runs the fill, passing on known values with their label text as the series key. Series keep their
   * first position; a gauge keeps the last value emitted for a label set and a counter sums them, as
   * prom-client does (label sets match when emitted with the same labels in the same order).
   */
  #each(onSeries: (key: string, labels: Labels<L>, value: number) => void): void {
    const counter = this.type === 'counter';
    this.fill((labels, value) => {
      if (value === undefined || !Number.isFinite(value) || (counter && value < 0)) return;
      onSeries(labelText(labels), labels, value);
    });
  }
}

/** A gauge whose series are rebuilt from snapshots each time the registry renders. */
export function snapshotGauge<L extends string>(registry: Registry, spec: Spec<L>, fill: Fill<L>): void {
  register(registry, new SnapshotFamily(spec, 'gauge', fill));
}

/** A counter mirrored from a monotonic value the kernel or a tool keeps (exposed with TYPE counter). */
export function snapshotCounter<L extends string>(registry: Registry, spec: Spec<L>, fill: Fill<L>): void {
  register(registry, new SnapshotFamily(spec, 'counter', fill));
}

function register<L extends string>(registry: Registry, family: SnapshotFamily<L>): void {
  // The registry calls only name, get() and reset() (and aggregator when clustered), which a family has;
  // its typings name prom-client's own classes.
  registry.registerMetric(family as unknown as Metric);
}

/** `{a="x",b="y"}`, or "" without labels; values escaped as the text format and prom-client do. */
function labelText(labels: Record<string, string | number | undefined>): string {
  let out = '';
  for (const name in labels) {
    const value = labels[name];
    out += `${out === '' ? '{' : ','}${name}="${typeof value === 'string' ? escapeLabelValue(value) : value}"`;
  }
  return out === '' ? '' : `${out}}`;
}

const NEEDS_ESCAPE = /[\\\n"]/;

function escapeLabelValue(value: string): string {
  return NEEDS_ESCAPE.test(value) ? escapeText(value).replace(/"/g, '\\"') : value;
}

/** HELP text and names: backslash and newline escaped (double quotes stay). */
function escapeText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}
