import type { Registry } from 'prom-client';
import type { SnapshotReader } from '../snapshots.js';
import { CONNTRACK_SOURCE, type Conntrack } from '../sources/conntrack/index.js';
import { NETSTAT_SOURCE, type NetstatSnapshot } from '../sources/netstat/index.js';
import { SOCKSTAT_SOURCE, type Sockstat, type SockstatProtocol } from '../sources/sockstat/index.js';
import { snapshotCounter, snapshotGauge } from './define.js';

export const metricNames = [
  'proxmon_netstat_events_total',
  'proxmon_netstat_bytes_total',
  'proxmon_netstat_tcp_established_connections',
  'proxmon_netstat_ip_forwarding',
  'proxmon_sockets_used',
  'proxmon_sockets',
  'proxmon_sockets_memory_bytes',
  'proxmon_sockets_fragment_queues',
  'proxmon_conntrack_entries',
  'proxmon_conntrack_entries_limit',
  'proxmon_conntrack_events_total',
] as const;

const UDP_FIELDS = ['InDatagrams', 'OutDatagrams', 'NoPorts', 'InErrors', 'RcvbufErrors', 'SndbufErrors'];

/**
 * Counter fields worth a series, by kernel protocol name: node_exporter's default selection
 * (`--collector.netstat.fields`) plus connection failures, IP totals and TCP aborts for lack of memory.
 * Everything else stays in the snapshot; the selection keeps the series count fixed.
 */
const EVENT_FIELDS: Readonly<Record<string, readonly string[]>> = {
  Ip: ['InReceives', 'InDiscards', 'OutRequests'],
  Ip6: ['InReceives', 'InDiscards', 'OutRequests'],
  Icmp: ['InMsgs', 'OutMsgs', 'InErrors'],
  Icmp6: ['InMsgs', 'OutMsgs', 'InErrors'],
  Tcp: [
    'ActiveOpens',
    'PassiveOpens',
    'AttemptFails',
    'EstabResets',
    'InSegs',
    'OutSegs',
    'RetransSegs',
    'InErrs',
    'OutRsts',
  ],
  TcpExt: [
    'ListenOverflows',
    'ListenDrops',
    'SyncookiesSent',
    'SyncookiesRecv',
    'SyncookiesFailed',
    'TCPSynRetrans',
    'TCPTimeouts',
    'TCPOFOQueue',
    'TCPRcvQDrop',
    'TCPAbortOnMemory',
  ],
  Udp: UDP_FIELDS,
  Udp6: UDP_FIELDS,
  UdpLite: ['InErrors'],
  UdpLite6: ['InErrors'],
};

/** IPv4 octets live in IpExt, IPv6 octets in Ip6; labelled by the IP version they count. */
const OCTETS: readonly [kernelProtocol: string, protocol: string][] = [
  ['IpExt', 'ip'],
  ['Ip6', 'ip6'],
];

const SOCKET_STATES: readonly ['inUse' | 'orphan' | 'timeWait' | 'alloc', string][] = [
  ['inUse', 'inuse'],
  ['orphan', 'orphan'],
  ['timeWait', 'tw'],
  ['alloc', 'alloc'],
];

/** node_exporter's conntrack stat selection; `drop` and `early_drop` are what a full table costs. */
const CONNTRACK_EVENTS = [
  'found',
  'invalid',
  'ignore',
  'insert',
  'insert_failed',
  'drop',
  'early_drop',
  'search_restart',
];

