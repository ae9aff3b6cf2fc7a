import type { Registry } from 'prom-client';
import type { PveGuest, PveNodeStorage } from '../pve-model/index.js';
import { nodesOnline } from '../pve-model/index.js';
import type { SnapshotReader } from '../snapshots.js';
import { PVE_GUEST_AGENT_SOURCE, type PveGuestAgentSnapshot } from '../sources/pve/guest-agent.js';
import { PVE_SOURCE, type PveSnapshot } from '../sources/pve/index.js';
import { snapshotCounter, snapshotGauge } from './define.js';

export const metricNames = [
  'proxmon_pve_node_info',
  'proxmon_pve_cluster_quorate',
  'proxmon_pve_cluster_nodes_online',
  'proxmon_guest_info',
  'proxmon_guest_up',
  'proxmon_guest_onboot',
  'proxmon_guest_cpu_usage_ratio',
  'proxmon_guest_cpus',
  'proxmon_guest_memory_used_bytes',
  'proxmon_guest_memory_max_bytes',
  'proxmon_guest_disk_used_bytes',
  'proxmon_guest_disk_size_bytes',
  'proxmon_guest_network_receive_bytes_total',
  'proxmon_guest_network_transmit_bytes_total',
  'proxmon_guest_disk_read_bytes_total',
  'proxmon_guest_disk_written_bytes_total',
  'proxmon_guest_uptime_seconds',
  'proxmon_storage_info',
  'proxmon_storage_up',
  'proxmon_storage_size_bytes',
  'proxmon_storage_used_bytes',
  'proxmon_storage_available_bytes',
] as const;

type MetricName = (typeof metricNames)[number];

const flag = (b: boolean | undefined) => (b === undefined ? '' : b ? '1' : '0');

/**
 * Proxmox VE node, cluster, guest and storage series from the pve source. Cluster series exist only
 * in a cluster (a standalone node has no cluster entry). Guest series are keyed by vmid alone:
 * vmids are unique cluster-wide, and name, node and tags live on proxmon_guest_info.
 */
