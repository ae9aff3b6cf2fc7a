import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { panelQueries } from './dashboards.js';
import { metricsCatalogue } from './paths.js';
import { metricsIn, PENDING_METRICS, PROMETHEUS_SERIES } from './pending-metrics.js';
import { allRules } from './rules.js';

/** Metric names in docs/METRICS.md, the catalogue generated from the exporter's registry. */
const catalogue = new Set(
  [...readFileSync(metricsCatalogue, 'utf8').matchAll(/^\| `(proxmon_[a-z0-9_]+)` \|/gm)].map(
    (m) => m[1] ?? '',
  ),
);

const references = [
  ...panelQueries().map((q) => ({ where: `dashboards/${q.dashboard}: ${q.panel}`, expr: q.expr })),
  ...allRules().map((r) => ({ where: `alert ${r.alert}`, expr: r.expr })),
];

describe('metric references', () => {
  it('reads the catalogue', () => {
    expect(catalogue.size).toBeGreaterThan(200);
  });

  it('every metric a dashboard or alert rule reads is in docs/METRICS.md (or listed as pending)', () => {
    const known = new Set<string>([...catalogue, ...PROMETHEUS_SERIES, ...Object.keys(PENDING_METRICS)]);
    for (const { where, expr } of references) {
      const names = metricsIn(expr);
      expect(names.length, `${where} reads no metric: ${expr}`).toBeGreaterThan(0);
      for (const name of names) expect(known.has(name), `${where} reads unknown ${name}`).toBe(true);
    }
  });

  it('lists a metric as pending only while the exporter does not emit it', () => {
    for (const name of Object.keys(PENDING_METRICS))
      expect(catalogue.has(name), `${name} is in docs/METRICS.md now: drop it from PENDING_METRICS`).toBe(
        false,
      );
  });

  it('uses every pending metric somewhere (no stale entries)', () => {
    const used = new Set(references.flatMap((r) => metricsIn(r.expr)));
    for (const name of Object.keys(PENDING_METRICS)) expect(used.has(name), name).toBe(true);
  });
});
