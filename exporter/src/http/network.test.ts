import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HISTORY_SERIES } from '../history/recorder.js';
import { HISTORY_MIGRATION } from '../history/schema.js';
import { createHistoryStore, type HistoryStore } from '../history/store.js';
import type { AddressTable } from '../network/addresses.js';
import { createNetworkRates, type NetworkRates } from '../network/rates.js';
import { SnapshotCache } from '../snapshots.js';
import type { Exec } from '../sources/exec.js';
import { createLatencySource, LATENCY_SOURCE } from '../sources/latency/index.js';
import { createNetstatSource, NETSTAT_SOURCE } from '../sources/netstat/index.js';
import { createNetworkSource } from '../sources/network/index.js';
import { readText } from '../sources/read.js';
import { fail, ok, type Result } from '../sources/source.js';
import { sourceContext } from '../test-support/source-context.js';
import { startRouterHarness, type RouterHarness } from '../test-support/router-harness.js';
import { createNetworkRouter, NETWORK_SOURCE } from './network.js';
import {
  latencyCurrentResponse,
  latencyHistoryResponse,
  networkResponse,
  networkSummaryResponse,
} from './network-schema.js';

const path = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const MINE = path('../network/fixtures/vm-virtio/');
const SYS = path('../sources/network/fixtures/host-vm-virtio/sys');
const NETSTAT_PROC = path('../sources/netstat/fixtures/host-debian12-vm/proc');
const LATENCY = path('../sources/latency/fixtures/');
const T0 = Date.UTC(2026, 10, 26, 10);

function value<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

/** The network source on this VM's /proc/net/dev as recorded at t0 or 5 s later, over its recorded sysfs. */
async function networkAt(file: string) {
  const ctx = sourceContext({
    paths: { procfs: '/proc', sysfs: SYS },
    readText: (p) => readText(p === '/proc/net/dev' ? `${MINE}${file}` : p),
  });
  return value(await createNetworkSource().collect(ctx));
}

/** Recorded ping replies per address; the unknown host fails the way ping does (exit 2, stderr). */
const PINGS: Record<string, { stdout: string; stderr?: string; exitCode: number }> = {
  '127.0.0.1': { stdout: readFileSync(`${LATENCY}ping-127.0.0.1-ok.txt`, 'utf8'), exitCode: 0 },
  '192.0.2.1': { stdout: readFileSync(`${LATENCY}ping-partial-loss-constructed.txt`, 'utf8'), exitCode: 0 },
  '192.0.2.9': { stdout: readFileSync(`${LATENCY}ping-all-lost-constructed.txt`, 'utf8'), exitCode: 1 },
  'nosuch.invalid': {
    stdout: '',
    stderr: readFileSync(`${LATENCY}ping-unknown-host-constructed.stderr.txt`, 'utf8'),
    exitCode: 2,
  },
};
const pingExec: Exec = async (_tool, args) => {
  const reply = PINGS[args.at(-1) ?? ''];
  return reply ? ok({ stderr: '', ...reply, durationMs: 1 }) : fail('io', 'unexpected ping');
};

const ADDRESSES = JSON.parse(readFileSync(`${MINE}node-network-interfaces.json`, 'utf8')) as AddressTable;

let h: RouterHarness;
let now = T0;
let snapshots: SnapshotCache;
let rates: NetworkRates;
let history: HistoryStore;

beforeAll(async () => {
  snapshots = new SnapshotCache(() => now);
  for (const name of [NETWORK_SOURCE, NETSTAT_SOURCE, LATENCY_SOURCE]) snapshots.register(name, 600_000);
  rates = createNetworkRates();
  const db = new Database(':memory:');
  db.exec(HISTORY_MIGRATION);
  history = createHistoryStore(db);
  h = await startRouterHarness([
    createNetworkRouter({ snapshots, rates, history, addresses: () => ADDRESSES, now: () => now }),
  ]);
});
afterAll(() => h.stop());