export function registerPveMetrics(registry: Registry, snapshots: SnapshotReader): void {
  const snap = () => snapshots.latest<PveSnapshot>(PVE_SOURCE);
  const guests = () => snap()?.guests ?? [];
  const storages = () => snap()?.storages ?? [];

  snapshotGauge(
    registry,
    {
      name: 'proxmon_pve_node_info',
      help: 'The PVE node this exporter reports for, its pve-manager version and cluster ("" standalone)',
      labelNames: ['node', 'version', 'cluster'],
    },
    (emit) => {
      const s = snap();
      if (s) emit({ node: s.node, version: s.version.version, cluster: s.cluster.cluster ?? '' }, 1);
    },
  );
  snapshotGauge(
    registry,
    { name: 'proxmon_pve_cluster_quorate', help: '1 when the cluster has quorum', labelNames: ['cluster'] },
    (emit) => {
      const c = snap()?.cluster;
      if (c?.cluster !== undefined)
        emit({ cluster: c.cluster }, c.quorate === undefined ? undefined : c.quorate ? 1 : 0);
    },
  );
  snapshotGauge(
    registry,
    {
      name: 'proxmon_pve_cluster_nodes_online',
      help: 'Cluster members /cluster/status reports online',
      labelNames: ['cluster'],
    },
    (emit) => {
      const c = snap()?.cluster;
      if (c?.cluster !== undefined) emit({ cluster: c.cluster }, nodesOnline(c));
    },
  );

  snapshotGauge(
    registry,
    {
      name: 'proxmon_guest_info',
      help: 'A VM or container: name, type (qemu, lxc), node, tags (;-separated) and template (1/0)',
      labelNames: ['vmid', 'name', 'type', 'node', 'tags', 'template'],
    },
    (emit) => {
      for (const g of guests())
        emit(
          {
            vmid: g.vmid,
            name: g.name ?? '',
            type: g.type,
            node: g.node ?? '',
            tags: g.tags.join(';'),
            template: flag(g.template),
          },
          1,
        );
    },
  );
  const perGuest = (
    kind: 'gauge' | 'counter',
    name: MetricName,
    help: string,
    value: (g: PveGuest) => number | undefined,
  ) =>
    (kind === 'gauge' ? snapshotGauge : snapshotCounter)(
      registry,
      { name, help, labelNames: ['vmid'] },
      (emit) => {
        for (const g of guests()) emit({ vmid: g.vmid }, value(g));
      },
    );
  perGuest('gauge', 'proxmon_guest_up', '1 when the guest is running', (g) =>
    g.status === undefined ? undefined : g.status === 'running' ? 1 : 0,
  );
  snapshotGauge(
    registry,
    {
      name: 'proxmon_guest_onboot',
      help: '1 when the guest starts when its node boots (onboot), 0 when not; absent while its config is unknown',
      labelNames: ['vmid'],
    },
    (emit) => {
      const onboot = snap()?.onboot;
      for (const g of guests()) {
        const on = onboot?.get(g.vmid);
        emit({ vmid: g.vmid }, on === undefined ? undefined : on ? 1 : 0);
      }
    },
  );
  perGuest(
    'gauge',
    'proxmon_guest_cpu_usage_ratio',
    'CPU usage as a share (0-1) of the allocated CPUs of the guest',
    (g) => g.cpu,
  );
  perGuest('gauge', 'proxmon_guest_cpus', 'CPUs allocated to the guest', (g) => g.maxcpu);
  perGuest('gauge', 'proxmon_guest_memory_used_bytes', 'Memory the guest uses', (g) => g.mem);
  perGuest('gauge', 'proxmon_guest_memory_max_bytes', 'Memory allocated to the guest', (g) => g.maxmem);
  snapshotGauge(
    registry,
    {
      name: 'proxmon_guest_disk_used_bytes',
      help: 'Disk space used: containers as PVE reports it, VMs from the guest agent (opt-in); absent for VMs without agent data',
      labelNames: ['vmid'],
    },
    (emit) => {
      // PVE reports 0 for every VM; only the guest agent knows.
      const agent = snapshots.latest<PveGuestAgentSnapshot>(PVE_GUEST_AGENT_SOURCE)?.disks;
      for (const g of guests())
        emit({ vmid: g.vmid }, g.type === 'qemu' ? agent?.get(g.vmid)?.usedBytes : g.disk);
    },
  );
  perGuest('gauge', 'proxmon_guest_disk_size_bytes', 'Size of the root disk of the guest', (g) => g.maxdisk);
  perGuest(
    'counter',
    'proxmon_guest_network_receive_bytes_total',
    'Bytes the guest received since it started',
    (g) => g.netin,
  );
  perGuest(
    'counter',
    'proxmon_guest_network_transmit_bytes_total',
    'Bytes the guest sent since it started',
    (g) => g.netout,
  );
  perGuest(
    'counter',
    'proxmon_guest_disk_read_bytes_total',
    'Bytes read from the disks of the guest since it started',
    (g) => g.diskread,
  );
  perGuest(
    'counter',
    'proxmon_guest_disk_written_bytes_total',
    'Bytes written to the disks of the guest since it started',
    (g) => g.diskwrite,
  );
  perGuest('gauge', 'proxmon_guest_uptime_seconds', 'Seconds since the guest started', (g) => g.uptime);

  snapshotGauge(
    registry,
    {
      name: 'proxmon_storage_info',
      help: 'A PVE storage as this node sees it: plugin type, content types (,-separated), shared (1/0)',
      labelNames: ['storage', 'type', 'content', 'shared'],
    },
    (emit) => {
      for (const s of storages())
        emit(
          {
            storage: s.storage,
            type: s.type ?? '',
            content: [...s.content].sort().join(','),
            shared: flag(s.shared),
          },
          1,
        );
    },
  );
  const perStorage = (name: MetricName, help: string, value: (s: PveNodeStorage) => number | undefined) =>
    snapshotGauge(registry, { name, help, labelNames: ['storage'] }, (emit) => {
      for (const s of storages()) emit({ storage: s.storage }, value(s));
    });
  perStorage('proxmon_storage_up', '1 when the storage is enabled and active on this node', (s) =>
    s.active === undefined ? undefined : s.active && s.enabled !== false ? 1 : 0,
  );
  perStorage('proxmon_storage_size_bytes', 'Storage size', (s) => s.total);
  perStorage('proxmon_storage_used_bytes', 'Storage space used', (s) => s.used);
  perStorage('proxmon_storage_available_bytes', 'Storage space available', (s) => s.avail);
}
