import { Registry } from 'prom-client';
import { SnapshotCache } from '../snapshots.js';
import { metricNamesByArea, registerAllMetrics } from './index.js';

export interface MetricDoc {
  area: string;
  name: string;
  type: string;
  labels: readonly string[];
  help: string;
}

/** Every metric proxmon registers (opt-in ones included), as declared: the source of docs/METRICS.md. */
export async function describeMetrics(): Promise<MetricDoc[]> {
  const registry = new Registry();
  registerAllMetrics(registry, new SnapshotCache(), { version: 'doc', perCpu: true, smartAttributes: true });
  const declared = new Map(
    registry
      .getMetricsAsArray()
      .map((m) => [m.name, (m as unknown as { labelNames?: string[] }).labelNames ?? []]),
  );
  const json = await registry.getMetricsAsJSON();
  const areaOf = new Map<string, string>(
    Object.entries(metricNamesByArea).flatMap(([area, names]) =>
      names.map((n): [string, string] => [n, area]),
    ),
  );
  return json.map((m) => ({
    area: areaOf.get(m.name) ?? '(none)',
    name: m.name,
    type: String(m.type),
    labels: declared.get(m.name) ?? [],
    help: m.help,
  }));
}

export function renderMetricsDoc(docs: readonly MetricDoc[]): string {
  const lines = [
    '# proxmon metrics',
    '',
    'Generated from the registry by `UPDATE_GOLDEN=1 npx vitest run exporter/src/metrics/catalogue.test.ts`;',
    'a test fails when this file and the code disagree. Rules: one prefix `proxmon_`, base units in the',
    'name, `_total` only on counters, identity on `_info` gauges, unknown values left out (never 0).',
    'Node.js process metrics (`process_*`, `nodejs_*`) from prom-client are exported too.',
  ];
  for (const area of Object.keys(metricNamesByArea)) {
    lines.push('', `## ${area}`, '', '| name | type | labels | meaning |', '|---|---|---|---|');
    for (const d of docs.filter((x) => x.area === area).sort((a, b) => a.name.localeCompare(b.name))) {
      lines.push(`| \`${d.name}\` | ${d.type} | ${d.labels.join(', ')} | ${d.help.replace(/\|/g, '\\|')} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}