describe('GET /api/network', () => {
  it('answers with no interfaces and a down source before the first refresh', async () => {
    const body = networkResponse.parse((await h.call('GET', '/api/network')).body);
    expect(body).toMatchObject({ interfaces: [], rates_window: null, source: { up: false, fresh: false } });
  });

  it('lists interfaces with addresses and counters, and rates once two refreshes were seen', async () => {
    // What the composition root does on each network refresh: cache, then hand it to the rates.
    const refresh = async (file: string, at: number) => {
      now = at;
      const snap = await networkAt(file);
      snapshots.recordSuccess(NETWORK_SOURCE, snap, 0.01);
      rates.observe(snap, at);
    };
    await refresh('proc-net-dev-t0.txt', T0);
    const first = networkResponse.parse((await h.call('GET', '/api/network')).body);
    expect(first.rates_window).toBeNull();
    expect(first.interfaces.every((i) => i.rates === null)).toBe(true);

    await refresh('proc-net-dev-t5s.txt', T0 + 5000);
    const r = await h.call('GET', '/api/network');
    expect(r.status).toBe(200);
    const body = networkResponse.parse(r.body);
    expect(body.rates_window).toEqual({
      from: new Date(T0).toISOString(),
      to: new Date(T0 + 5000).toISOString(),
      seconds: 5,
    });
    expect(body.interfaces.map((i) => [i.name, i.type, i.state, i.up])).toEqual([
      ['lo', 'other', 'unknown', true],
      ['ifb0', 'other', 'down', false],
      ['ifb1', 'other', 'down', false],
      ['eth0', 'physical', 'up', true],
    ]);
    const lo = body.interfaces[0]!;
    // 20 pings of 1000 bytes to 127.0.0.1 between the two recordings: 40 packets, 41120 bytes each way.
    expect(lo.counters).toMatchObject({
      receive_bytes: 313517682,
      receive_packets: 198485,
      receive_errors: 0,
    });
    expect(lo.rates).toMatchObject({
      receive_bytes_per_second: 41120 / 5,
      transmit_bytes_per_second: 41120 / 5,
      receive_packets_per_second: 8,
      receive_drops_per_second: 0,
    });
    expect(lo.addresses).toEqual([
      { address: '127.0.0.1', prefix: 8, family: 'inet', link_local: false },
      { address: '::1', prefix: 128, family: 'inet6', link_local: false },
    ]);
    const eth0 = body.interfaces[3]!;
    expect(eth0).toMatchObject({
      mac: '02:fc:00:00:00:01',
      mtu_bytes: 1400,
      // virtio reports no speed: unknown, not zero.
      speed_bits_per_second: null,
      carrier: true,
      rates: { receive_bytes_per_second: 0, transmit_bytes_per_second: 0 },
    });
    expect(eth0.addresses.map((a) => [a.address, a.prefix, a.link_local])).toEqual([
      ['192.0.2.2', 24, false],
      ['fd00::2', 64, false],
      ['fe80::fc:ff:fe00:1', 64, true],
    ]);
    expect(body.source).toMatchObject({ up: true, fresh: true });
  });

  it('filters by type and refuses an unknown one', async () => {
    const body = networkResponse.parse((await h.call('GET', '/api/network?type=physical')).body);
    expect(body.interfaces.map((i) => i.name)).toEqual(['eth0']);
    for (const q of ['type=wifi', 'iface=eth0'])
      expect((await h.call('GET', `/api/network?${q}`)).status).toBe(400);
  });
});

describe('GET /api/network/summary', () => {
  it('counts interfaces by type, sums physical traffic and reads TCP/UDP and latency', async () => {
    snapshots.recordSuccess(
      NETSTAT_SOURCE,
      value(await createNetstatSource().collect(sourceContext({ paths: { procfs: NETSTAT_PROC } }))),
      0.01,
    );
    const latency = createLatencySource({
      targets: ['127.0.0.1', '192.0.2.1', '192.0.2.9', 'nosuch.invalid'],
    });
    snapshots.recordSuccess(
      LATENCY_SOURCE,
      value(await latency.collect(sourceContext({ exec: pingExec }))),
      1,
    );

    const r = await h.call('GET', '/api/network/summary');
    expect(r.status).toBe(200);
    const body = networkSummaryResponse.parse(r.body);
    expect(body.interfaces).toEqual({
      total: 4,
      up: 2,
      by_type: {
        physical: { total: 1, up: 1 },
        bridge: { total: 0, up: 0 },
        bond: { total: 0, up: 0 },
        vlan: { total: 0, up: 0 },
        other: { total: 3, up: 1 },
      },
    });
    // lo is not a wire: only eth0 counts.
    expect(body.traffic).toEqual({
      receive_bytes: 1549982868,
      transmit_bytes: 9075308,
      receive_packets: 89315,
      transmit_packets: 70382,
      errors: 0,
      drops: 0,
      receive_bytes_per_second: 0,
      transmit_bytes_per_second: 0,
    });
    expect(body.tcp).toEqual({
      established: 0,
      active_opens: 552,
      passive_opens: 399,
      retransmitted_segments: 7,
      in_errors: 0,
    });
    expect(body.udp).toMatchObject({ in_datagrams: 34, out_datagrams: 35, no_ports: 0 });
    expect(body.latency.map((t) => [t.target, t.status, t.loss_ratio])).toEqual([
      ['127.0.0.1', 'ok', 0],
      ['192.0.2.1', 'degraded', 0.4],
      ['192.0.2.9', 'down', 1],
      ['nosuch.invalid', 'error', null],
    ]);
    expect(body.latency[3]?.error).toBe('ping: nosuch.invalid: Name or service not known');
    expect(body.sources.netstat).toMatchObject({ up: true });
  });
});

