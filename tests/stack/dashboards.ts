import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Dashboard, Panel, RowPanel } from '@grafana/grafana-foundation-sdk/dashboard';
import { dashboardSpecs } from '../../dashboards/src/index.js';
import { dashboardsDir } from './paths.js';

export interface DashboardFile {
  file: string;
  dashboard: Dashboard;
}

export interface PanelQuery {
  dashboard: string;
  panel: string;
  refId: string;
  expr: string;
}

/** The committed dashboards/*.json (what Grafana and the app plugin load), parsed. */
export function loadDashboards(): DashboardFile[] {
  return dashboardSpecs.map(({ file }) => ({
    file,
    dashboard: JSON.parse(readFileSync(join(dashboardsDir, file), 'utf8')) as Dashboard,
  }));
}

export const isRow = (p: Panel | RowPanel): p is RowPanel => p.type === 'row';

/** Every non-row panel, including panels inside collapsed rows. */
export function panelsOf(d: Dashboard): Panel[] {
  return (d.panels ?? []).flatMap((p) => (isRow(p) ? p.panels : [p]));
}

interface PromTarget {
  refId?: string;
  expr?: string;
  datasource?: { type?: string; uid?: string };
}

export const targetsOf = (p: Panel): PromTarget[] => (p.targets ?? []) as PromTarget[];

/** Every PromQL expression of every panel, with where it comes from. */
export function panelQueries(files = loadDashboards()): PanelQuery[] {
  return files.flatMap(({ file, dashboard }) =>
    panelsOf(dashboard).flatMap((p) =>
      targetsOf(p).map((t) => ({
        dashboard: file,
        panel: p.title ?? '',
        refId: t.refId ?? '',
        expr: t.expr ?? '',
      })),
    ),
  );
}

/**
 * An expression as Grafana sends it with every node selected over a short range: `$node` becomes the
 * All value, and the interval variables fixed spans the end-to-end test's 1 s scrapes can fill.
 */
export function substituteVariables(expr: string): string {
  return expr
    .replaceAll('$__rate_interval', '30s')
    .replaceAll('$__interval', '15s')
    .replaceAll('$__range', '5m')
    .replaceAll('$node', '.+');
}
