import { readFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { SnapshotCache } from '../snapshots.js';
import { parseSchedstat } from '../sources/schedstat/parse.js';
import { parseSoftnetStat } from '../sources/softnet/parse.js';
import type { Result } from '../sources/source.js';
import { metricNames, registerSchedulerMetrics, type SchedulerMetricsOptions } from './scheduler.js';

const fixture = (source: string, name: string) =>
  readFileSync(new URL(`../sources/${source}/fixtures/${name}`, import.meta.url), 'utf8');

function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

function cache(values: Record<string, unknown>): SnapshotCache {
  const c = new SnapshotCache(() => 1_000);
  for (const [name, v] of Object.entries(values)) {
    c.register(name, 60_000);
    c.recordSuccess(name, v, 0.01);
  }
  return c;
}

async function render(c: SnapshotCache, options?: SchedulerMetricsOptions): Promise<string[]> {
  const registry = new Registry();
  registerSchedulerMetrics(registry, c, options);
  return (await registry.metrics()).split('\n').filter((l) => l !== '' && !l.startsWith('#'));
}

/** A 4-CPU host on a version 16 kernel, and a 5.15 kernel's softnet with CPU 2 offline. */
const small = () =>
  cache({
    schedstat: value(parseSchedstat(fixture('schedstat', 'proc-schedstat-v16-4cpu-constructed.txt'))),
    softnet: value(
      parseSoftnetStat(
        fixture('softnet', 'proc-net-softnet_stat-pve7-kernel5.15-13col-cpu2-offline-constructed.txt'),
      ),
    ),
  });

describe('scheduler metrics', () => {
  it('renders the totals only, by default, from a 48-CPU host and a recorded VM', async () => {
    const c = cache({
      schedstat: value(
        parseSchedstat(fixture('schedstat', 'proc-schedstat-v15-pve-host-48cpu-constructed.txt')),
      ),
      softnet: value(parseSoftnetStat(fixture('softnet', 'proc-net-softnet_stat-debian12-vm-2cpu.txt'))),
    });
    const expected = [
      'proxmon_schedstat_running_seconds_total 65070752.624219656',
      'proxmon_schedstat_waiting_seconds_total 5257593.381735077',
      'proxmon_schedstat_timeslices_total 41980651151',
      'proxmon_softnet_processed_total 62755',
      'proxmon_softnet_dropped_total 0',
      'proxmon_softnet_times_squeezed_total 0',
    ];
    expect(await render(c)).toEqual(expected);
    expect(await render(c, { perCpu: false })).toEqual(expected);
  });

  it('adds one series per CPU with perCpu, labelled by kernel CPU id', async () => {
    expect(await render(small(), { perCpu: true })).toEqual([
      'proxmon_schedstat_running_seconds_total 1511241.024099411',
      'proxmon_schedstat_core_running_seconds_total{cpu="0"} 267968.559821462',
      'proxmon_schedstat_core_running_seconds_total{cpu="1"} 398956.278957154',
      'proxmon_schedstat_core_running_seconds_total{cpu="2"} 403026.922604799',
      'proxmon_schedstat_core_running_seconds_total{cpu="3"} 441289.262715996',
      'proxmon_schedstat_waiting_seconds_total 114295.264276956',
      'proxmon_schedstat_core_waiting_seconds_total{cpu="0"} 12994.691684231',
      'proxmon_schedstat_core_waiting_seconds_total{cpu="1"} 18281.575786236',
      'proxmon_schedstat_core_waiting_seconds_total{cpu="2"} 41631.098476039',
      'proxmon_schedstat_core_waiting_seconds_total{cpu="3"} 41387.89833045',
      'proxmon_schedstat_timeslices_total 978246807',
      'proxmon_schedstat_core_timeslices_total{cpu="0"} 145879117',
      'proxmon_schedstat_core_timeslices_total{cpu="1"} 369325309',
      'proxmon_schedstat_core_timeslices_total{cpu="2"} 207002547',
      'proxmon_schedstat_core_timeslices_total{cpu="3"} 256039834',
      'proxmon_softnet_processed_total 13038923712',
      'proxmon_softnet_core_processed_total{cpu="0"} 807272181',
      'proxmon_softnet_core_processed_total{cpu="1"} 2260578299',
      'proxmon_softnet_core_processed_total{cpu="3"} 2608908577',
      'proxmon_softnet_core_processed_total{cpu="4"} 718275438',
      'proxmon_softnet_core_processed_total{cpu="5"} 2844508612',
      'proxmon_softnet_core_processed_total{cpu="6"} 3799380605',
      'proxmon_softnet_dropped_total 23705',
      'proxmon_softnet_core_dropped_total{cpu="0"} 0',
      'proxmon_softnet_core_dropped_total{cpu="1"} 0',
      'proxmon_softnet_core_dropped_total{cpu="3"} 0',
      'proxmon_softnet_core_dropped_total{cpu="4"} 0',
      'proxmon_softnet_core_dropped_total{cpu="5"} 0',
      'proxmon_softnet_core_dropped_total{cpu="6"} 23705',
      'proxmon_softnet_times_squeezed_total 1187874',
      'proxmon_softnet_core_times_squeezed_total{cpu="0"} 69981',
      'proxmon_softnet_core_times_squeezed_total{cpu="1"} 87738',
      'proxmon_softnet_core_times_squeezed_total{cpu="3"} 333191',
      'proxmon_softnet_core_times_squeezed_total{cpu="4"} 351656',
      'proxmon_softnet_core_times_squeezed_total{cpu="5"} 284948',
      'proxmon_softnet_core_times_squeezed_total{cpu="6"} 60360',
    ]);
  });

  it('leaves schedstat out on a kernel without it, softnet still there', async () => {
    const c = cache({
      softnet: value(parseSoftnetStat(fixture('softnet', 'proc-net-softnet_stat-debian12-vm-2cpu.txt'))),
    });
    const lines = await render(c, { perCpu: true });
    expect(lines.filter((l) => l.startsWith('proxmon_schedstat_'))).toEqual([]);
    expect(lines).toContain('proxmon_softnet_core_processed_total{cpu="1"} 39934');
  });

  it('renders no samples before any source has reported', async () => {
    expect(await render(new SnapshotCache(), { perCpu: true })).toEqual([]);
  });

  it('declares exactly its metricNames (per-CPU ones with perCpu), all counters', async () => {
    const families = async (options: SchedulerMetricsOptions) => {
      const registry = new Registry();
      registerSchedulerMetrics(registry, new SnapshotCache(), options);
      return (await registry.getMetricsAsJSON()).map((m) => [m.name, String(m.type)]);
    };
    const all = await families({ perCpu: true });
    expect(all.map(([name]) => name)).toEqual([...metricNames]);
    for (const [, type] of all) expect(type).toBe('counter');
    expect((await families({})).map(([name]) => name)).toEqual(
      metricNames.filter((n) => !n.includes('_core_')),
    );
  });
});
