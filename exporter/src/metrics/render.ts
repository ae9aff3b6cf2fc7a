import { promisify } from 'node:util';
import { gzip as gzipCb } from 'node:zlib';
import type { Registry } from 'prom-client';

const gzip = promisify(gzipCb);

export interface MetricsRenderer {
  readonly contentType: string;
  /** The exposition text, re-rendered only when a snapshot changed or it reached its maximum age. */
  text(): Promise<Buffer>;
  /** The same text gzipped, compressed once per rendering. */
  gzipped(): Promise<Buffer>;
}

export interface RendererOptions {
  /** Snapshot generation: the text can only change when this moves. */
  generation: () => number;
  /** Re-render at least this often, so Node's process metrics (sampled at render time) stay current. */
  maxAgeMs: number;
  /**
   * While a newer rendering is being built, a scrape may get the previous one if it is at most this
   * old, so no scrape waits on rendering. Sources refresh every few seconds, so this costs nothing real.
   */
  serveStaleMs?: number;
  now?: () => number;
}

interface Rendering {
  generation: number;
  at: number;
  text: Promise<Buffer>;
  gzipped?: Promise<Buffer>;
}

/**
 * Serves /metrics from a cached rendering. Collectors only copy snapshots, so re-rendering is needed
 * only when the snapshot generation moves; each rendering is gzipped at most once.
 */
export function createMetricsRenderer(
  registry: Registry,
  { generation, maxAgeMs, serveStaleMs = 1000, now = Date.now }: RendererOptions,
): MetricsRenderer {
  let ready: Rendering | undefined;
  let pending: Rendering | undefined;

  function render(): Rendering {
    const next: Rendering = {
      generation: generation(),
      at: now(),
      text: registry.metrics().then((s) => Buffer.from(s)),
    };
    pending = next;
    next.text.then(
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

  function rendering(): Rendering {
    const t = now();
    if (ready && ready.generation === generation() && t - ready.at < maxAgeMs) return ready;
    const next = pending ?? render();
    return ready && t - ready.at < serveStaleMs ? ready : next;
  }

  return {
    contentType: registry.contentType,
    text: () => rendering().text,
    gzipped() {
      const r = rendering();
      r.gzipped ??= r.text.then((b) => gzip(b, { level: 6 }));
      return r.gzipped;
    },
  };
}
