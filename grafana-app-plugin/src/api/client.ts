import { getBackendSrv, isFetchError } from '@grafana/runtime';
import { lastValueFrom } from 'rxjs';
import { PROXY_BASE } from '../constants';

/**
 * What went wrong, in the terms a page shows:
 * - `unauthorized`: the exporter refused the token (wrong, revoked or unset in the app's configuration);
 * - `forbidden`: Grafana's route role or the token's scope does not allow it (403 from either);
 * - `no-route`: no plugin.json route matches this method and path (Grafana's 404);
 * - `not-found`, `validation`, `conflict`, `rate-limited`: the exporter's answers;
 * - `network`: Grafana could not reach the exporter (502/504 without the exporter's error body) or the
 *   browser could not reach Grafana;
 * - `server`: any other failure.
 */
export type ApiErrorKind =
  | 'unauthorized'
  | 'forbidden'
  | 'no-route'
  | 'not-found'
  | 'validation'
  | 'conflict'
  | 'rate-limited'
  | 'network'
  | 'server';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    /** The exporter's stable code (e.g. `validation_error`), or one of ours for Grafana's own answers. */
    readonly code: string,
    message: string,
    readonly kind: ApiErrorKind,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The exporter's error body: `{"error":{"code","message"}}`. */
interface ExporterErrorBody {
  error: { code: string; message: string };
}

const isExporterError = (d: unknown): d is ExporterErrorBody => {
  const e = (d as { error?: unknown } | null)?.error as { code?: unknown; message?: unknown } | undefined;
  return typeof e === 'object' && e !== null && typeof e.code === 'string' && typeof e.message === 'string';
};

const kindFor = (status: number): ApiErrorKind => {
  if (status === 401) {
    return 'unauthorized';
  }
  if (status === 403) {
    return 'forbidden';
  }
  if (status === 404) {
    return 'not-found';
  }
  if (status === 400 || status === 413 || status === 415 || status === 422) {
    return 'validation';
  }
  if (status === 409) {
    return 'conflict';
  }
  if (status === 429) {
    return 'rate-limited';
  }
  return 'server';
};

/** Turns whatever getBackendSrv().fetch threw into an ApiError. */
export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) {
    return e;
  }
  if (!isFetchError(e)) {
    return new ApiError(0, 'network', e instanceof Error ? e.message : String(e), 'network');
  }
  const { status, data } = e;
  if (isExporterError(data)) {
    return new ApiError(status, data.error.code, data.error.message, kindFor(status));
  }
  const grafanaMessage =
    typeof (data as { message?: unknown } | null)?.message === 'string' ? data.message : '';
  if (status === 403) {
    return new ApiError(
      403,
      'route_denied',
      grafanaMessage || 'your Grafana role may not do this',
      'forbidden',
    );
  }
  if (status === 404) {
    return new ApiError(404, 'no_route', grafanaMessage || 'no plugin route for this request', 'no-route');
  }
  if (status === 0 || status === 502 || status === 503 || status === 504) {
    return new ApiError(
      status,
      'network',
      `Grafana could not reach the exporter${status ? ` (HTTP ${status})` : ''}; check the exporter URL`,
      'network',
    );
  }
  return new ApiError(
    status,
    'http_error',
    grafanaMessage || e.statusText || `HTTP ${status}`,
    kindFor(status),
  );
}

export interface ApiOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** JSON body. */
  data?: unknown;
  /** Query parameters; undefined values are left out. */
  query?: Record<string, string | number | boolean | undefined>;
}

/** `health/status` → `api/plugin-proxy/proxmon-monitor-app/api/health/status`. */
export function apiUrl(path: string, query?: ApiOptions['query']): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v !== undefined) {
      qs.set(k, String(v));
    }
  }
  const q = qs.toString();
  return `${PROXY_BASE}/api/${path.replace(/^\/+/, '').replace(/^api\//, '')}${q ? `?${q}` : ''}`;
}

/**
 * Calls the exporter's API through Grafana's plugin proxy, which picks the plugin.json route for the
 * method and path, checks the user's role and adds the token; the browser never holds one.
 * Rejects with an ApiError.
 */
export async function api<T>(path: string, opts: ApiOptions = {}): Promise<T> {
  try {
    const res = await lastValueFrom(
      getBackendSrv().fetch<T>({
        url: apiUrl(path, opts.query),
        method: opts.method ?? 'GET',
        ...(opts.data !== undefined ? { data: opts.data } : {}),
        // Pages show their own error states; Grafana's toast would say the same thing twice.
        showErrorAlert: false,
        showSuccessAlert: false,
      }),
    );
    return res.data;
  } catch (e) {
    throw toApiError(e);
  }
}
