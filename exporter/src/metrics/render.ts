import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { gunzip as gunzipCb, gzip as gzipCb } from 'node:zlib';
import { Registry } from 'prom-client';
import { SnapshotFamily } from './define.js';

const gzip = promisify(gzipCb);
const gunzip = promisify(gunzipCb);
/** The longest the event loop is held by a rendering before it lets waiting requests in. */
const SLICE_MS = 2;

export interface MetricsRenderer {
  readonly contentType: string;
  /** The exposition text, re-rendered only when a snapshot changed or it reached its maximum age. */
  text(): Promise<Buffer>;
  /** The same text gzipped, compressed once per rendering as soon as it is rendered. */
  gzipped(): Promise<Buffer>;
}

export interface RendererOptions {
  /** Snapshot generation: the text can only change when this moves. */
  generation: () => number;
  /** Re-render at least this often, so Node's process metrics (sampled at render time) stay current. */
  maxAgeMs: number;
  /**
   * A rendering younger than this is served even if a snapshot changed since, and is also what a scrape
   * gets while the next one is being built: at most one rendering a second however many sources tick,
   * and no scrape waits on one. Sources refresh every few seconds, so this costs no real freshness.
   */
  serveStaleMs?: number;
  now?: () => number;
}

interface Rendering {
  generation: number;
  at: number;
  gzipped: Promise<Buffer>;
  /** Unzipped on the first scrape without gzip (Prometheus always asks for gzip). */
  text?: Promise<Buffer>;
}

/**
 * Serves /metrics from a cached rendering. Collectors only copy snapshots, so re-rendering is needed
 * only when the snapshot generation moves. A rendering keeps only its gzipped text: the plain text is
 * written into one buffer reused by every rendering, so a thousand guests' ~700 KB is not allocated
 * anew each second (freed buffers lingered until a full GC and swelled the process).
 */
export function createMetricsRenderer(
  registry: Registry,
  { generation, maxAgeMs, serveStaleMs = 1000, now = Date.now }: RendererOptions,
): MetricsRenderer {
  let ready: Rendering | undefined;
  let pending: Rendering | undefined;
  let scheduled = false;
  // Only one rendering runs at a time (`pending`), and it is done with the buffer once gzipped.
  const output = new Output();

  function render(): Rendering {
    // Compressed right away on libuv's pool, so the first scrape of it does not wait.
    const gzipped = renderRegistry(registry, output).then((text) => gzip(text, { level: 6 }));
    const next: Rendering = { generation: generation(), at: now(), gzipped };
    pending = next;
    gzipped.then(
      () => {
        if (pending === next) pending = undefined;
        if (!ready || ready.at <= next.at) ready = next;
      },
      () => {
        if (pending === next) pending = undefined; // a failed rendering is never cached
      },
    );
    return next;
  }

  /** Renders after the current response has gone out, not in front of it. */
  function renderSoon(): void {
    if (pending || scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      if (!pending) render();
    });
  }

  function rendering(): Rendering {
    const age = ready ? now() - ready.at : Infinity;
    if (ready && ready.generation === generation() && age < maxAgeMs) return ready;
    if (ready && age < serveStaleMs) return ready;
    if (ready && age < 2 * serveStaleMs) {
      renderSoon();
      return ready;
    }
    return pending ?? render();
  }

  return {
    contentType: registry.contentType,
    text: () => {
      const r = rendering();
      r.text ??= r.gzipped.then((gz) => gunzip(gz));
      return r.text;
    },
    gzipped: () => rendering().gzipped,
  };
}

/**
 * What `registry.metrics()` returns, as bytes, built family by family into `output` (the result is a
 * view of it, valid until its next use): snapshot families format themselves and keep their text
 * while their snapshots are unchanged (see SnapshotFamily), so no full-size string is built on the
 * JS heap. The loop yields to the event loop whenever it has run for SLICE_MS, so a scrape arriving
 * during a large rendering is answered from the ready text at once instead of waiting behind it.
 */
export async function renderRegistry(registry: Registry, output = new Output()): Promise<Buffer> {
  if (registry.contentType !== Registry.PROMETHEUS_CONTENT_TYPE) return Buffer.from(await registry.metrics());
  output.clear();
  let sliceStart = performance.now();
  // Typed as prom-client's MetricObject, whose `type` enum a family's string type does not match.
  for (const [i, metric] of (registry.getMetricsAsArray() as unknown[]).entries()) {
    if (i > 0) output.write('\n\n');
    output.write(
      metric instanceof SnapshotFamily
        ? metric.cachedText()
        : await registry.getSingleMetricAsString((metric as { name: string }).name),
    );
    if (performance.now() - sliceStart >= SLICE_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
  }
  output.write('\n');
  return output.bytes();
}

/** An append-only UTF-8 buffer that doubles when full and is reused from the start by clear(). */
export class Output {
  #buffer = Buffer.allocUnsafe(64 * 1024);
  #length = 0;

  clear(): void {
    this.#length = 0;
  }

  write(text: string): void {
    const bytes = Buffer.byteLength(text);
    if (this.#length + bytes > this.#buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(2 * this.#buffer.length, this.#length + bytes));
      this.#buffer.copy(grown, 0, 0, this.#length);
      this.#buffer = grown;
    }
    this.#length += this.#buffer.write(text, this.#length);
  }

  bytes(): Buffer {
    return this.#buffer.subarray(0, this.#length);
  }
}
