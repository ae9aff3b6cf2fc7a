/**
 * Metrics the dashboards and alert rules use that the exporter does not emit yet, each with the
 * reason. The metric-reference test fails once one of them shows up in docs/METRICS.md (remove it
 * here then), and the end-to-end test does not expect series for expressions that need them.
 */
export const PENDING_METRICS: Readonly<Record<string, string>> = {};

/** Series Prometheus makes itself: the scrape's `up` and the alerting state `ALERTS`. */
export const PROMETHEUS_SERIES = ['up', 'ALERTS'] as const;

/** Metric names an expression reads: every `proxmon_*` identifier, plus Prometheus' own series. */
export function metricsIn(expr: string): string[] {
  const names = new Set(expr.match(/\bproxmon_[a-zA-Z0-9_]+/g) ?? []);
  for (const name of PROMETHEUS_SERIES) if (new RegExp(`\\b${name}\\{`).test(expr)) names.add(name);
  return [...names].sort();
}
