import type { Registry } from 'prom-client';
import type { SnapshotReader } from '../snapshots.js';
import { LATENCY_SOURCE, type LatencySnapshot, type LatencyTarget } from '../sources/latency/index.js';
import { snapshotGauge } from './define.js';

export const metricNames = [
  'proxmon_network_latency_seconds',
  'proxmon_network_latency_max_seconds',
  'proxmon_network_packet_loss_ratio',
] as const;

/**
 * `target` is the configured host or address, or "gateway" for the auto-detected default gateway.
 * A target that lost every packet has a loss of 1 and no latency series (unknown, not 0).
 */
export function registerLatencyMetrics(registry: Registry, snapshots: SnapshotReader): void {
  const gauge = (
    name: (typeof metricNames)[number],
    help: string,
    pick: (t: LatencyTarget) => number | undefined,
  ) =>
    snapshotGauge(registry, { name, help, labelNames: ['target'] as const }, (emit) => {
      for (const t of snapshots.latest<LatencySnapshot>(LATENCY_SOURCE)?.targets ?? [])
        emit({ target: t.target }, pick(t));
    });

  gauge('proxmon_network_latency_seconds', 'Average ping round-trip time', (t) => t.rtt?.avgSeconds);
  gauge(
    'proxmon_network_latency_max_seconds',
    'Slowest ping round-trip time of the last round',
    (t) => t.rtt?.maxSeconds,
  );
  gauge(
    'proxmon_network_packet_loss_ratio',
    'Share of pings without a reply in the last round',
    (t) => t.lossRatio,
  );
}
