import { lastValueFrom } from 'rxjs';
import type { BackendSrv, BackendSrvRequest } from '@grafana/runtime';

/**
 * A getBackendSrv() stand-in built on one `fetch`, as Grafana's own is: the jest shim and the browser
 * harness differ only in how a request is sent. The calls neither serves throw `unsupported(name)`.
 */
export function backendSrvOver(
  fetch: BackendSrv['fetch'],
  unsupported: (name: string) => string,
): BackendSrv {
  const request = async <T>(options: BackendSrvRequest): Promise<T> =>
    (await lastValueFrom(fetch<T>(options))).data;
  const viaFetch =
    (method: string) =>
    <T>(url: string, data?: unknown): Promise<T> =>
      request<T>({ url, method, data });
  const refuse = (name: string) => () => {
    throw new Error(unsupported(name));
  };
  return {
    fetch,
    get: <T>(url: string, params?: Record<string, unknown>) => request<T>({ url, method: 'GET', params }),
    post: viaFetch('POST'),
    put: viaFetch('PUT'),
    patch: viaFetch('PATCH'),
    delete: viaFetch('DELETE'),
    // Part of the BackendSrv interface (deprecated there), so pages that still call them work here.
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    request,
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    datasourceRequest: refuse('datasourceRequest'),
    chunked: refuse('chunked'),
  };
}
