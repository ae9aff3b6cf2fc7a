import type { Registry } from 'prom-client';
import type { SnapshotReader } from '../snapshots.js';
import type { NetworkInterface, NetworkSnapshot } from '../sources/network/index.js';
import type { NetDevCounters } from '../sources/network/parse.js';
import { snapshotCounter, snapshotGauge } from './define.js';

export const metricNames = [
  'proxmon_network_receive_bytes_total',
  'proxmon_network_transmit_bytes_total',
  'proxmon_network_receive_packets_total',
  'proxmon_network_transmit_packets_total',
  'proxmon_network_receive_errors_total',
  'proxmon_network_transmit_errors_total',
  'proxmon_network_receive_drop_total',
  'proxmon_network_transmit_drop_total',
  'proxmon_network_receive_fifo_total',
  'proxmon_network_receive_frame_total',
  'proxmon_network_receive_compressed_total',
  'proxmon_network_receive_multicast_total',
  'proxmon_network_transmit_fifo_total',
  'proxmon_network_transmit_collisions_total',
  'proxmon_network_transmit_carrier_total',
  'proxmon_network_transmit_compressed_total',
  'proxmon_network_carrier_changes_total',
  'proxmon_network_carrier_up_changes_total',
  'proxmon_network_carrier_down_changes_total',
  'proxmon_network_up',
  'proxmon_network_info',
  'proxmon_network_mtu_bytes',
  'proxmon_network_speed_bits_per_second',
  'proxmon_network_transmit_queue_length',
] as const;

type CounterField = Exclude<keyof NetDevCounters, 'interface'>;

const COUNTERS: readonly [(typeof metricNames)[number], CounterField, string][] = [
  ['proxmon_network_receive_bytes_total', 'receiveBytes', 'Bytes received (/proc/net/dev).'],
  ['proxmon_network_transmit_bytes_total', 'transmitBytes', 'Bytes transmitted (/proc/net/dev).'],
  ['proxmon_network_receive_packets_total', 'receivePackets', 'Packets received.'],
  ['proxmon_network_transmit_packets_total', 'transmitPackets', 'Packets transmitted.'],
  ['proxmon_network_receive_errors_total', 'receiveErrors', 'Receive errors.'],
  ['proxmon_network_transmit_errors_total', 'transmitErrors', 'Transmit errors.'],
  ['proxmon_network_receive_drop_total', 'receiveDrop', 'Received packets dropped.'],
  ['proxmon_network_transmit_drop_total', 'transmitDrop', 'Packets dropped on transmit.'],
  ['proxmon_network_receive_fifo_total', 'receiveFifo', 'Receive FIFO (ring buffer) overruns.'],
  [
    'proxmon_network_receive_frame_total',
    'receiveFrame',
    'Received frames with framing or alignment errors.',
  ],
  ['proxmon_network_receive_compressed_total', 'receiveCompressed', 'Compressed packets received.'],
  ['proxmon_network_receive_multicast_total', 'receiveMulticast', 'Multicast packets received.'],
  ['proxmon_network_transmit_fifo_total', 'transmitFifo', 'Transmit FIFO errors.'],
  ['proxmon_network_transmit_collisions_total', 'transmitCollisions', 'Collisions while transmitting.'],
  [
    'proxmon_network_transmit_carrier_total',
    'transmitCarrier',
    'Transmit carrier errors (frames lost because the link dropped while sending).',
  ],
  ['proxmon_network_transmit_compressed_total', 'transmitCompressed', 'Compressed packets transmitted.'],
];

type TransitionField = 'carrierChanges' | 'carrierUpChanges' | 'carrierDownChanges';

const TRANSITIONS: readonly [(typeof metricNames)[number], TransitionField, string][] = [
  [
    'proxmon_network_carrier_changes_total',
    'carrierChanges',
    'Link carrier transitions (up and down) since the interface was created; a rising value is a flapping link.',
  ],
  [
    'proxmon_network_carrier_up_changes_total',
    'carrierUpChanges',
    'Link carrier transitions to up (sysfs carrier_up_count, Linux 4.16+).',
  ],
  [
    'proxmon_network_carrier_down_changes_total',
    'carrierDownChanges',
    'Link carrier transitions to down (sysfs carrier_down_count, Linux 4.16+).',
  ],
];

export function registerNetworkMetrics(registry: Registry, snapshots: SnapshotReader): void {
  const interfaces = () => snapshots.latest<NetworkSnapshot>('network')?.interfaces ?? [];
  const perInterface =
    (value: (i: NetworkInterface) => number | undefined) =>
    (emit: (labels: { interface: string }, value: number | undefined) => void) => {
      for (const i of interfaces()) emit({ interface: i.interface }, value(i));
    };

  for (const [name, field, help] of COUNTERS) {
    snapshotCounter(
      registry,
      { name, help, labelNames: ['interface'] },
      perInterface((i) => i[field]),
    );
  }
  for (const [name, field, help] of TRANSITIONS) {
    snapshotCounter(
      registry,
      { name, help, labelNames: ['interface'] },
      perInterface((i) => i[field]),
    );
  }
  snapshotGauge(
    registry,
    {
      name: 'proxmon_network_up',
      help: '1 when operstate is up; for operstate "unknown" (lo, tun/tap) the carrier, absent if unreadable.',
      labelNames: ['interface'],
    },
    perInterface((i) => (i.up === undefined ? undefined : i.up ? 1 : 0)),
  );
  snapshotGauge(
    registry,
    {
      name: 'proxmon_network_info',
      help: 'Interface type (physical, bridge, bond, vlan, other) and link-layer address; value 1.',
      labelNames: ['interface', 'type', 'address'],
    },
    (emit) => {
      for (const i of interfaces())
        emit({ interface: i.interface, type: i.type, address: i.address ?? '' }, 1);
    },
  );
  snapshotGauge(
    registry,
    { name: 'proxmon_network_mtu_bytes', help: 'Interface MTU.', labelNames: ['interface'] },
    perInterface((i) => i.mtuBytes),
  );
  snapshotGauge(
    registry,
    {
      name: 'proxmon_network_speed_bits_per_second',
      help: 'Negotiated link speed; absent when the driver does not know it (link down, most virtual devices).',
      labelNames: ['interface'],
    },
    perInterface((i) => i.speedBitsPerSecond),
  );
  snapshotGauge(
    registry,
    {
      name: 'proxmon_network_transmit_queue_length',
      help: 'Transmit queue length in packets (tx_queue_len, set with `ip link set ... txqueuelen`).',
      labelNames: ['interface'],
    },
    perInterface((i) => i.transmitQueueLength),
  );
}
