import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { format, resolveConfig } from 'prettier';
import { buildDashboard, type DashboardSpec } from './dashboard.js';
import { gpu } from './gpu.js';
import { guests } from './guests.js';
import { health } from './health.js';
import { host } from './host.js';
import { overview } from './overview.js';
import { storage } from './storage.js';
import { ups } from './ups.js';

/** Every proxmon dashboard and the file it is written to under dashboards/. */
export const dashboardSpecs: ReadonlyArray<{ file: string; spec: DashboardSpec }> = [
  { file: 'overview.json', spec: overview },
  { file: 'host.json', spec: host },
  { file: 'storage.json', spec: storage },
  { file: 'guests.json', spec: guests },
  { file: 'gpu.json', spec: gpu },
  { file: 'ups.json', spec: ups },
  { file: 'health.json', spec: health },
];

export const dashboardsDir = new URL('../', import.meta.url);

/** The JSON text of a dashboard exactly as committed: prettier-formatted with the repository's config. */
export async function renderDashboard(dashboard: Dashboard): Promise<string> {
  const file = new URL('overview.json', dashboardsDir);
  const options = (await resolveConfig(file)) ?? {};
  return format(JSON.stringify(dashboard), { ...options, parser: 'json' });
}

export { buildDashboard };
