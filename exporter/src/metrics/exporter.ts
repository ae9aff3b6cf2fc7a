import { Gauge, type Registry } from 'prom-client';
import type { SnapshotReader, SourceStatus } from '../snapshots.js';
import { snapshotCounter, snapshotGauge, type Fill } from './define.js';

export const metricNames = [
  'proxmon_build_info',
  'proxmon_source_up',
  'proxmon_source_absent',
  'proxmon_source_duration_seconds',
  'proxmon_source_last_success_timestamp_seconds',
  'proxmon_source_errors_total',
] as const;

/** The exporter's own health: one series per source, so a failing tool is visible without failing the scrape. */
export function registerExporterMetrics(
  registry: Registry,
  snapshots: SnapshotReader,
  version: string,
): void {
  const build = new Gauge({
    name: 'proxmon_build_info',
    help: 'proxmon build; value is always 1',
    labelNames: ['version', 'node_version'],
    registers: [registry],
  });
  build.set({ version, node_version: process.version }, 1);

  const labelNames = ['source'] as const;
  const perSource =
    (pick: (s: SourceStatus) => number | undefined): Fill<'source'> =>
    (emit) => {
      for (const s of snapshots.statuses()) emit({ source: s.name }, pick(s));
    };

  snapshotGauge(
    registry,
    { name: 'proxmon_source_up', help: '1 if the last collection of the source succeeded', labelNames },
    perSource((s) => (s.up ? 1 : 0)),
  );
  snapshotGauge(
    registry,
    {
      name: 'proxmon_source_absent',
      help: '1 if the tool or device behind the source is not present on this host (not an error)',
      labelNames,
    },
    perSource((s) => (s.absent ? 1 : 0)),
  );
  snapshotGauge(
    registry,
    { name: 'proxmon_source_duration_seconds', help: 'Duration of the last collection', labelNames },
    perSource((s) => s.durationSeconds),
  );
  snapshotGauge(
    registry,
    {
      name: 'proxmon_source_last_success_timestamp_seconds',
      help: 'Time of the last successful collection',
      labelNames,
    },
    perSource((s) => (s.lastSuccessAt === undefined ? undefined : s.lastSuccessAt / 1000)),
  );
  snapshotCounter(
    registry,
    { name: 'proxmon_source_errors_total', help: 'Failed collections, timeouts included', labelNames },
    perSource((s) => s.errorsTotal),
  );
}
