import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import { PanelBuilder as BarGaugePanel } from '@grafana/grafana-foundation-sdk/bargauge';
import {
  BigValueColorMode,
  BigValueGraphMode,
  ReduceDataOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/common';
import {
  MappingType,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  type Panel,
  type ValueMapping,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TablePanel } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';

/** Every panel and query reads the dashboard's data source variable, never a fixed uid. */
export const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };

/** The node filter every query carries: `node` is the scrape target's node (deploy/prometheus). */
export const N = 'node=~"$node"';

export interface Query {
  expr: string;
  legend?: string;
}

/** A Grafana unit id: `percentunit` (0-1), `bytes`, `Bps`, `bps`, `s`, `celsius`, `rotrpm`, `watt`, ... */
export type Unit = string;

interface Common {
  title: string;
  description?: string;
  unit: Unit;
  /** Grid width (of 24) and height. */
  w: number;
  h: number;
}

export type PanelSpec = cog.Builder<Panel>;

const colors = { ok: 'green', info: 'blue', warning: 'orange', critical: 'red', off: 'text' } as const;

/** Value-to-text mappings, e.g. `states({ 1: ['Up', 'ok'], 0: ['Down', 'critical'] })`. */
export function states(map: Record<number, [text: string, color: keyof typeof colors]>): ValueMapping[] {
  const options = Object.fromEntries(
    Object.entries(map).map(([value, [text, color]], index) => [
      value,
      { text, color: colors[color], index },
    ]),
  );
  return [{ type: MappingType.ValueToText, options }];
}

/** Severity ordinals as proxmon emits them (health categories, disk verdicts). */
export const SEVERITY = states({
  0: ['OK', 'ok'],
  1: ['INFO', 'info'],
  2: ['WARNING', 'warning'],
  3: ['CRITICAL', 'critical'],
});

/** Absolute thresholds from a base colour: `[[0.8, 'orange'], [0.95, 'red']]`. */
function thresholds(steps: Array<[number, string]>, base = 'green'): ThresholdsConfigBuilder {
  return new ThresholdsConfigBuilder()
    .mode(ThresholdsMode.Absolute)
    .steps([{ value: null, color: base }, ...steps.map(([value, color]) => ({ value, color }))]);
}

const query = (q: Query, instant = false, table = false) => {
  const b = new DataqueryBuilder().expr(q.expr).datasource(DATASOURCE);
  if (q.legend !== undefined) b.legendFormat(q.legend);
  if (instant) b.instant();
  if (table) b.format('table' as never);
  return b;
};

export function timeseries(
  o: Common & { queries: Query[]; min?: number; max?: number; steps?: Array<[number, string]> },
): PanelSpec {
  const p = new TimeseriesPanel()
    .title(o.title)
    .unit(o.unit)
    .datasource(DATASOURCE)
    .span(o.w)
    .height(o.h)
    .fillOpacity(10)
    .spanNulls(false);
  if (o.description) p.description(o.description);
  if (o.min !== undefined) p.min(o.min);
  if (o.max !== undefined) p.max(o.max);
  if (o.steps) p.thresholds(thresholds(o.steps));
  for (const q of o.queries) p.withTarget(query(q));
  return p;
}

export function stat(
  o: Common & {
    queries: Query[];
    mappings?: ValueMapping[];
    steps?: Array<[number, string]>;
    noValue?: string;
    /** Colour the background (state-like values) rather than the number. */
    background?: boolean;
  },
): PanelSpec {
  const p = new StatPanel()
    .title(o.title)
    .unit(o.unit)
    .datasource(DATASOURCE)
    .span(o.w)
    .height(o.h)
    .graphMode(BigValueGraphMode.None)
    .colorMode(o.background ? BigValueColorMode.Background : BigValueColorMode.Value)
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false));
  if (o.description) p.description(o.description);
  if (o.mappings) p.mappings(o.mappings);
  p.thresholds(thresholds(o.steps ?? [], o.steps ? 'green' : 'blue'));
  if (o.noValue !== undefined) p.noValue(o.noValue);
  for (const q of o.queries) p.withTarget(query(q, true));
  return p;
}

export function bargauge(
  o: Common & { queries: Query[]; min?: number; max?: number; steps?: Array<[number, string]> },
): PanelSpec {
  const p = new BarGaugePanel()
    .title(o.title)
    .unit(o.unit)
    .datasource(DATASOURCE)
    .span(o.w)
    .height(o.h)
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false));
  if (o.description) p.description(o.description);
  if (o.min !== undefined) p.min(o.min);
  if (o.max !== undefined) p.max(o.max);
  p.thresholds(thresholds(o.steps ?? []));
  for (const q of o.queries) p.withTarget(query(q, true));
  return p;
}

export interface Column {
  /** The query; its value becomes the column `name`. */
  expr: string;
  name: string;
  unit?: Unit;
  mappings?: ValueMapping[];
}

/**
 * A table of instant queries merged row by row on their shared labels (one row per disk, pool,
 * guest, ...). Labels listed in `labels` are shown, in that order, before the value columns, and
 * every other label is hidden; or, with `{ except }`, every label but those. The time is hidden. A
 * column whose query only selects rows (its value is meaningless, e.g. an `_info` series) is named
 * with a leading `_` and hidden.
 */
export function table(o: Common & { labels: string[] | { except: string[] }; columns: Column[] }): PanelSpec {
  const p = new TablePanel()
    .title(o.title)
    .unit(o.unit)
    .datasource(DATASOURCE)
    .span(o.w)
    .height(o.h)
    .showHeader(true)
    .filterable(false);
  if (o.description) p.description(o.description);
  const refs = o.columns.map((_, i) => String.fromCharCode(65 + i));
  // `+ 0` drops the metric name, so rows of different metrics merge on their labels alone.
  o.columns.forEach((c, i) =>
    p.withTarget(query({ expr: `(${c.expr}) + 0` }, true, true).refId(refs[i] ?? 'A')),
  );
  const valueField = (i: number) => (o.columns.length === 1 ? 'Value' : `Value #${refs[i]}`);
  const renameByName: Record<string, string> = {};
  const indexByName: Record<string, number> = {};
  const excludeByName: Record<string, boolean> = { Time: true };
  const shown = Array.isArray(o.labels) ? o.labels : [];
  if (!Array.isArray(o.labels)) for (const l of o.labels.except) excludeByName[l] = true;
  shown.forEach((l, i) => (indexByName[l] = i));
  o.columns.forEach((c, i) => {
    const field = valueField(i);
    if (c.name.startsWith('_')) excludeByName[field] = true;
    else {
      renameByName[field] = c.name;
      indexByName[field] = shown.length + i;
    }
  });
  p.withTransformation({ id: 'merge', options: {} });
  p.withTransformation({
    id: 'organize',
    options: { excludeByName, indexByName, renameByName, includeByName: {} },
  });
  // Keep only the wanted labels: organize cannot exclude "everything else", filterFieldsByName can.
  if (Array.isArray(o.labels)) {
    const values = o.columns.filter((c) => !c.name.startsWith('_')).map((c) => c.name);
    p.withTransformation({
      id: 'filterFieldsByName',
      options: { include: { names: [...shown, ...values] } },
    });
  }
  for (const c of o.columns) {
    if (c.name.startsWith('_')) continue;
    const props = [];
    if (c.unit) props.push({ id: 'unit', value: c.unit });
    if (c.mappings) props.push({ id: 'mappings', value: c.mappings });
    if (props.length) p.overrideByName(c.name, props);
  }
  return p;
}
