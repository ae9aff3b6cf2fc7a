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

interface Rendering {
  generation: number;
  at: number;
  text: Promise<Buffer>;
  gzipped?: Promise<Buffer>;
}

/**
 * Serves /metrics from a cached rendering. Collectors only copy snapshots, so the text can only
 * change when the snapshot generation moves; the age cap keeps Node's process metrics (sampled at
 * render time) from going stale on a host whose sources are all idle.
 */
export function createMetricsRenderer(
  registry: Registry,
  generation: () => number,
  maxAgeMs: number,
  now: () => number = Date.now,
): MetricsRenderer {
  let current: Rendering | undefined;

  function rendering(): Rendering {
    const gen = generation();
    const t = now();
    if (current && current.generation === gen && t - current.at < maxAgeMs) return current;
    const next: Rendering = { generation: gen, at: t, text: registry.metrics().then((s) => Buffer.from(s)) };
    // Concurrent scrapes share one rendering; a failed one is not cached.
    next.text.catch(() => {
      if (current === next) current = undefined;
    });
    current = next;
    return next;
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
