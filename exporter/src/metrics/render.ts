import { promisify } from 'node:util';
import { gzip as gzipCb } from 'node:zlib';
import type { Registry } from 'prom-client';

const gzip = promisify(gzipCb);

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
  text: Promise<Buffer>;
  gzipped: Promise<Buffer>;
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
  let scheduled = false;

  function render(): Rendering {
    const text = registry.metrics().then((s) => Buffer.from(s));
    // Compressed right away on libuv's pool, so the first gzip scrape of it does not wait.
    const gzipped = text.then((b) => gzip(b, { level: 6 }));
    gzipped.catch(() => undefined);
    const next: Rendering = { generation: generation(), at: now(), text, gzipped };
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
    text: () => rendering().text,
    gzipped: () => rendering().gzipped,
  };
}
