import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import type { MetricsRenderer } from '../metrics/render.js';
import { errorBody, errors, toApiError } from './errors.js';
import { buildOpenApi } from './openapi.js';
import type { ApiRouter } from './route.js';

export interface AppDeps {
  logger: Logger;
  metrics: MetricsRenderer;
  routers: readonly ApiRouter[];
  bodyLimit: string;
  version: string;
}

/** The one middleware chain: public probes and /metrics first (kept lean), then the JSON API. */
export function createApp({ logger, metrics, routers, bodyLimit, version }: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', version });
  });

  app.get('/metrics', async (req, res) => {
    const gzip = req.acceptsEncodings('gzip', 'identity') === 'gzip';
    const body = gzip ? await metrics.gzipped() : await metrics.text();
    res.setHeader('Content-Type', metrics.contentType);
    res.setHeader('Vary', 'Accept-Encoding');
    if (gzip) res.setHeader('Content-Encoding', 'gzip');
    res.end(body);
  });

  const api = express.Router();
  api.use(
    pinoHttp({
      logger,
      // Paths only: query strings and headers can carry tokens.
      serializers: {
        req: (req: { method: string; url: string }) => ({ method: req.method, path: req.url.split('?')[0] }),
        res: (res: { statusCode: number }) => ({ status: res.statusCode }),
      },
      customLogLevel: (_req, res, err) =>
        err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    }),
  );
  api.use(express.json({ limit: bodyLimit, strict: true }));
  const openapi = buildOpenApi(
    routers.flatMap((r) => r.docs),
    version,
  );
  api.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  for (const r of routers) api.use(r.base.replace(/^\/api/, ''), r.router);
  app.use('/api', api);

  app.use((req, _res, next) => next(errors.notFound(`no route ${req.method} ${req.path}`)));
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const e = toApiError(err, bodyLimit);
    if (e.status >= 500) logger.error({ err, method: req.method, path: req.path }, 'request failed');
    if (res.headersSent) return res.end();
    res.status(e.status).json(errorBody(e));
  });
  return app;
}
