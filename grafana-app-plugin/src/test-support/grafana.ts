import http from 'http';
import { Observable } from 'rxjs';
import { type AppPluginMeta, OrgRole, PluginType } from '@grafana/data';
import { config, type BackendSrv, type BackendSrvRequest, type FetchResponse } from '@grafana/runtime';
import pluginJson from '../plugin.json';
import type { AppJsonData } from '../constants';
import { backendSrvOver } from './backendSrvOver';
import { matchRoute, proxyTarget, type GrafanaRole, type PluginRoute, type PluginSettings } from './routes';

/**
 * A stand-in for the Grafana server behind getBackendSrv(): the app's settings
 * (`/api/plugins/<id>/settings`) and its plugin proxy (`/api/plugin-proxy/<id>/...`), which applies the
 * plugin.json route table for the simulated user's role (routes.ts) and forwards to the real exporter.
 */

const PLUGIN_ID = pluginJson.id;
const SETTINGS_URL = new RegExp(`^/?api/plugins/${PLUGIN_ID}/settings$`);
const PROXY_URL = new RegExp(`^/?api/plugin-proxy/${PLUGIN_ID}/([^?]*)(?:\\?(.*))?$`);

export const routes = pluginJson.routes as PluginRoute[];

export interface AppSettings extends PluginSettings {
  enabled: boolean;
  pinned: boolean;
}

export interface LoggedRequest {
  method: string;
  url: string;
  status: number;
  /** Where the proxy sent it, when a route matched. */
  target?: string;
}

export const grafana = {
  role: 'Admin' as GrafanaRole,
  settings: { enabled: true, pinned: true, jsonData: {}, secureJsonData: {} } as AppSettings,
  log: [] as LoggedRequest[],
};

/** The simulated Grafana user's org role, for the proxy's reqRole check and for config.bootData. */
export function setRole(role: GrafanaRole): void {
  grafana.role = role;
  config.bootData.user.orgRole = OrgRole[role];
}

/** Points the app at an exporter, as an admin saving the config page would. */
export function configureApp(exporter: { url: string; readToken?: string; adminToken?: string }): void {
  const secureJsonData: Record<string, string> = {};
  if (exporter.readToken !== undefined) {
    secureJsonData.readToken = exporter.readToken;
  }
  if (exporter.adminToken !== undefined) {
    secureJsonData.adminToken = exporter.adminToken;
  }
  grafana.settings = { enabled: true, pinned: true, jsonData: { exporterUrl: exporter.url }, secureJsonData };
}

const secureJsonFields = () =>
  Object.fromEntries(Object.keys(grafana.settings.secureJsonData).map((k) => [k, true]));

/** The plugin meta Grafana hands to the app and its config page. */
export function pluginMeta(): AppPluginMeta<AppJsonData> {
  return {
    id: PLUGIN_ID,
    name: pluginJson.name,
    type: PluginType.app,
    enabled: grafana.settings.enabled,
    pinned: grafana.settings.pinned,
    jsonData: grafana.settings.jsonData as AppJsonData,
    secureJsonFields: secureJsonFields(),
    module: '',
    baseUrl: '',
    info: {
      author: { name: 'proxmon' },
      description: '',
      links: [],
      logos: { small: '', large: '' },
      screenshots: [],
      updated: '',
      version: '',
      keywords: [],
    },
  };
}

interface RawResponse {
  status: number;
  statusText: string;
  data: unknown;
}

function send(
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: string,
): Promise<RawResponse> {
  return new Promise((resolve) => {
    const req = http.request(url, { method, headers, timeout: 30_000, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let data: unknown = text;
        if ((res.headers['content-type'] ?? '').includes('json') && text !== '') {
          try {
            data = JSON.parse(text);
          } catch {
            data = text;
          }
        }
        resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', data });
      });
    });
    // What Grafana's reverse proxy answers when the exporter cannot be reached.
    const badGateway = () => resolve({ status: 502, statusText: 'Bad Gateway', data: '' });
    req.on('timeout', () => {
      req.destroy();
      badGateway();
    });
    req.on('error', badGateway);
    if (body !== undefined) {
      req.write(body);
    }
    req.end();
  });
}

function withParams(url: string, params?: Record<string, unknown>): string {
  const entries = Object.entries(params ?? {}).filter(([, v]) => v !== undefined);
  if (!entries.length) {
    return url;
  }
  const qs = new URLSearchParams(entries.map(([k, v]) => [k, String(v)])).toString();
  return `${url}${url.includes('?') ? '&' : '?'}${qs}`;
}

async function handle(options: BackendSrvRequest): Promise<RawResponse> {
  const method = (options.method ?? 'GET').toUpperCase();
  const url = withParams(options.url, options.params);
  if (SETTINGS_URL.test(url)) {
    if (method === 'POST') {
      const d = (options.data ?? {}) as Partial<AppSettings>;
      grafana.settings = {
        enabled: d.enabled ?? grafana.settings.enabled,
        pinned: d.pinned ?? grafana.settings.pinned,
        jsonData: d.jsonData ?? grafana.settings.jsonData,
        // Grafana keeps secrets that are not sent and overwrites those that are.
        secureJsonData: { ...grafana.settings.secureJsonData, ...(d.secureJsonData ?? {}) },
      };
      return { status: 200, statusText: 'OK', data: { message: 'Plugin settings updated' } };
    }
    const meta = pluginMeta();
    return { status: 200, statusText: 'OK', data: { ...meta } };
  }
  const proxied = PROXY_URL.exec(url);
  if (!proxied) {
    return {
      status: 404,
      statusText: 'Not Found',
      data: { message: `not emulated by the test shim: ${url}` },
    };
  }
  const match = matchRoute(routes, method, proxied[1] ?? '', grafana.role);
  if (!match.ok) {
    return { status: match.status, statusText: '', data: { message: match.message } };
  }
  const target = proxyTarget(match, proxied[2] ?? '', grafana.settings);
  const body = options.data === undefined ? undefined : JSON.stringify(options.data);
  const res = await send(
    target.url,
    method,
    { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...target.headers },
    body,
  );
  grafana.log.push({ method, url, status: res.status, target: target.url });
  return res;
}

function fetchShim<T>(options: BackendSrvRequest): Observable<FetchResponse<T>> {
  return new Observable<FetchResponse<T>>((subscriber) => {
    let live = true;
    handle(options).then(
      (res) => {
        if (!live) {
          return;
        }
        if (res.status >= 200 && res.status < 300) {
          subscriber.next({
            data: res.data as T,
            status: res.status,
            statusText: res.statusText,
            ok: true,
            headers: {} as Headers,
            redirected: false,
            type: 'basic',
            url: options.url,
            config: options,
          });
          subscriber.complete();
        } else {
          // The shape of Grafana's FetchError.
          subscriber.error({
            status: res.status,
            statusText: res.statusText,
            data: res.data,
            config: options,
          });
        }
      },
      (e: unknown) => live && subscriber.error(e),
    );
    return () => {
      live = false;
    };
  });
}

export const backendSrvShim: BackendSrv = backendSrvOver(
  fetchShim,
  (name) => `${name} is not emulated by the test shim; use getBackendSrv().fetch`,
);
