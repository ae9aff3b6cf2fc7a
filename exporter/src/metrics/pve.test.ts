import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient, createPveAccess, createPveshClient, type PveClient } from '../pve/index.js';
import { startFakePveApi, type FakePveApi } from '../pve/fixtures/api-server.js';
import { SnapshotCache } from '../snapshots.js';
import { createExec } from '../sources/exec.js';
import {
  createPveGuestAgentSource,
  PVE_GUEST_AGENT_SOURCE,
  type PveGuestAgentSnapshot,
} from '../sources/pve/guest-agent.js';
import { createPveSource, type PveSnapshot } from '../sources/pve/index.js';
import { sourceContext } from '../test-support/source-context.js';
import { metricNames, registerPveMetrics } from './pve.js';

const pveshRecorded = fileURLToPath(new URL('../../../tests/fake-bin/pvesh-recorded', import.meta.url));
/** The recorded node's guest config files (pvesh mode reads onboot there). */
const rootfs = fileURLToPath(new URL('../pve/fixtures/rootfs', import.meta.url));
const ctx = () => sourceContext({ paths: { rootfs } });
const AUTH = 'PVEAPIToken=proxmon@pve!metrics=5b6c0f3e-1111-4222-8333-944455556666';

let server: FakePveApi;
let apiClient: PveClient;
beforeAll(async () => {
  server = await startFakePveApi(AUTH);
  apiClient = createApiClient({
    baseUrl: server.url,
    tokenId: 'proxmon@pve!metrics',
    tokenSecret: '5b6c0f3e-1111-4222-8333-944455556666',
    tls: { verify: true, caFile: server.caFile },
  });
});
afterAll(async () => {
  apiClient.close();
  await server.close();
});

