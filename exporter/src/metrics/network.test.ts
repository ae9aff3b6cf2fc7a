import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { SnapshotCache } from '../snapshots.js';
import { createNetworkSource, type NetworkSnapshot } from '../sources/network/index.js';
import { fixtureRoots, sourceContext } from '../test-support/source-context.js';
import { metricNames, registerNetworkMetrics } from './network.js';

async function collect(name: string): Promise<NetworkSnapshot> {
  const r = await createNetworkSource().collect(
    sourceContext({
      paths: fixtureRoots(new URL('../sources/network/', import.meta.url), name),
      exec: () => Promise.reject(new Error('unused')),
    }),
  );
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

async function render(snapshot: NetworkSnapshot | undefined): Promise<string[]> {
  const cache = new SnapshotCache(() => 1_000);
  cache.register('network', 15_000);
  if (snapshot) cache.recordSuccess('network', snapshot, 0.01);
  const registry = new Registry();
  registerNetworkMetrics(registry, cache);
  expect((await registry.getMetricsAsJSON()).map((m) => m.name)).toEqual([...metricNames]);
  return (await registry.metrics()).split('\n').filter((l) => l !== '' && !l.startsWith('#'));
}

describe('network metrics', () => {
  it('renders every series for the recorded VM', async () => {
    const lines = await render(await collect('host-vm-virtio'));
    const zeros = (metric: string) =>
      ['lo', 'ifb0', 'ifb1', 'eth0'].map((i) => `${metric}{interface="${i}"} 0`);
    expect(lines).toEqual([
      'proxmon_network_receive_bytes_total{interface="lo"} 4133',
      'proxmon_network_receive_bytes_total{interface="ifb0"} 0',
      'proxmon_network_receive_bytes_total{interface="ifb1"} 0',
      'proxmon_network_receive_bytes_total{interface="eth0"} 180234138',
      'proxmon_network_transmit_bytes_total{interface="lo"} 4133',
      'proxmon_network_transmit_bytes_total{interface="ifb0"} 0',
      'proxmon_network_transmit_bytes_total{interface="ifb1"} 0',
      'proxmon_network_transmit_bytes_total{interface="eth0"} 667516',
      'proxmon_network_receive_packets_total{interface="lo"} 41',
      'proxmon_network_receive_packets_total{interface="ifb0"} 0',
      'proxmon_network_receive_packets_total{interface="ifb1"} 0',
      'proxmon_network_receive_packets_total{interface="eth0"} 8130',
      'proxmon_network_transmit_packets_total{interface="lo"} 41',
      'proxmon_network_transmit_packets_total{interface="ifb0"} 0',
      'proxmon_network_transmit_packets_total{interface="ifb1"} 0',
      'proxmon_network_transmit_packets_total{interface="eth0"} 5292',
      ...zeros('proxmon_network_receive_errors_total'),
      ...zeros('proxmon_network_transmit_errors_total'),
      ...zeros('proxmon_network_receive_drop_total'),
      ...zeros('proxmon_network_transmit_drop_total'),
      ...zeros('proxmon_network_receive_fifo_total'),
      ...zeros('proxmon_network_receive_frame_total'),
      ...zeros('proxmon_network_receive_compressed_total'),
      ...zeros('proxmon_network_receive_multicast_total'),
      ...zeros('proxmon_network_transmit_fifo_total'),
      ...zeros('proxmon_network_transmit_collisions_total'),
      ...zeros('proxmon_network_transmit_carrier_total'),
      ...zeros('proxmon_network_transmit_compressed_total'),
      'proxmon_network_carrier_changes_total{interface="lo"} 0',
      'proxmon_network_carrier_changes_total{interface="ifb0"} 0',
      'proxmon_network_carrier_changes_total{interface="ifb1"} 0',
      'proxmon_network_carrier_changes_total{interface="eth0"} 2',
      'proxmon_network_carrier_up_changes_total{interface="lo"} 0',
      'proxmon_network_carrier_up_changes_total{interface="ifb0"} 0',
      'proxmon_network_carrier_up_changes_total{interface="ifb1"} 0',
      'proxmon_network_carrier_up_changes_total{interface="eth0"} 1',
      'proxmon_network_carrier_down_changes_total{interface="lo"} 0',
      'proxmon_network_carrier_down_changes_total{interface="ifb0"} 0',
      'proxmon_network_carrier_down_changes_total{interface="ifb1"} 0',
      'proxmon_network_carrier_down_changes_total{interface="eth0"} 1',
      'proxmon_network_up{interface="lo"} 1',
      'proxmon_network_up{interface="ifb0"} 0',
      'proxmon_network_up{interface="ifb1"} 0',
      'proxmon_network_up{interface="eth0"} 1',
      'proxmon_network_info{interface="lo",type="other",address="00:00:00:00:00:00"} 1',
      'proxmon_network_info{interface="ifb0",type="other",address="be:08:6e:03:ab:3c"} 1',
      'proxmon_network_info{interface="ifb1",type="other",address="8e:70:7b:19:a3:ef"} 1',
      'proxmon_network_info{interface="eth0",type="physical",address="02:fc:00:00:00:01"} 1',
      'proxmon_network_mtu_bytes{interface="lo"} 65536',
      'proxmon_network_mtu_bytes{interface="ifb0"} 1500',
      'proxmon_network_mtu_bytes{interface="ifb1"} 1500',
      'proxmon_network_mtu_bytes{interface="eth0"} 1400',
      'proxmon_network_transmit_queue_length{interface="lo"} 1000',
      'proxmon_network_transmit_queue_length{interface="ifb0"} 32',
      'proxmon_network_transmit_queue_length{interface="ifb1"} 32',
      'proxmon_network_transmit_queue_length{interface="eth0"} 1000',
    ]);
  });

  it('renders types, up and known speeds for the constructed Proxmox host', async () => {
    const lines = await render(await collect('host-pve-constructed'));
    const pick = (metric: string) => lines.filter((l) => l.startsWith(`${metric}{`));
    expect(pick('proxmon_network_info')).toEqual([
      'proxmon_network_info{interface="lo",type="other",address="00:00:00:00:00:00"} 1',
      'proxmon_network_info{interface="enp3s0",type="physical",address="a0:36:9f:12:34:56"} 1',
      'proxmon_network_info{interface="enp4s0",type="physical",address="a0:36:9f:12:34:56"} 1',
      'proxmon_network_info{interface="enx00e04c680001",type="physical",address="00:e0:4c:68:00:01"} 1',
      'proxmon_network_info{interface="bond0",type="bond",address="a0:36:9f:12:34:56"} 1',
      'proxmon_network_info{interface="vmbr0",type="bridge",address="a0:36:9f:12:34:56"} 1',
      'proxmon_network_info{interface="vmbr0.100",type="vlan",address="a0:36:9f:12:34:56"} 1',
      'proxmon_network_info{interface="tap100i0",type="other",address="b6:1c:5e:0a:7d:21"} 1',
      'proxmon_network_info{interface="fwbr100i0",type="bridge",address="3e:82:a4:19:5c:01"} 1',
      'proxmon_network_info{interface="fwpr100p0",type="other",address="9a:4f:0e:77:21:b3"} 1',
      'proxmon_network_info{interface="fwln100i0",type="other",address="d2:61:3b:08:e4:7f"} 1',
      'proxmon_network_info{interface="veth101i0",type="other",address="fe:12:8c:4d:a0:93"} 1',
    ]);
    expect(pick('proxmon_network_speed_bits_per_second')).toEqual([
      'proxmon_network_speed_bits_per_second{interface="enp3s0"} 1000000000',
      'proxmon_network_speed_bits_per_second{interface="bond0"} 1000000000',
      'proxmon_network_speed_bits_per_second{interface="tap100i0"} 10000000',
      'proxmon_network_speed_bits_per_second{interface="fwpr100p0"} 10000000000',
      'proxmon_network_speed_bits_per_second{interface="fwln100i0"} 10000000000',
      'proxmon_network_speed_bits_per_second{interface="veth101i0"} 10000000000',
    ]);
    expect(pick('proxmon_network_up').filter((l) => l.endsWith(' 0'))).toEqual([
      'proxmon_network_up{interface="enp4s0"} 0',
      'proxmon_network_up{interface="enx00e04c680001"} 0',
    ]);
    expect(pick('proxmon_network_receive_bytes_total')).toContain(
      'proxmon_network_receive_bytes_total{interface="enp3s0"} 48211993815',
    );
    expect(pick('proxmon_network_transmit_drop_total')).toContain(
      'proxmon_network_transmit_drop_total{interface="tap100i0"} 193',
    );
    expect(pick('proxmon_network_receive_multicast_total')).toContain(
      'proxmon_network_receive_multicast_total{interface="vmbr0"} 201911',
    );
    expect(pick('proxmon_network_carrier_changes_total').slice(0, 3)).toEqual([
      'proxmon_network_carrier_changes_total{interface="lo"} 0',
      'proxmon_network_carrier_changes_total{interface="enp3s0"} 7',
      'proxmon_network_carrier_changes_total{interface="enp4s0"} 1',
    ]);
    expect(pick('proxmon_network_carrier_down_changes_total')[1]).toBe(
      'proxmon_network_carrier_down_changes_total{interface="enp3s0"} 3',
    );
    expect(pick('proxmon_network_transmit_queue_length')[1]).toBe(
      'proxmon_network_transmit_queue_length{interface="enp3s0"} 10000',
    );
  });

  it('leaves up out when operstate is unknown and carrier unreadable, and address empty when there is none', async () => {
    const lines = await render({
      interfaces: [{ interface: 'wg0', operState: 'unknown', type: 'other', mtuBytes: 1420 }],
    });
    expect(lines).toEqual([
      'proxmon_network_info{interface="wg0",type="other",address=""} 1',
      'proxmon_network_mtu_bytes{interface="wg0"} 1420',
    ]);
  });

  it('renders no series without a fresh snapshot', async () => {
    expect(await render(undefined)).toEqual([]);
  });
});
