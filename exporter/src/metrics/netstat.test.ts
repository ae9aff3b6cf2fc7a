import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { SnapshotCache } from '../snapshots.js';
import { createConntrackSource } from '../sources/conntrack/index.js';
import type { Exec } from '../sources/exec.js';
import { createNetstatSource } from '../sources/netstat/index.js';
import { ok, type Source } from '../sources/source.js';
import { createSockstatSource } from '../sources/sockstat/index.js';
import { fixtureRoots, sourceContext } from '../test-support/source-context.js';
import { metricNames, registerNetstatMetrics } from './netstat.js';

const SOURCES = ['netstat', 'sockstat', 'conntrack'] as const;

const pageSize: Exec = async () => ok({ stdout: '4096\n', stderr: '', exitCode: 0, durationMs: 1 });

const context = (source: string, host: string) =>
  sourceContext({
    paths: fixtureRoots(new URL(`../sources/${source}/`, import.meta.url), host),
    exec: pageSize,
  });

async function collect(source: Source, host: string): Promise<unknown> {
  const r = await source.collect(context(source.name, host));
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

async function render(values: Partial<Record<(typeof SOURCES)[number], unknown>>): Promise<string[]> {
  const cache = new SnapshotCache(() => 1_000);
  for (const name of SOURCES) {
    cache.register(name, 45_000);
    if (values[name] !== undefined) cache.recordSuccess(name, values[name], 0.01);
  }
  const registry = new Registry();
  registerNetstatMetrics(registry, cache);
  expect((await registry.getMetricsAsJSON()).map((m) => m.name)).toEqual([...metricNames]);
  return (await registry.metrics()).split('\n').filter((l) => l !== '' && !l.startsWith('#'));
}

describe('netstat, sockstat and conntrack metrics', () => {
  it('renders every series for the recorded Debian 12 VM', async () => {
    const lines = await render({
      netstat: await collect(createNetstatSource(), 'host-debian12-vm'),
      sockstat: await collect(createSockstatSource(), 'host-debian12-vm'),
      conntrack: await collect(createConntrackSource(), 'host-debian12-vm'),
    });
    const events = (protocol: string, fields: [string, number][]) =>
      fields.map(([f, v]) => `proxmon_netstat_events_total{protocol="${protocol}",field="${f}"} ${v}`);
    const udp = (protocol: string, inDatagrams: number, outDatagrams: number) =>
      events(protocol, [
        ['InDatagrams', inDatagrams],
        ['OutDatagrams', outDatagrams],
        ['NoPorts', 0],
        ['InErrors', 0],
        ['RcvbufErrors', 0],
        ['SndbufErrors', 0],
      ]);
    expect(lines).toEqual([
      ...events('ip', [
        ['InReceives', 42698],
        ['InDiscards', 0],
        ['OutRequests', 39825],
      ]),
      ...events('ip6', [
        ['InReceives', 3],
        ['InDiscards', 0],
        ['OutRequests', 12],
      ]),
      ...events('icmp', [
        ['InMsgs', 283],
        ['OutMsgs', 282],
        ['InErrors', 0],
      ]),
      ...events('icmp6', [
        ['InMsgs', 1],
        ['OutMsgs', 9],
        ['InErrors', 1],
      ]),
      ...events('tcp', [
        ['ActiveOpens', 552],
        ['PassiveOpens', 399],
        ['AttemptFails', 97],
        ['EstabResets', 60],
        ['InSegs', 42383],
        ['OutSegs', 39527],
        ['RetransSegs', 7],
        ['InErrs', 0],
        ['OutRsts', 247],
      ]),
      ...events('tcpext', [
        ['ListenOverflows', 0],
        ['ListenDrops', 0],
        ['SyncookiesSent', 0],
        ['SyncookiesRecv', 0],
        ['SyncookiesFailed', 0],
        ['TCPSynRetrans', 0],
        ['TCPTimeouts', 2],
        ['TCPOFOQueue', 7],
        ['TCPRcvQDrop', 0],
        ['TCPAbortOnMemory', 0],
      ]),
      ...udp('udp', 34, 35),
      ...udp('udp6', 0, 0),
      ...events('udplite', [['InErrors', 0]]),
      ...events('udplite6', [['InErrors', 0]]),
      'proxmon_netstat_bytes_total{protocol="ip",direction="in"} 258218926',
      'proxmon_netstat_bytes_total{protocol="ip",direction="out"} 73886113',
      'proxmon_netstat_bytes_total{protocol="ip6",direction="in"} 268',
      'proxmon_netstat_bytes_total{protocol="ip6",direction="out"} 1020',
      'proxmon_netstat_tcp_established_connections 0',
      'proxmon_netstat_ip_forwarding 0',
      'proxmon_sockets_used 17',
      'proxmon_sockets{protocol="tcp",state="inuse"} 3',
      'proxmon_sockets{protocol="tcp",state="orphan"} 0',
      'proxmon_sockets{protocol="tcp",state="tw"} 4',
      'proxmon_sockets{protocol="tcp",state="alloc"} 3',
      'proxmon_sockets{protocol="udp",state="inuse"} 0',
      'proxmon_sockets{protocol="udplite",state="inuse"} 0',
      'proxmon_sockets{protocol="raw",state="inuse"} 0',
      'proxmon_sockets{protocol="tcp6",state="inuse"} 0',
      'proxmon_sockets{protocol="udp6",state="inuse"} 0',
      'proxmon_sockets{protocol="udplite6",state="inuse"} 0',
      'proxmon_sockets{protocol="raw6",state="inuse"} 0',
      'proxmon_sockets_memory_bytes{protocol="tcp"} 221184',
      'proxmon_sockets_memory_bytes{protocol="udp"} 0',
      'proxmon_sockets_memory_bytes{protocol="frag"} 0',
      'proxmon_sockets_memory_bytes{protocol="frag6"} 0',
      'proxmon_sockets_fragment_queues{protocol="frag"} 0',
      'proxmon_sockets_fragment_queues{protocol="frag6"} 0',
      'proxmon_conntrack_entries 0',
      'proxmon_conntrack_entries_limit 262144',
      'proxmon_conntrack_events_total{event="found"} 0',
      'proxmon_conntrack_events_total{event="invalid"} 0',
      'proxmon_conntrack_events_total{event="ignore"} 0',
      'proxmon_conntrack_events_total{event="insert"} 0',
      'proxmon_conntrack_events_total{event="insert_failed"} 0',
      'proxmon_conntrack_events_total{event="drop"} 0',
      'proxmon_conntrack_events_total{event="early_drop"} 0',
      'proxmon_conntrack_events_total{event="search_restart"} 0',
    ]);
  });

  it('shows listen drops, forwarding, a busy socket table and a full conntrack table (constructed)', async () => {
    const lines = await render({
      netstat: await collect(createNetstatSource(), 'host-pve-kernel4-constructed'),
      sockstat: await collect(createSockstatSource(), 'host-pve-constructed'),
      conntrack: await collect(createConntrackSource(), 'host-pve-full-constructed'),
    });
    const pick = (prefix: string) => lines.filter((l) => l.startsWith(prefix));
    expect(pick('proxmon_netstat_events_total{protocol="tcpext"')).toEqual([
      'proxmon_netstat_events_total{protocol="tcpext",field="ListenOverflows"} 15023',
      'proxmon_netstat_events_total{protocol="tcpext",field="ListenDrops"} 15031',
      'proxmon_netstat_events_total{protocol="tcpext",field="SyncookiesSent"} 2204',
      'proxmon_netstat_events_total{protocol="tcpext",field="SyncookiesRecv"} 1870',
      'proxmon_netstat_events_total{protocol="tcpext",field="SyncookiesFailed"} 334',
      'proxmon_netstat_events_total{protocol="tcpext",field="TCPSynRetrans"} 8120',
      'proxmon_netstat_events_total{protocol="tcpext",field="TCPTimeouts"} 31022',
      'proxmon_netstat_events_total{protocol="tcpext",field="TCPOFOQueue"} 220193',
      'proxmon_netstat_events_total{protocol="tcpext",field="TCPAbortOnMemory"} 4',
    ]);
    // No snmp6 (IPv6 disabled): no ip6/icmp6/udp6 series at all, rather than zeros.
    expect(lines.filter((l) => /protocol="(ip6|icmp6|udp6|udplite6)"/.test(l))).toEqual([]);
    expect(pick('proxmon_netstat_bytes_total')).toEqual([
      'proxmon_netstat_bytes_total{protocol="ip",direction="in"} 1182003344120',
      'proxmon_netstat_bytes_total{protocol="ip",direction="out"} 998120334411',
    ]);
    expect(pick('proxmon_netstat_tcp_established_connections')).toEqual([
      'proxmon_netstat_tcp_established_connections 143',
    ]);
    expect(pick('proxmon_netstat_ip_forwarding')).toEqual(['proxmon_netstat_ip_forwarding 1']);
    expect(pick('proxmon_sockets{protocol="tcp"')).toEqual([
      'proxmon_sockets{protocol="tcp",state="inuse"} 212',
      'proxmon_sockets{protocol="tcp",state="orphan"} 3',
      'proxmon_sockets{protocol="tcp",state="tw"} 1840',
      'proxmon_sockets{protocol="tcp",state="alloc"} 390',
    ]);
    expect(pick('proxmon_sockets_memory_bytes')).toEqual([
      'proxmon_sockets_memory_bytes{protocol="tcp"} 4927488',
      'proxmon_sockets_memory_bytes{protocol="udp"} 196608',
      'proxmon_sockets_memory_bytes{protocol="frag"} 4352',
    ]);
    expect(pick('proxmon_sockets_fragment_queues')).toEqual([
      'proxmon_sockets_fragment_queues{protocol="frag"} 1',
    ]);
    expect(pick('proxmon_conntrack_')).toEqual([
      'proxmon_conntrack_entries 262144',
      'proxmon_conntrack_entries_limit 262144',
      'proxmon_conntrack_events_total{event="found"} 432427',
      'proxmon_conntrack_events_total{event="invalid"} 3929',
      'proxmon_conntrack_events_total{event="ignore"} 1233140',
      'proxmon_conntrack_events_total{event="insert"} 4930571',
      'proxmon_conntrack_events_total{event="insert_failed"} 18',
      'proxmon_conntrack_events_total{event="drop"} 10274',
      'proxmon_conntrack_events_total{event="early_drop"} 247',
      'proxmon_conntrack_events_total{event="search_restart"} 66',
    ]);
  });

  it('leaves forwarding out for a value outside 1/2 and memory out without a page size', async () => {
    const lines = await render({
      netstat: { protocols: { Ip: { Forwarding: 0 } } },
      sockstat: { socketsUsed: 5, protocols: [{ protocol: 'TCP', inUse: 1 }] },
    });
    expect(lines).toEqual(['proxmon_sockets_used 5', 'proxmon_sockets{protocol="tcp",state="inuse"} 1']);
  });

  it('renders no series without fresh snapshots', async () => {
    expect(await render({})).toEqual([]);
  });
});
