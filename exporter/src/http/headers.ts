import type { RequestHandler } from 'express';
import { ConfigError } from '../config.js';
import { ApiError, errorBody } from './errors.js';

export interface SecurityHeadersOptions {
  /** Origins allowed to call the API from a browser (config `auth.cors_origins`); empty: no CORS at all. */
  corsOrigins: readonly string[];
  /** Extra or overriding headers, e.g. http_server_config.headers from the web config file. */
  extraHeaders?: Readonly<Record<string, string>>;
}

/**
 * We serve JSON and metrics text, never HTML, so one policy that forbids everything fits every response.
 * HSTS is not sent by default: it binds the whole host name, all ports, and proxmon often shares a host
 * name with other services; set it through the web config file's headers when wanted.
 */
const BASE_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy':
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
};

const CORS_METHODS = 'GET, POST, PUT, PATCH, DELETE';
const CORS_REQUEST_HEADERS = 'Authorization, Content-Type';
/** Response headers a browser script may read beyond the safelisted ones (429 and paging). */
const CORS_EXPOSED_HEADERS = 'Retry-After';
const PREFLIGHT_MAX_AGE_SECONDS = '600';

/**
 * Security headers on every response, `Cache-Control: no-store` under /api, and CORS only for the
 * configured origins. A preflight from any other origin is answered 403 with no CORS headers: the
 * browser refuses either way, but an explicit 403 shows up plainly in its console and in our logs, and
 * keeps the OPTIONS request away from the router (which would otherwise list a route's methods).
 */
export function securityHeaders({ corsOrigins, extraHeaders = {} }: SecurityHeadersOptions): RequestHandler {
  const headers = headerList(extraHeaders);
  // Browsers send the bare origin (scheme://host[:port]); config may carry a trailing slash or a path.
  const allowed = new Set(corsOrigins.map(toOrigin));

  return (req, res, next) => {
    for (const [name, value] of headers) res.setHeader(name, value);
    const path = req.originalUrl.split('?')[0] ?? '';
    if (path === '/api' || path.startsWith('/api/')) res.setHeader('Cache-Control', 'no-store');
    // With CORS configured, responses differ by Origin, so caches must key on it, whoever asks.
    if (allowed.size > 0) res.vary('Origin');
    const origin = req.headers.origin;
    const preflight =
      req.method === 'OPTIONS' && origin !== undefined && 'access-control-request-method' in req.headers;
    const ok = origin !== undefined && allowed.has(origin);
    if (preflight && !ok) {
      res.status(403).json(errorBody(new ApiError(403, 'cors_forbidden', 'origin not allowed')));
      return;
    }
    if (!ok) return next();
    res.setHeader('Access-Control-Allow-Origin', origin);
    if (!preflight) {
      res.setHeader('Access-Control-Expose-Headers', CORS_EXPOSED_HEADERS);
      return next();
    }
    res.setHeader('Access-Control-Allow-Methods', CORS_METHODS);
    res.setHeader('Access-Control-Allow-Headers', CORS_REQUEST_HEADERS);
    res.setHeader('Access-Control-Max-Age', PREFLIGHT_MAX_AGE_SECONDS);
    res.status(204).end();
  };
}

/**
 * The headers securityHeaders gives a response outside /api when they cannot depend on the request,
 * that is without CORS; undefined with CORS configured.
 */
export function fixedSecurityHeaders({
  corsOrigins,
  extraHeaders = {},
}: SecurityHeadersOptions): ReadonlyArray<readonly [string, string]> | undefined {
  return corsOrigins.length === 0 ? headerList(extraHeaders) : undefined;
}

function headerList(extraHeaders: Readonly<Record<string, string>>): Array<[string, string]> {
  return Object.entries({ ...BASE_HEADERS, ...extraHeaders });
}

/** `https://grafana.example:3000/` → `https://grafana.example:3000`; opaque origins (file:, data:) would be "null". */
function toOrigin(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(`CORS origin ${JSON.stringify(url)} is not a URL`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    throw new ConfigError(`CORS origin ${JSON.stringify(url)} must be an http or https URL`);
  return parsed.origin;
}