describe('GET /api/network/latency/current', () => {
  it('gives the first target by default, or the one asked for, with all the round figures', async () => {
    const first = latencyCurrentResponse.parse((await h.call('GET', '/api/network/latency/current')).body);
    expect(first).toMatchObject({
      target: '127.0.0.1',
      status: 'ok',
      transmitted: 5,
      received: 5,
      rtt_min_seconds: 0.042e-3,
      rtt_avg_seconds: 0.053e-3,
      rtt_max_seconds: 0.072e-3,
      rtt_mdev_seconds: 0.01e-3,
      measured_at: new Date(now).toISOString(),
      targets: ['127.0.0.1', '192.0.2.1', '192.0.2.9', 'nosuch.invalid'],
    });
    const partial = latencyCurrentResponse.parse(
      (await h.call('GET', '/api/network/latency/current?target=192.0.2.1')).body,
    );
    expect(partial).toMatchObject({ status: 'degraded', received: 3, rtt_avg_seconds: 24.907e-3 });
  });

  it('404s a target that is not measured (no ad-hoc pings) and 400s a bad query', async () => {
    const r = await h.call('GET', '/api/network/latency/current?target=8.8.8.8');
    expect(r.status).toBe(404);
    expect((r.body.error as { message: string }).message).toMatch(
      /no latency target "8.8.8.8"; measured: 127\.0\.0\.1/,
    );
    expect((await h.call('GET', '/api/network/latency/current?target=')).status).toBe(400);
    expect((await h.call('GET', '/api/network/latency/current?count=9')).status).toBe(400);
  });
});

describe('GET /api/network/latency/history', () => {
  it('gives latency and loss series of the gateway by default', async () => {
    for (let i = 0; i < 30; i++) {
      const ts = now - 30 * 60_000 + i * 60_000;
      history.insert([
        { series: HISTORY_SERIES.latency, key: 'gateway', ts, value: (i % 2 ? 2 : 4) / 1000 },
        { series: HISTORY_SERIES.packetLoss, key: 'gateway', ts, value: i === 10 ? 0.2 : 0 },
        { series: HISTORY_SERIES.packetLoss, key: '192.0.2.9', ts, value: 1 },
      ]);
    }
    const r = await h.call('GET', '/api/network/latency/history');
    expect(r.status).toBe(200);
    const body = latencyHistoryResponse.parse(r.body);
    expect(body.target).toBe('gateway');
    expect(body.targets).toEqual(['192.0.2.9', 'gateway']);
    expect(body.latency_seconds.points).toHaveLength(30);
    expect(body.latency_seconds.stats).toMatchObject({ min: 0.002, max: 0.004, current: 0.002 });
    expect(body.latency_seconds.stats.avg).toBeCloseTo(0.003, 15);
    expect(body.packet_loss_ratio.stats).toMatchObject({ max: 0.2, current: 0 });

    const lost = latencyHistoryResponse.parse(
      (await h.call('GET', '/api/network/latency/history?target=192.0.2.9&timeframe=day')).body,
    );
    expect(lost.latency_seconds.points).toEqual([]);
    expect(lost.packet_loss_ratio.points).toEqual([
      expect.objectContaining({ value: 1, samples: expect.any(Number) as number }),
      expect.objectContaining({ value: 1 }),
      expect.objectContaining({ value: 1 }),
      expect.objectContaining({ value: 1 }),
      expect.objectContaining({ value: 1 }),
      expect.objectContaining({ value: 1 }),
    ]);
  });

  it('404s a target without history and 400s an unknown timeframe', async () => {
    expect((await h.call('GET', '/api/network/latency/history?target=10.9.9.9')).status).toBe(404);
    expect((await h.call('GET', '/api/network/latency/history?timeframe=year')).status).toBe(400);
  });

  it('needs the read scope everywhere', async () => {
    for (const p of ['', '/summary', '/latency/current', '/latency/history'])
      expect((await h.call('GET', `/api/network${p}`, { scopes: ['write'] })).status).toBe(403);
  });
});

describe('OpenAPI', () => {
  it('describes every network route as read', async () => {
    const doc = (await h.call('GET', '/api/openapi.json')).body as {
      paths: Record<string, Record<string, { 'x-auth': string }>>;
    };
    expect(Object.entries(doc.paths).map(([p, m]) => [p, m.get?.['x-auth']])).toEqual([
      ['/api/network', 'read'],
      ['/api/network/summary', 'read'],
      ['/api/network/latency/current', 'read'],
      ['/api/network/latency/history', 'read'],
    ]);
  });
});
