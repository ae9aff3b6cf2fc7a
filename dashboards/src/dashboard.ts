import {
  DashboardBuilder,
  DashboardCursorSync,
  DashboardLinkBuilder,
  DashboardLinkType,
  RowBuilder,
  VariableHide,
  VariableRefresh,
  VariableSort,
  VariableType,
  type Dashboard,
  type Panel,
  type RowPanel,
  type VariableModel,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { DATASOURCE, type PanelSpec } from './panels.js';

export interface Row {
  title: string;
  panels: PanelSpec[];
}

export interface DashboardSpec {
  /** Fixed uid: the app plugin bundles the dashboards by uid, and links between them use it. */
  uid: string;
  title: string;
  description: string;
  rows: Row[];
}

/** Bumped when the generated dashboards change, so Grafana re-imports plugin-bundled copies. */
export const REVISION = 1;

/**
 * The two variables every proxmon dashboard has, written as plain models: the SDK's variable
 * builders add keys (allowCustomValue, auto*) that the classic dashboard JSON schema we check
 * against rejects and Grafana does not need.
 */
function variables(): VariableModel[] {
  return [
    {
      type: VariableType.Datasource,
      name: 'datasource',
      label: 'Data source',
      query: 'prometheus',
      hide: VariableHide.DontHide,
    },
    {
      type: VariableType.Query,
      name: 'node',
      label: 'Node',
      description: 'Proxmox VE nodes (the `node` label the Prometheus scrape config gives each exporter)',
      datasource: DATASOURCE,
      query: 'label_values(proxmon_build_info, node)',
      refresh: VariableRefresh.OnTimeRangeChanged,
      sort: VariableSort.AlphabeticalAsc,
      multi: true,
      includeAll: true,
      allValue: '.+',
      current: { text: 'All', value: '$__all', selected: true },
    },
  ];
}

/** Builds a dashboard: rows of panels laid out left to right, ids and query refIds assigned. */
export function buildDashboard(spec: DashboardSpec): Dashboard {
  const b = new DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags(['proxmon'])
    .editable()
    .tooltip(DashboardCursorSync.Crosshair)
    .time({ from: 'now-6h', to: 'now' })
    .refresh('30s')
    .timezone('browser')
    .revision(REVISION)
    .link(
      new DashboardLinkBuilder('proxmon')
        .type(DashboardLinkType.Dashboards)
        .tags(['proxmon'])
        .asDropdown(true)
        .includeVars(true)
        .keepTime(true),
    );
  for (const row of spec.rows) {
    b.withRow(new RowBuilder(row.title));
    for (const panel of row.panels) b.withPanel(panel);
  }
  const dashboard = b.build();
  dashboard.templating = { list: variables() };
  // The SDK's default link placement (a controls menu of newer Grafana) is not in the classic schema.
  for (const link of dashboard.links ?? []) delete link.placement;
  let id = 1;
  for (const panel of dashboard.panels ?? []) {
    panel.id = id++;
    if (isRow(panel)) continue;
    panel.targets?.forEach((t, i) => {
      (t as { refId?: string }).refId ??= String.fromCharCode(65 + i);
    });
  }
  return dashboard;
}

export const isRow = (p: Panel | RowPanel): p is RowPanel => p.type === 'row';
