import pluginJson from './plugin.json';

export const PLUGIN_ID = pluginJson.id;
export const PLUGIN_BASE_URL = `/a/${PLUGIN_ID}`;

/** Grafana's proxy for this app's plugin.json routes; the exporter's `/api/...` lives below it. */
export const PROXY_BASE = `api/plugin-proxy/${PLUGIN_ID}`;

/** Page routes below PLUGIN_BASE_URL; keep in step with the page includes of plugin.json. */
export enum ROUTES {
  Overview = 'overview',
  HealthSettings = 'health-settings',
  Notifications = 'notifications',
  Security = 'security',
  Terminal = 'terminal',
}

/** The absolute in-Grafana path of a page, e.g. prefixRoute(ROUTES.Security) → /a/proxmon-monitor-app/security. */
export const prefixRoute = (route: string): string => `${PLUGIN_BASE_URL}/${route}`;

/** What the config page stores: jsonData.exporterUrl, and the two tokens in secureJsonData. */
export interface AppJsonData {
  exporterUrl?: string;
}
export type SecureKey = 'readToken' | 'adminToken';
