import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import type { MetricsRenderer } from '../metrics/render.js';
import { sendMetrics } from './metrics-fast-path.js';
import { errorBody, errors, toApiError } from './errors.js';
import { buildOpenApi } from './openapi.js';
import { hasScope } from '../auth/scopes.js';
import { requestContext } from './request-context.js';
import type { ApiRouter } from './route.js';

export interface AppDeps {
  logger: Logger;
  metrics: MetricsRenderer;
  routers: readonly ApiRouter[];
  bodyLimit: string;
  version: string;
  /** Security headers and CORS, on every response. */
  headers?: RequestHandler;
  /** Client IP, ban check and caller identity, before every /api route. */
  authenticate?: RequestHandler;
  /** Guards /metrics when `metrics.auth` asks for it. */
  metricsGuard?: RequestHandler;
}

/** The one middleware chain: public probes and /metrics first (kept lean), then the JSON API. */
export function createApp({
  logger,
  metrics,
  routers,
  bodyLimit,
  version,
  headers,
  authenticate,
  metricsGuard,
}: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  if (headers) app.use(headers);

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', version });
  });

  if (metricsGuard) app.use('/metrics', metricsGuard);
  app.get('/metrics', (req, res) => sendMetrics(req, res, metrics));

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
  if (authenticate) api.use(authenticate);
  api.use(express.json({ limit: bodyLimit, strict: true }));
  const openapi = buildOpenApi(
    routers.flatMap((r) => r.docs),
    version,
  );
  api.get('/openapi.json', (_req, res, next) => {
    const { principal } = requestContext(res);
    if (authenticate && !principal) return next(errors.unauthorized());
    if (authenticate && !hasScope(principal, 'read'))
      return next(errors.forbidden('this needs the read scope'));
    res.json(openapi);
  });
  for (const r of routers) api.use(r.base.replace(/^\/api/, '') || '/', r.router);
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
