import { networkInterfaces } from 'node:os';
import { Router } from 'express';
import type { z } from 'zod';
import { HISTORY_SERIES } from '../history/recorder.js';
import type { HistoryStore } from '../history/store.js';
import { addressesByInterface, type AddressTable, type InterfaceAddress } from '../network/addresses.js';
import type { InterfaceRates, NetworkRates } from '../network/rates.js';
import type { SnapshotReader } from '../snapshots.js';
import { LATENCY_SOURCE, type LatencySnapshot, type LatencyTarget } from '../sources/latency/index.js';
import { NETSTAT_SOURCE, type NetstatSnapshot } from '../sources/netstat/index.js';
import type { NetworkInterface, NetworkSnapshot } from '../sources/network/index.js';
import { INTERFACE_TYPES } from '../sources/network/parse.js';
import { errors } from './errors.js';
import { historySeries } from './history.js';
import {
  interfaceSchema,
  latencyCurrentQuery,
  latencyCurrentResponse,
  latencyHistoryQuery,
  latencyHistoryResponse,
  latencyTargetSchema,
  networkQuery,
  networkResponse,
  networkSummaryResponse,
} from './network-schema.js';
import { ApiRouter } from './route.js';
import { isoFromMs, sourceStatus } from './source-status.js';

export const NETWORK_SOURCE = 'network';

export interface NetworkRouterDeps {
  snapshots: SnapshotReader;
  /** Fed with each network snapshot by the composition root. */
  rates: NetworkRates;
  history: HistoryStore;
  /** The host's addresses; default `os.networkInterfaces()` (proxmon runs in the host's network namespace). */
  addresses?: () => AddressTable;
  now?: () => number;
}

const nul = <T>(v: T | undefined): T | null => (v === undefined ? null : v);

function ratesView(r: InterfaceRates | undefined): z.input<typeof interfaceSchema>['rates'] {
  if (!r) return null;
  return {
    receive_bytes_per_second: nul(r.receiveBytesPerSecond),
    transmit_bytes_per_second: nul(r.transmitBytesPerSecond),
    receive_packets_per_second: nul(r.receivePacketsPerSecond),
    transmit_packets_per_second: nul(r.transmitPacketsPerSecond),
    receive_errors_per_second: nul(r.receiveErrorsPerSecond),
    transmit_errors_per_second: nul(r.transmitErrorsPerSecond),
    receive_drops_per_second: nul(r.receiveDropsPerSecond),
    transmit_drops_per_second: nul(r.transmitDropsPerSecond),
  };
}

function interfaceView(
  i: NetworkInterface,
  addresses: readonly InterfaceAddress[],
  rates: InterfaceRates | undefined,
): z.input<typeof interfaceSchema> {
  return {
    name: i.interface,
    type: i.type,
    state: i.operState,
    up: nul(i.up),
    carrier: nul(i.carrier),
    mac: nul(i.address),
    mtu_bytes: nul(i.mtuBytes),
    speed_bits_per_second: nul(i.speedBitsPerSecond),
    carrier_changes: nul(i.carrierChanges),
    addresses: addresses.map((a) => ({
      address: a.address,
      prefix: nul(a.prefix),
      family: a.family,
      link_local: a.linkLocal,
    })),
    counters: {
      receive_bytes: nul(i.receiveBytes),
      transmit_bytes: nul(i.transmitBytes),
      receive_packets: nul(i.receivePackets),
      transmit_packets: nul(i.transmitPackets),
      receive_errors: nul(i.receiveErrors),
      transmit_errors: nul(i.transmitErrors),
      receive_drops: nul(i.receiveDrop),
      transmit_drops: nul(i.transmitDrop),
    },
    rates: ratesView(rates),
  };
}

/** Loss decides: latency alone says little without knowing the link. */
function latencyStatus(t: LatencyTarget): z.input<typeof latencyTargetSchema>['status'] {
  if (t.lossRatio === undefined) return 'error';
  if (t.lossRatio >= 1) return 'down';
  return t.lossRatio > 0 ? 'degraded' : 'ok';
}