async function collect(client: PveClient): Promise<PveSnapshot> {
  const source = createPveSource(createPveAccess({ client, hostname: 'pve.lab.example' }));
  const r = await source.collect(ctx());
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

async function collectAgent(client: PveClient): Promise<PveGuestAgentSnapshot> {
  const source = createPveGuestAgentSource(createPveAccess({ client, hostname: 'pve.lab.example' }));
  const r = await source.collect(ctx());
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

async function render(value: PveSnapshot | undefined, agent?: PveGuestAgentSnapshot): Promise<string[]> {
  const cache = new SnapshotCache(() => 0);
  cache.register('pve', 45_000);
  cache.register(PVE_GUEST_AGENT_SOURCE, 180_000);
  if (value) cache.recordSuccess('pve', value, 0.01);
  if (agent) cache.recordSuccess(PVE_GUEST_AGENT_SOURCE, agent, 0.01);
  const registry = new Registry();
  registerPveMetrics(registry, cache);
  expect((await registry.getMetricsAsJSON()).map((m) => m.name)).toEqual([...metricNames]);
  return (await registry.metrics()).split('\n').filter((l) => l !== '');
}

const viaPvesh = () => collect(createPveshClient(createExec({ pvesh: pveshRecorded })));
const viaApi = () => collect(apiClient);

describe('PVE metrics', () => {
  it('renders the recorded PVE 9.2 node through pvesh', async () => {
    const lines = (await render(await viaPvesh())).filter((l) => !l.startsWith('#'));
    const guest = (vmid: number) => lines.filter((l) => l.includes(`{vmid="${vmid}"`));
    expect(lines).toContain('proxmon_pve_node_info{node="pve",version="9.2.2",cluster=""} 1');
    // Standalone: no cluster entry, so no cluster series.
    expect(lines.filter((l) => l.startsWith('proxmon_pve_cluster_'))).toEqual([]);
    expect(lines).toContain(
      'proxmon_guest_info{vmid="211",name="lab-app-01",type="qemu",node="pve",tags="lab",template="0"} 1',
    );
    expect(lines).toContain(
      'proxmon_guest_info{vmid="9000",name="debian13-cloudinit",type="qemu",node="pve",tags="template;debian13",template="1"} 1',
    );
    expect(guest(211)).toEqual([
      'proxmon_guest_info{vmid="211",name="lab-app-01",type="qemu",node="pve",tags="lab",template="0"} 1',
      'proxmon_guest_up{vmid="211"} 1',
      'proxmon_guest_onboot{vmid="211"} 0',
      'proxmon_guest_cpu_usage_ratio{vmid="211"} 0.00395529137829957',
      'proxmon_guest_cpus{vmid="211"} 2',
      'proxmon_guest_memory_used_bytes{vmid="211"} 433094656',
      'proxmon_guest_memory_max_bytes{vmid="211"} 2147483648',
      // No disk_used for a VM: PVE reports 0 without the guest agent.
      'proxmon_guest_disk_size_bytes{vmid="211"} 3221225472',
      'proxmon_guest_network_receive_bytes_total{vmid="211"} 1222635',
      'proxmon_guest_network_transmit_bytes_total{vmid="211"} 107945',
      'proxmon_guest_disk_read_bytes_total{vmid="211"} 294548066',
      'proxmon_guest_disk_written_bytes_total{vmid="211"} 176828928',
      'proxmon_guest_uptime_seconds{vmid="211"} 6725',
    ]);
    // A brand-new VM without counters: only what PVE reports.
    expect(guest(213)).toEqual([
      'proxmon_guest_info{vmid="213",name="lab-app-03",type="qemu",node="pve",tags="lab",template=""} 1',
      'proxmon_guest_up{vmid="213"} 0',
      'proxmon_guest_onboot{vmid="213"} 0',
      'proxmon_guest_cpus{vmid="213"} 2',
      'proxmon_guest_memory_max_bytes{vmid="213"} 2147483648',
      'proxmon_guest_disk_size_bytes{vmid="213"} 3221225472',
    ]);
    expect(lines).toContain('proxmon_guest_disk_used_bytes{vmid="120"} 0');
    // From the guests' config files: only 212 starts at boot.
    expect(lines.filter((l) => l.startsWith('proxmon_guest_onboot'))).toEqual([
      'proxmon_guest_onboot{vmid="120"} 0',
      'proxmon_guest_onboot{vmid="211"} 0',
      'proxmon_guest_onboot{vmid="212"} 1',
      'proxmon_guest_onboot{vmid="213"} 0',
      'proxmon_guest_onboot{vmid="9000"} 0',
    ]);
    expect(lines.filter((l) => l.startsWith('proxmon_storage_'))).toEqual([
      'proxmon_storage_info{storage="local",type="dir",content="backup,iso,vztmpl",shared="0"} 1',
      'proxmon_storage_info{storage="synology",type="nfs",content="backup,images",shared="1"} 1',
      'proxmon_storage_up{storage="local"} 1',
      'proxmon_storage_up{storage="synology"} 1',
      'proxmon_storage_size_bytes{storage="local"} 100861726720',
      'proxmon_storage_size_bytes{storage="synology"} 1915211874304',
      'proxmon_storage_used_bytes{storage="local"} 85734563840',
      'proxmon_storage_used_bytes{storage="synology"} 1391442395136',
      'proxmon_storage_available_bytes{storage="local"} 9956425728',
      'proxmon_storage_available_bytes{storage="synology"} 523769479168',
    ]);
  });

  it('gives identical PVE families on /metrics through pvesh mode and API mode', async () => {
    const [a, b] = await Promise.all([viaPvesh(), viaApi()]);
    expect(a.mode).toBe('pvesh');
    expect(b.mode).toBe('api');
    const pvesh = await render(a);
    expect(pvesh.length).toBeGreaterThan(60);
    expect(await render(b)).toEqual(pvesh);
  });

  it('fills VM disk usage from the guest agent, identical through pvesh and the API', async () => {
    const pveshClient = createPveshClient(createExec({ pvesh: pveshRecorded }));
    const [snap, viaPveshAgent, viaApiAgent] = await Promise.all([
      viaPvesh(),
      collectAgent(pveshClient),
      collectAgent(apiClient),
    ]);
    const lines = await render(snap, viaPveshAgent);
    expect(await render(snap, viaApiAgent)).toEqual(lines);
    // 211's agent answered; 212's did not (absent, never 0); the container keeps PVE's value.
    expect(lines.filter((l) => l.startsWith('proxmon_guest_disk_used_bytes'))).toEqual([
      'proxmon_guest_disk_used_bytes{vmid="120"} 0',
      'proxmon_guest_disk_used_bytes{vmid="211"} 7737305088',
    ]);
  });

  it('leaves onboot out for guests whose config is not known', async () => {
    const snap = await viaPvesh();
    snap.onboot = new Map([[212, true]]);
    const lines = await render(snap);
    expect(lines.filter((l) => l.startsWith('proxmon_guest_onboot'))).toEqual([
      'proxmon_guest_onboot{vmid="212"} 1',
    ]);
    snap.onboot = undefined;
    expect((await render(snap)).filter((l) => l.startsWith('proxmon_guest_onboot'))).toEqual([]);
  });

  it('emits nothing without a snapshot', async () => {
    expect((await render(undefined)).filter((l) => !l.startsWith('#'))).toEqual([]);
  });

  it('reports quorum and nodes online in a cluster', async () => {
    const snap = await viaPvesh();
    snap.cluster = {
      cluster: 'lab',
      quorate: true,
      clusterNodes: 3,
      nodes: [
        { name: 'pve', online: true },
        { name: 'pve2', online: true },
        { name: 'pve3', online: false },
      ],
    };
    const lines = await render(snap);
    expect(lines).toContain('proxmon_pve_node_info{node="pve",version="9.2.2",cluster="lab"} 1');
    expect(lines).toContain('proxmon_pve_cluster_quorate{cluster="lab"} 1');
    expect(lines).toContain('proxmon_pve_cluster_nodes_online{cluster="lab"} 2');
  });
});
