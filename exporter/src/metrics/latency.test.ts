import { readFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { SnapshotCache } from '../snapshots.js';
import type { LatencySnapshot, LatencyTarget } from '../sources/latency/index.js';
import { parsePingSummary } from '../sources/latency/parse.js';
import { metricNames, registerLatencyMetrics } from './latency.js';

function fromFixture(target: string, file: string): LatencyTarget {
  const summary = parsePingSummary(
    readFileSync(new URL(`../sources/latency/fixtures/${file}`, import.meta.url), 'utf8'),
  );
  if (!summary.ok) throw new Error(summary.error.message);
  return { target, address: target === 'gateway' ? '192.0.2.1' : target, ...summary.value };
}

async function render(snapshot: LatencySnapshot | undefined): Promise<string[]> {
  const cache = new SnapshotCache(() => 1_000);
  cache.register('latency', 180_000);
  if (snapshot) cache.recordSuccess('latency', snapshot, 0.01);
  const registry = new Registry();
  registerLatencyMetrics(registry, cache);
  return (await registry.metrics()).split('\n').filter((l) => l !== '' && !l.startsWith('#'));
}

describe('latency metrics', () => {
  it('renders latency and loss per target, and no latency where every packet was lost', async () => {
    const snapshot: LatencySnapshot = {
      targets: [
        fromFixture('127.0.0.1', 'ping-127.0.0.1-ok.txt'),
        fromFixture('gateway', 'ping-partial-loss-constructed.txt'),
        fromFixture('192.0.2.99', 'ping-all-lost-constructed.txt'),
        {
          target: 'nosuch.invalid',
          address: 'nosuch.invalid',
          error: 'ping: nosuch.invalid: Name or service not known',
        },
      ],
    };
    expect(await render(snapshot)).toEqual([
      'proxmon_network_latency_seconds{target="127.0.0.1"} 0.000053',
      'proxmon_network_latency_seconds{target="gateway"} 0.024907',
      'proxmon_network_latency_max_seconds{target="127.0.0.1"} 0.000072',
      'proxmon_network_latency_max_seconds{target="gateway"} 0.04892',
      'proxmon_network_packet_loss_ratio{target="127.0.0.1"} 0',
      'proxmon_network_packet_loss_ratio{target="gateway"} 0.4',
      'proxmon_network_packet_loss_ratio{target="192.0.2.99"} 1',
    ]);
  });

  it('renders no series without a fresh snapshot', async () => {
    expect(await render(undefined)).toEqual([]);
  });

  it('registers exactly the names it declares', () => {
    const registry = new Registry();
    registerLatencyMetrics(registry, new SnapshotCache());
    expect(registry.getMetricsAsArray().map((m) => m.name)).toEqual([...metricNames]);
  });
});