function latencyView(t: LatencyTarget): z.input<typeof latencyTargetSchema> {
  return {
    target: t.target,
    address: t.address,
    status: latencyStatus(t),
    transmitted: nul(t.transmitted),
    received: nul(t.received),
    loss_ratio: nul(t.lossRatio),
    rtt_min_seconds: nul(t.rtt?.minSeconds),
    rtt_avg_seconds: nul(t.rtt?.avgSeconds),
    rtt_max_seconds: nul(t.rtt?.maxSeconds),
    rtt_mdev_seconds: nul(t.rtt?.mdevSeconds),
    error: nul(t.error),
  };
}

const sum = (values: ReadonlyArray<number | undefined>) => values.reduce<number>((s, v) => s + (v ?? 0), 0);
/** A sum of rates only when every part has one; a partial sum would read as a drop in traffic. */
const sumKnown = (values: ReadonlyArray<number | undefined>) =>
  values.length > 0 && values.every((v) => v !== undefined) ? sum(values) : null;

/** Interfaces with addresses and rates, traffic and protocol summary, and ping latency and its history. */
export function createNetworkRouter(deps: NetworkRouterDeps): ApiRouter {
  const { snapshots, rates, history } = deps;
  const addresses = deps.addresses ?? networkInterfaces;
  const now = deps.now ?? Date.now;
  const api = new ApiRouter('/api/network', Router(), 'network');

  /** The latest snapshot, also handed to the rate tracker (a no-op when it has seen it). */
  const network = () => {
    const snap = snapshots.latest<NetworkSnapshot>(NETWORK_SOURCE);
    const at = snapshots.takenAt(NETWORK_SOURCE);
    if (snap && at !== undefined) rates.observe(snap, at);
    return snap;
  };

  api.route(
    {
      method: 'get',
      path: '/',
      auth: 'read',
      summary: 'Network interfaces: type, state, addresses, speed, counters and rates',
      query: networkQuery,
      response: networkResponse,
    },
    ({ query }) => {
      const snap = network();
      const window = rates.latest();
      const byName = addressesByInterface(addresses());
      return {
        interfaces: (snap?.interfaces ?? [])
          .filter((i) => query.type === undefined || i.type === query.type)
          .map((i) => interfaceView(i, byName.get(i.interface) ?? [], window?.byInterface.get(i.interface))),
        rates_window: window
          ? {
              from: isoFromMs(window.from)!,
              to: isoFromMs(window.to)!,
              seconds: (window.to - window.from) / 1000,
            }
          : null,
        source: sourceStatus(snapshots, NETWORK_SOURCE),
      };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/summary',
      auth: 'read',
      summary: 'Interface counts by type, traffic over physical NICs, TCP/UDP totals and ping latency',
      response: networkSummaryResponse,
    },
    () => {
      const interfaces = network()?.interfaces ?? [];
      const window = rates.latest();
      const physical = interfaces.filter((i) => i.type === 'physical');
      const count = (list: readonly NetworkInterface[]) => ({
        total: list.length,
        up: list.filter((i) => i.up === true).length,
      });
      const protocols = snapshots.latest<NetstatSnapshot>(NETSTAT_SOURCE)?.protocols;
      const field = (protocol: string, name: string) => nul(protocols?.[protocol]?.[name]);
      const latency = snapshots.latest<LatencySnapshot>(LATENCY_SOURCE);
      const physicalRates = physical.map((i) => window?.byInterface.get(i.interface));
      return {
        interfaces: {
          ...count(interfaces),
          by_type: Object.fromEntries(
            INTERFACE_TYPES.map((t) => [t, count(interfaces.filter((i) => i.type === t))]),
          ) as Record<(typeof INTERFACE_TYPES)[number], { total: number; up: number }>,
        },
        traffic: {
          receive_bytes: sum(physical.map((i) => i.receiveBytes)),
          transmit_bytes: sum(physical.map((i) => i.transmitBytes)),
          receive_packets: sum(physical.map((i) => i.receivePackets)),
          transmit_packets: sum(physical.map((i) => i.transmitPackets)),
          errors: sum(physical.flatMap((i) => [i.receiveErrors, i.transmitErrors])),
          drops: sum(physical.flatMap((i) => [i.receiveDrop, i.transmitDrop])),
          receive_bytes_per_second: sumKnown(physicalRates.map((r) => r?.receiveBytesPerSecond)),
          transmit_bytes_per_second: sumKnown(physicalRates.map((r) => r?.transmitBytesPerSecond)),
        },
        tcp: {
          established: field('Tcp', 'CurrEstab'),
          active_opens: field('Tcp', 'ActiveOpens'),
          passive_opens: field('Tcp', 'PassiveOpens'),
          retransmitted_segments: field('Tcp', 'RetransSegs'),
          in_errors: field('Tcp', 'InErrs'),
        },
        udp: {
          in_datagrams: field('Udp', 'InDatagrams'),
          out_datagrams: field('Udp', 'OutDatagrams'),
          in_errors: field('Udp', 'InErrors'),
          no_ports: field('Udp', 'NoPorts'),
          receive_buffer_errors: field('Udp', 'RcvbufErrors'),
        },
        latency: (latency?.targets ?? []).map(latencyView),
        latency_measured_at: isoFromMs(snapshots.takenAt(LATENCY_SOURCE)),
        sources: {
          network: sourceStatus(snapshots, NETWORK_SOURCE),
          netstat: sourceStatus(snapshots, NETSTAT_SOURCE),
          latency: sourceStatus(snapshots, LATENCY_SOURCE),
        },
      };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/latency/current',
      auth: 'read',
      summary: 'The latest ping round to one target (the default gateway unless targets are configured)',
      query: latencyCurrentQuery,
      response: latencyCurrentResponse,
    },
    ({ query }) => {
      const latency = snapshots.latest<LatencySnapshot>(LATENCY_SOURCE);
      const at = snapshots.takenAt(LATENCY_SOURCE);
      if (!latency || at === undefined) {
        const s = sourceStatus(snapshots, LATENCY_SOURCE);
        throw errors.unavailable(
          `no recent latency measurement${s.error ? `: ${s.error}` : s.enabled ? '' : ' (the latency source is off)'}`,
        );
      }
      const names = latency.targets.map((t) => t.target);
      const target =
        query.target === undefined
          ? latency.targets[0]
          : latency.targets.find((t) => t.target === query.target);
      if (!target)
        throw errors.notFound(
          query.target === undefined
            ? 'no latency target: no default gateway and none configured'
            : `no latency target ${JSON.stringify(query.target)}; measured: ${names.join(', ') || 'none'}`,
        );
      return { ...latencyView(target), measured_at: isoFromMs(at)!, targets: names };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/latency/history',
      auth: 'read',
      summary: 'Ping latency and packet loss history of one target',
      query: latencyHistoryQuery,
      response: latencyHistoryResponse,
    },
    ({ query }) => {
      // A target that never answered has loss samples only.
      const targets = [
        ...new Set([...history.keys(HISTORY_SERIES.latency), ...history.keys(HISTORY_SERIES.packetLoss)]),
      ].sort();
      const target = query.target ?? (targets.includes('gateway') ? 'gateway' : (targets[0] ?? undefined));
      if (target === undefined || !targets.includes(target))
        throw errors.notFound(
          target === undefined
            ? 'no latency history yet'
            : `no latency history for ${JSON.stringify(target)}; kept: ${targets.join(', ') || 'none'}`,
        );
      const at = now();
      return {
        target,
        targets,
        latency_seconds: historySeries(history, HISTORY_SERIES.latency, target, query.timeframe, at),
        packet_loss_ratio: historySeries(history, HISTORY_SERIES.packetLoss, target, query.timeframe, at),
      };
    },
  );
  return api;
}
