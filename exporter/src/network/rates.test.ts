import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseProcNetDev } from '../sources/network/parse.js';
import type { NetworkInterface, NetworkSnapshot } from '../sources/network/types.js';
import { addressesByInterface, type AddressTable } from './addresses.js';
import { createNetworkRates, interfaceRates } from './rates.js';

const fixture = (name: string) =>
  readFileSync(new URL(`./fixtures/vm-virtio/${name}`, import.meta.url), 'utf8');

function snapshotOf(file: string): NetworkSnapshot {
  const parsed = parseProcNetDev(fixture(file));
  if (!parsed.ok) throw new Error(parsed.error.message);
  return {
    interfaces: parsed.value.map((c): NetworkInterface => ({ ...c, operState: 'up', type: 'other' })),
  };
}

describe('interfaceRates', () => {
  it('gives per-second rates between the two recorded /proc/net/dev readings 5 s apart', () => {
    const [lo0] = snapshotOf('proc-net-dev-t0.txt').interfaces;
    const [lo1] = snapshotOf('proc-net-dev-t5s.txt').interfaces;
    expect(interfaceRates(lo0!, lo1!, 5)).toEqual({
      receiveBytesPerSecond: 8224,
      transmitBytesPerSecond: 8224,
      receivePacketsPerSecond: 8,
      transmitPacketsPerSecond: 8,
      receiveErrorsPerSecond: 0,
      transmitErrorsPerSecond: 0,
      receiveDropsPerSecond: 0,
      transmitDropsPerSecond: 0,
    });
  });

  it('gives no rate for a counter that went backwards, a missing one, or an empty window', () => {
    const before = { interface: 'eth0', receiveBytes: 1000, transmitBytes: 10 };
    expect(interfaceRates(before, { interface: 'eth0', receiveBytes: 5, transmitBytes: 20 }, 2)).toEqual({
      transmitBytesPerSecond: 5,
    });
    expect(interfaceRates(before, before, 0)).toEqual({});
  });

  it('never gives a negative or non-finite rate', () => {
    const counter = fc.option(fc.nat({ max: Number.MAX_SAFE_INTEGER }), { nil: undefined });
    fc.assert(
      fc.property(counter, counter, fc.double({ noNaN: false }), (a, b, seconds) => {
        const r = interfaceRates(
          { interface: 'x', receiveBytes: a },
          { interface: 'x', receiveBytes: b },
          seconds,
        );
        for (const v of Object.values(r)) expect(Number.isFinite(v) && v >= 0).toBe(true);
      }),
    );
  });
});

describe('createNetworkRates', () => {
  it('needs two snapshots, ignores the same one twice and one older than the last', () => {
    const rates = createNetworkRates();
    const first = snapshotOf('proc-net-dev-t0.txt');
    const second = snapshotOf('proc-net-dev-t5s.txt');
    rates.observe(first, 1000);
    expect(rates.latest()).toBeUndefined();
    rates.observe(first, 2000);
    expect(rates.latest()).toBeUndefined();
    rates.observe(second, 6000);
    rates.observe(second, 3000);
    const w = rates.latest();
    expect(w && { from: w.from, to: w.to }).toEqual({ from: 1000, to: 6000 });
    expect(w?.byInterface.get('lo')?.receivePacketsPerSecond).toBe(8);
    expect([...(w?.byInterface.keys() ?? [])]).toEqual(['lo', 'ifb0', 'ifb1', 'eth0']);
  });
});

describe('addressesByInterface', () => {
  it('reads the recorded os.networkInterfaces() of this VM', () => {
    const table = JSON.parse(fixture('node-network-interfaces.json')) as AddressTable;
    const byName = addressesByInterface(table);
    expect(byName.get('eth0')).toEqual([
      { address: '192.0.2.2', prefix: 24, family: 'inet', linkLocal: false },
      { address: 'fd00::2', prefix: 64, family: 'inet6', linkLocal: false },
      { address: 'fe80::fc:ff:fe00:1', prefix: 64, family: 'inet6', linkLocal: true },
    ]);
  });

  it('marks IPv4 link-local and copes with a missing cidr', () => {
    const table: AddressTable = {
      eno1: [
        {
          address: '169.254.10.1',
          netmask: '255.255.0.0',
          family: 'IPv4',
          mac: 'aa:bb:cc:dd:ee:ff',
          internal: false,
          cidr: null,
        },
      ],
      gone: undefined,
    };
    expect([...addressesByInterface(table)]).toEqual([
      ['eno1', [{ address: '169.254.10.1', prefix: undefined, family: 'inet', linkLocal: true }]],
    ]);
  });
});
