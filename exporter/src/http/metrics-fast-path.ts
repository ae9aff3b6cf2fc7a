import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import accepts from 'accepts';
import type { MetricsRenderer } from '../metrics/render.js';

/** Answers a scrape: the cached rendering, gzipped when the scraper accepts it (Prometheus does). */
export async function sendMetrics(
  req: IncomingMessage,
  res: ServerResponse,
  metrics: MetricsRenderer,
): Promise<void> {
  const gzip = accepts(req).encodings(['gzip', 'identity']) === 'gzip';
  const body = gzip ? await metrics.gzipped() : await metrics.text();
  res.setHeader('Content-Type', metrics.contentType);
  // Appended: with CORS configured, Vary already names Origin.
  const vary = res.getHeader('Vary');
  res.setHeader('Vary', vary ? `${String(vary)}, Accept-Encoding` : 'Accept-Encoding');
  if (gzip) res.setHeader('Content-Encoding', 'gzip');
  res.end(body);
}

/**
 * Express leaves ~15 KB of garbage per request (request set-up and routing) on top of node's ~7 KB;
 * under frequent scrapes of a big exposition that means a scavenge every few hundred scrapes, each a
 * latency spike. So a plain `GET`/`HEAD /metrics` is answered before express, with the same headers,
 * wherever nothing about it depends on the request: callers use this only when /metrics needs no auth
 * and no CORS is configured. Everything else, and a scrape whose rendering fails, goes to `app`.
 */
export function withMetricsFastPath(
  app: RequestListener,
  metrics: MetricsRenderer,
  headers: ReadonlyArray<readonly [string, string]>,
): RequestListener & { readonly app: RequestListener } {
  const listener: RequestListener = (req, res) => {
    const path = req.url?.split('?', 1)[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) return app(req, res);
    for (const [name, value] of headers) res.setHeader(name, value);
    sendMetrics(req, res, metrics).catch(() => {
      if (!res.headersSent) app(req, res);
    });
  };
  // Kept reachable, so that route listings can still walk the app's router.
  return Object.assign(listener, { app });
}
