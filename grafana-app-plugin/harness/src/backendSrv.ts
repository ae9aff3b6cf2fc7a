import { Observable } from 'rxjs';
import type { BackendSrv, BackendSrvRequest, FetchResponse } from '@grafana/runtime';
import { backendSrvOver } from '../../src/test-support/backendSrvOver';

/**
 * getBackendSrv() for the harness page: the same requests Grafana's frontend makes, sent with the
 * browser's fetch to the harness server, which plays Grafana (settings API and plugin proxy).
 * Errors take the shape of Grafana's FetchError ({status, statusText, data}).
 */

function withParams(url: string, params?: Record<string, unknown>): string {
  const entries = Object.entries(params ?? {}).filter(([, v]) => v !== undefined);
  const qs = new URLSearchParams(entries.map(([k, v]) => [k, String(v)])).toString();
  const abs = url.startsWith('/') || /^https?:/.test(url) ? url : `/${url}`;
  return qs ? `${abs}${abs.includes('?') ? '&' : '?'}${qs}` : abs;
}

function fetchShim<T>(options: BackendSrvRequest): Observable<FetchResponse<T>> {
  return new Observable<FetchResponse<T>>((subscriber) => {
    const controller = new AbortController();
    const url = withParams(options.url, options.params);
    const hasBody = options.data !== undefined;
    fetch(url, {
      method: options.method ?? 'GET',
      headers: hasBody ? { 'content-type': 'application/json' } : {},
      body: hasBody ? JSON.stringify(options.data) : undefined,
      signal: controller.signal,
    })
      .then(async (res) => {
        const text = await res.text();
        let data: unknown = text;
        if ((res.headers.get('content-type') ?? '').includes('json') && text !== '') {
          data = JSON.parse(text);
        }
        if (res.ok) {
          subscriber.next({
            data: data as T,
            status: res.status,
            statusText: res.statusText,
            ok: true,
            headers: res.headers,
            redirected: res.redirected,
            type: res.type,
            url: res.url,
            config: options,
          });
          subscriber.complete();
        } else {
          subscriber.error({ status: res.status, statusText: res.statusText, data, config: options });
        }
      })
      .catch((e: unknown) => {
        if (!controller.signal.aborted) {
          subscriber.error({
            status: 0,
            statusText: String(e),
            data: { message: String(e) },
            config: options,
          });
        }
      });
    return () => controller.abort();
  });
}

export const harnessBackendSrv: BackendSrv = backendSrvOver(
  fetchShim,
  (name) => `${name} is not available in the harness`,
);
