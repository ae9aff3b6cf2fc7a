import type { Measurement } from './measure.js';

export interface Check {
  pass: boolean;
  label: string;
  detail: string;
}

const RSS_LIMIT_BYTES = 120e6;
const MB = 1e6;

/** The targets proxmon must meet against node_exporter measured in the same run. */
export function checkTargets(proxmon: Measurement, nodeExporter: Measurement, subject = 'proxmon'): Check[] {
  const half = 0.5 * nodeExporter.medianMs;
  return [
    {
      pass: proxmon.medianMs <= half,
      label: `${subject} median ≤ 0.5 × node_exporter median`,
      detail: `${ms(proxmon.medianMs)} ≤ ${ms(half)}`,
    },
    {
      pass: proxmon.p99Ms <= nodeExporter.medianMs,
      label: `${subject} p99 ≤ node_exporter median`,
      detail: `${ms(proxmon.p99Ms)} ≤ ${ms(nodeExporter.medianMs)}`,
    },
    {
      pass: proxmon.series >= nodeExporter.series,
      label: `${subject} series ≥ node_exporter series`,
      detail: `${proxmon.series} ≥ ${nodeExporter.series}`,
    },
    {
      pass: proxmon.rssBytes <= RSS_LIMIT_BYTES,
      label: `${subject} RSS ≤ 120 MB`,
      detail: `${mb(proxmon.rssBytes)} ≤ 120.0 MB`,
    },
  ];
}

export function renderChecks(checks: readonly Check[]): string {
  return checks.map((c) => `${c.pass ? 'PASS' : 'FAIL'}  ${c.label}  (${c.detail})`).join('\n');
}

/** A markdown table: one row per quantity, columns node_exporter, proxmon and their ratio. */
export function renderComparison(
  nodeExporter: Measurement,
  proxmon: Measurement,
  proxmonLabel: string,
): string {
  const row = (quantity: string, value: (m: Measurement) => number, format: (n: number) => string) => {
    const base = value(nodeExporter);
    const ours = value(proxmon);
    return [quantity, format(base), format(ours), (ours / base).toFixed(2)];
  };
  const wire = (m: Measurement) => m.wireBytes;
  const rows = [
    row('series', (m) => m.series, String),
    row(
      'median latency (ms)',
      (m) => m.medianMs,
      (n) => n.toFixed(2),
    ),
    row(
      'p99 latency (ms)',
      (m) => m.p99Ms,
      (n) => n.toFixed(2),
    ),
    row(
      'requests/s',
      (m) => m.requestsPerSecond,
      (n) => n.toFixed(0),
    ),
    row(
      'RSS (MB)',
      (m) => m.rssBytes,
      (n) => (n / MB).toFixed(1),
    ),
    row('response size (KB on the wire)', wire, (n) => (n / 1e3).toFixed(1)),
  ];
  rows.push(['response encoding', nodeExporter.encoding, proxmon.encoding, '']);
  return renderTable(['', 'node_exporter', proxmonLabel, `${proxmonLabel} / node_exporter`], rows);
}

/** `version` label of a `<metric>{…}` sample, e.g. node_exporter_build_info. */
export function buildVersion(metricsText: string, metric: string): string | undefined {
  const line = metricsText.split('\n').find((l) => l.startsWith(`${metric}{`));
  return line ? /[{,]version="([^"]*)"/.exec(line)?.[1] : undefined;
}

export const ms = (n: number) => `${n.toFixed(2)} ms`;
export const mb = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`;

/** Columns padded so the table also reads well in a terminal; the first one left-aligned, the rest right. */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, col) => Math.max(3, ...all.map((r) => (r[col] ?? '').length)));
  const pad = (text: string, col: number) =>
    col === 0 ? text.padEnd(widths[col] ?? 0) : text.padStart(widths[col] ?? 0);
  const line = (cells: readonly string[]) => `| ${cells.map((c, col) => pad(c, col)).join(' | ')} |`;
  const rule = `| ${widths.map((w, col) => (col === 0 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}