export function registerNetstatMetrics(registry: Registry, snapshots: SnapshotReader): void {
  const protocols = () => snapshots.latest<NetstatSnapshot>(NETSTAT_SOURCE)?.protocols ?? {};
  const field = (protocol: string, name: string) => protocols()[protocol]?.[name];

  snapshotCounter(
    registry,
    {
      name: 'proxmon_netstat_events_total',
      help: 'Kernel network-stack counters (/proc/net/snmp, netstat, snmp6; as `nstat` shows them), by kernel protocol (lowercased) and field name.',
      labelNames: ['protocol', 'field'],
    },
    (emit) => {
      const table = protocols();
      for (const [protocol, fields] of Object.entries(EVENT_FIELDS))
        for (const name of fields)
          emit({ protocol: protocol.toLowerCase(), field: name }, table[protocol]?.[name]);
    },
  );
  snapshotCounter(
    registry,
    {
      name: 'proxmon_netstat_bytes_total',
      help: 'IP-layer bytes (IpExt and Ip6 InOctets/OutOctets), all interfaces together.',
      labelNames: ['protocol', 'direction'],
    },
    (emit) => {
      for (const [kernel, protocol] of OCTETS) {
        emit({ protocol, direction: 'in' }, field(kernel, 'InOctets'));
        emit({ protocol, direction: 'out' }, field(kernel, 'OutOctets'));
      }
    },
  );
  snapshotGauge(
    registry,
    {
      name: 'proxmon_netstat_tcp_established_connections',
      help: 'TCP connections in ESTABLISHED or CLOSE-WAIT (Tcp CurrEstab).',
    },
    (emit) => emit({}, field('Tcp', 'CurrEstab')),
  );
  snapshotGauge(
    registry,
    {
      name: 'proxmon_netstat_ip_forwarding',
      help: '1 when the host forwards IPv4 (routes between interfaces), 0 when not (Ip Forwarding).',
    },
    // RFC 1213 ipForwarding: 1 forwarding, 2 not forwarding.
    (emit) => {
      const value = field('Ip', 'Forwarding');
      emit({}, value === 1 ? 1 : value === 2 ? 0 : undefined);
    },
  );

  registerSockstatMetrics(registry, snapshots);
  registerConntrackMetrics(registry, snapshots);
}

function registerSockstatMetrics(registry: Registry, snapshots: SnapshotReader): void {
  const sockstat = () => snapshots.latest<Sockstat>(SOCKSTAT_SOURCE);
  // FRAG lines count IP reassembly queues, not sockets.
  const isFrag = (p: SockstatProtocol) => /^FRAG/.test(p.protocol);

  snapshotGauge(
    registry,
    { name: 'proxmon_sockets_used', help: 'Sockets in use, all families (unix included).' },
    (emit) => emit({}, sockstat()?.socketsUsed),
  );
  snapshotGauge(
    registry,
    {
      name: 'proxmon_sockets',
      help: 'Sockets by protocol (/proc/net/sockstat{,6}); state inuse, orphan (closed, still sending), tw (TIME-WAIT) or alloc (allocated). Not a partition: do not sum states.',
      labelNames: ['protocol', 'state'],
    },
    (emit) => {
      for (const p of sockstat()?.protocols ?? []) {
        if (isFrag(p)) continue;
        for (const [key, state] of SOCKET_STATES) emit({ protocol: p.protocol.toLowerCase(), state }, p[key]);
      }
    },
  );
  snapshotGauge(
    registry,
    {
      name: 'proxmon_sockets_memory_bytes',
      help: 'Memory held by socket buffers (tcp, udp) or IP fragment reassembly (frag, frag6).',
      labelNames: ['protocol'],
    },
    (emit) => {
      for (const p of sockstat()?.protocols ?? [])
        emit({ protocol: p.protocol.toLowerCase() }, p.memoryBytes);
    },
  );
  snapshotGauge(
    registry,
    {
      name: 'proxmon_sockets_fragment_queues',
      help: 'IP fragment reassembly queues in use (sockstat FRAG/FRAG6 inuse).',
      labelNames: ['protocol'],
    },
    (emit) => {
      for (const p of sockstat()?.protocols ?? [])
        if (isFrag(p)) emit({ protocol: p.protocol.toLowerCase() }, p.inUse);
    },
  );
}

function registerConntrackMetrics(registry: Registry, snapshots: SnapshotReader): void {
  const conntrack = () => snapshots.latest<Conntrack>(CONNTRACK_SOURCE);

  snapshotGauge(
    registry,
    { name: 'proxmon_conntrack_entries', help: 'Connections tracked by netfilter (nf_conntrack_count).' },
    (emit) => emit({}, conntrack()?.entries),
  );
  snapshotGauge(
    registry,
    {
      name: 'proxmon_conntrack_entries_limit',
      help: 'Size of the conntrack table (nf_conntrack_max); at the limit new connections are dropped.',
    },
    (emit) => emit({}, conntrack()?.limit),
  );
  snapshotCounter(
    registry,
    {
      name: 'proxmon_conntrack_events_total',
      help: 'Conntrack events summed over CPUs (/proc/net/stat/nf_conntrack); drop and early_drop rise when the table is full.',
      labelNames: ['event'],
    },
    (emit) => {
      const stats = conntrack()?.stats ?? {};
      for (const event of CONNTRACK_EVENTS) if (Object.hasOwn(stats, event)) emit({ event }, stats[event]);
    },
  );
}
