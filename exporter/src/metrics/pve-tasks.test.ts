import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseHaStatus } from '../pve-model/index.js';
import { SnapshotCache } from '../snapshots.js';
import { fixture, NOW_MS, startModes, type Mode, type Modes } from '../sources/pve/fixtures/clients.js';
import { createPveTasksSource, PVE_TASKS_SOURCE, type PveTasksSnapshot } from '../sources/pve/tasks.js';
import { sourceContext } from '../test-support/source-context.js';
import { HA_STATES, metricNames, registerPveTaskMetrics } from './pve-tasks.js';

let modes: Modes;
beforeAll(async () => {
  modes = await startModes();
});
afterAll(() => modes.close());

async function collect(mode: Mode): Promise<PveTasksSnapshot> {
  const r = await createPveTasksSource(modes.access(mode)).collect(sourceContext({ now: () => NOW_MS }));
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

async function render(value: PveTasksSnapshot | undefined): Promise<string[]> {
  const cache = new SnapshotCache(() => 0);
  cache.register(PVE_TASKS_SOURCE, 180_000);
  if (value) cache.recordSuccess(PVE_TASKS_SOURCE, value, 0.01);
  const registry = new Registry();
  registerPveTaskMetrics(registry, cache);
  expect((await registry.getMetricsAsJSON()).map((m) => m.name)).toEqual([...metricNames]);
  return (await registry.metrics()).split('\n').filter((l) => l !== '');
}

const samples = (lines: string[]) => lines.filter((l) => !l.startsWith('#'));

describe('PVE task, HA and replication metrics', () => {
  it('renders failed tasks and replication of the recorded node, identical through pvesh and the API', async () => {
    const [viaPvesh, viaApi] = await Promise.all([collect('pvesh'), collect('api')]);
    const lines = await render(viaPvesh);
    expect(await render(viaApi)).toEqual(lines);
    expect(lines).toContain('# TYPE proxmon_pve_tasks_failed_total counter');
    expect(samples(lines)).toEqual([
      'proxmon_pve_tasks_failed_total{type="qmstart"} 1',
      'proxmon_pve_tasks_failed_total{type="vzdump"} 1',
      'proxmon_pve_tasks_failed_total{type="aptupdate"} 1',
      // No HA service runs on this node; 102-1 never synced, so it has no timestamp.
      'proxmon_replication_last_sync_timestamp_seconds{replication_job="100-0",vmid="100"} 1790604000',
      'proxmon_replication_last_sync_timestamp_seconds{replication_job="101-0",vmid="101"} 1790590000',
      'proxmon_replication_failed{replication_job="100-0",vmid="100"} 0',
      'proxmon_replication_failed{replication_job="101-0",vmid="101"} 1',
      'proxmon_replication_failed{replication_job="102-1",vmid="102"} 0',
    ]);
  });

  it('emits the full HA state set per service, 1 for the current state', async () => {
    const ha = parseHaStatus(fixture('pve-ha-status-current-3node-real.json'));
    if (!ha.ok) throw new Error(ha.error.message);
    const lines = samples(
      await render({ node: 'pve1', tasks: [], failedTotals: new Map(), ha: ha.value, replication: [] }),
    );
    expect(lines).toHaveLength(25 * HA_STATES.length);
    const vm208 = lines.filter((l) => l.includes('sid="vm:208"'));
    expect(vm208.filter((l) => l.endsWith(' 1'))).toEqual([
      'proxmon_ha_state{sid="vm:208",state="stopped"} 1',
    ]);
    expect(vm208).toContain('proxmon_ha_state{sid="vm:208",state="started"} 0');
    expect(lines.filter((l) => l.endsWith(' 1'))).toHaveLength(25);
  });

  it('emits a state PVE adds later when it is the current one, and nothing for non-service entries', async () => {
    const lines = samples(
      await render({
        node: 'pve1',
        tasks: [],
        failedTotals: new Map(),
        ha: [
          { id: 'service:ct:300', type: 'service', sid: 'ct:300', state: 'rebalancing', node: 'pve1' },
          { id: 'lrm:pve1', type: 'lrm', state: 'active', node: 'pve1' },
        ],
      }),
    );
    expect(lines).toHaveLength(HA_STATES.length + 1);
    expect(lines.filter((l) => l.endsWith(' 1'))).toEqual([
      'proxmon_ha_state{sid="ct:300",state="rebalancing"} 1',
    ]);
  });

  it('emits nothing without a snapshot, or without HA and replication', async () => {
    expect(samples(await render(undefined))).toEqual([]);
    expect(samples(await render({ node: 'pve', tasks: [], failedTotals: new Map() }))).toEqual([]);
  });
});
