import type { RequestHandler } from 'express';
import type { Auth } from '../auth/index.js';
import { hasScope } from '../auth/scopes.js';
import { createBasicAuthChecker } from '../auth/web-config.js';
import type { Config } from '../config.js';
import { principalOf } from './authenticate.js';
import { errorBody, errors } from './errors.js';

/** /metrics stays public unless `metrics.auth: token` or web-config basic auth users ask otherwise. */
export function metricsGuard(
  config: Config,
  auth: Auth,
  basicUsers: Record<string, string>,
): RequestHandler | undefined {
  const basic = Object.keys(basicUsers).length ? createBasicAuthChecker(basicUsers) : undefined;
  if (config.metrics.auth === 'none' && !basic) return undefined;
  return async (req, res, next) => {
    const header = req.headers.authorization;
    if (basic && /^Basic /i.test(header ?? '') && (await basic.check(header))) return next();
    if (config.metrics.auth === 'token' && hasScope(await principalOf(header, auth), 'read')) return next();
    res.setHeader('WWW-Authenticate', basic ? 'Basic realm="proxmon"' : 'Bearer realm="proxmon"');
    res.status(401).json(errorBody(errors.unauthorized()));
  };
}
