import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readText } from '../read.js';
import { fail, type SourceContext } from '../source.js';
import { fixtureRoots, sourceContext } from '../../test-support/source-context.js';
import { createNetworkSource, type NetworkInterface } from './index.js';
import {
  carrierTransitions,
  classifyInterface,
  interfaceUp,
  parseCarrier,
  parseOperState,
  parseProcNetDev,
  parseSpeedBitsPerSecond,
  parseUevent,
  parseVlanConfig,
  type InterfaceTraits,
} from './parse.js';

const fixture = (path: string) => fileURLToPath(new URL(`./fixtures/${path}`, import.meta.url));
const text = (path: string) => readFileSync(fixture(path), 'utf8');

const hostContext = (host: string): SourceContext =>
  sourceContext({
    paths: fixtureRoots(import.meta.url, host),
    exec: () => Promise.reject(new Error('network must not run tools')),
  });

describe('parseProcNetDev', () => {
  it('reads the recorded Debian 12 VM file (lo, two ifb, virtio eth0)', () => {
    const r = parseProcNetDev(text('host-vm-virtio/proc/net/dev'));
    expect(r).toEqual({
      ok: true,
      value: [
        {
          interface: 'lo',
          receiveBytes: 4133,
          receivePackets: 41,
          receiveErrors: 0,
          receiveDrop: 0,
          receiveFifo: 0,
          receiveFrame: 0,
          receiveCompressed: 0,
          receiveMulticast: 0,
          transmitBytes: 4133,
          transmitPackets: 41,
          transmitErrors: 0,
          transmitDrop: 0,
          transmitFifo: 0,
          transmitCollisions: 0,
          transmitCarrier: 0,
          transmitCompressed: 0,
        },
        expect.objectContaining({ interface: 'ifb0', receiveBytes: 0, transmitBytes: 0 }),
        expect.objectContaining({ interface: 'ifb1' }),
        {
          interface: 'eth0',
          receiveBytes: 180234138,
          receivePackets: 8130,
          receiveErrors: 0,
          receiveDrop: 0,
          receiveFifo: 0,
          receiveFrame: 0,
          receiveCompressed: 0,
          receiveMulticast: 0,
          transmitBytes: 667516,
          transmitPackets: 5292,
          transmitErrors: 0,
          transmitDrop: 0,
          transmitFifo: 0,
          transmitCollisions: 0,
          transmitCarrier: 0,
          transmitCompressed: 0,
        },
      ],
    });
  });

  it('reads the constructed Proxmox file: long names, dotted vlan names, 11-digit counters', () => {
    const r = parseProcNetDev(text('host-pve-constructed/proc/net/dev'));
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.map((c) => c.interface)).toEqual([
      'lo',
      'enp3s0',
      'enp4s0',
      'enx00e04c680001',
      'bond0',
      'vmbr0',
      'vmbr0.100',
      'tap100i0',
      'fwbr100i0',
      'fwpr100p0',
      'fwln100i0',
      'veth101i0',
    ]);
    expect(r.value[1]).toEqual({
      interface: 'enp3s0',
      receiveBytes: 48211993815,
      receivePackets: 61843210,
      receiveErrors: 0,
      receiveDrop: 12,
      receiveFifo: 0,
      receiveFrame: 0,
      receiveCompressed: 0,
      receiveMulticast: 218734,
      transmitBytes: 9382710044,
      transmitPackets: 30812456,
      transmitErrors: 0,
      transmitDrop: 0,
      transmitFifo: 0,
      transmitCollisions: 0,
      transmitCarrier: 0,
      transmitCompressed: 0,
    });
    expect(r.value[7]).toMatchObject({ interface: 'tap100i0', transmitDrop: 193 });
    expect(r.value[11]).toMatchObject({ interface: 'veth101i0', transmitErrors: 3 });
  });

  it('maps columns by header and splits the name at the last colon', () => {
    const r = parseProcNetDev(
      [
        'Inter-| Receive | Transmit',
        ' face |packets bytes drop errs|bytes packets',
        '  weird:name:12345 7 8 9 10 11 12',
      ].join('\n'),
    );
    expect(r).toEqual({
      ok: true,
      value: [
        {
          interface: 'weird:name',
          receivePackets: 12345,
          receiveBytes: 7,
          receiveDrop: 8,
          receiveErrors: 9,
          transmitBytes: 10,
          transmitPackets: 11,
        },
      ],
    });
  });

  it('is a parse error without a header, and skips rows that are short or not numeric', () => {
    expect(parseProcNetDev('eth0: 1 2 3')).toMatchObject({ ok: false, error: { kind: 'parse' } });
    const header = text('host-vm-virtio/proc/net/dev').split('\n').slice(0, 2).join('\n');
    expect(parseProcNetDev(`${header}\n eth0: 1 2 3\n eth1: a b c d e f g h i j k l m n o p\n`)).toEqual({
      ok: true,
      value: [],
    });
  });

  it('never throws on random input and only yields interfaces with numeric counters', () => {
    const header = text('host-vm-virtio/proc/net/dev').split('\n').slice(0, 2).join('\n');
    fc.assert(
      fc.property(fc.string(), fc.array(fc.string()), (head, rows) => {
        for (const input of [head, `${header}\n${rows.join('\n')}`]) {
          const r = parseProcNetDev(input);
          if (r.ok) for (const c of r.value) expect(Number.isInteger(c.receiveBytes ?? 0)).toBe(true);
          else expect(r.error.kind).toBe('parse');
        }
      }),
    );
  });
});

describe('sysfs value parsers', () => {
  it('reads the recorded /proc/net/vlan/config shape', () => {
    expect(parseVlanConfig(text('host-pve-constructed/proc/net/vlan/config'))).toEqual(
      new Set(['vmbr0.100']),
    );
  });

  it('reads uevent key/value pairs', () => {
    const props = parseUevent(text('host-pve-constructed/sys/class/net/vmbr0/uevent'));
    expect(Object.fromEntries(props)).toEqual({ DEVTYPE: 'bridge', INTERFACE: 'vmbr0', IFINDEX: '6' });
  });

  it('treats -1, unsigned -1, 65535 and unreadable speed as unknown', () => {
    expect(parseSpeedBitsPerSecond('1000\n')).toBe(1e9);
    expect(parseSpeedBitsPerSecond('25000')).toBe(25e9);
    for (const unknown of ['-1\n', '4294967295', '65535', '0', '', 'garbage', undefined]) {
      expect(parseSpeedBitsPerSecond(unknown)).toBeUndefined();
    }
  });

  it('normalises operstate and carrier', () => {
    expect(parseOperState('lowerlayerdown\n')).toBe('lowerlayerdown');
    expect(parseOperState('UP')).toBe('up');
    expect(parseOperState('sideways')).toBe('unknown');
    expect(parseOperState(undefined)).toBe('unknown');
    expect(parseCarrier('1\n')).toBe(true);
    expect(parseCarrier('0')).toBe(false);
    expect(parseCarrier(undefined)).toBeUndefined();
  });

  it('counts up from operstate, falling back to carrier only for unknown', () => {
    expect(interfaceUp('up', false)).toBe(true);
    expect(interfaceUp('unknown', true)).toBe(true);
    expect(interfaceUp('unknown', false)).toBe(false);
    expect(interfaceUp('unknown', undefined)).toBeUndefined();
    expect(interfaceUp('dormant', true)).toBe(false);
    expect(interfaceUp('lowerlayerdown', undefined)).toBe(false);
  });

  it('derives carrier_changes from the up/down counts, falling back to it on kernels before 4.16', () => {
    expect(carrierTransitions('4\n', '3\n', undefined)).toEqual({ changes: 7, up: 4, down: 3 });
    expect(carrierTransitions(undefined, undefined, '9\n')).toEqual({ changes: 9 });
    expect(carrierTransitions('1', 'x', '2')).toEqual({ changes: 2 });
    expect(carrierTransitions('-1', '1', undefined)).toEqual({ changes: undefined });
  });

  it('ignores header words that are Object members', () => {
    const r = parseProcNetDev('Inter-|\n face |constructor bytes|toString bytes\n eth0: 1 2 3 4\n');
    expect(r).toEqual({ ok: true, value: [{ interface: 'eth0', receiveBytes: 2, transmitBytes: 4 }] });
  });

  it('never throws on random sysfs text', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        parseVlanConfig(s);
        parseUevent(s);
        const speed = parseSpeedBitsPerSecond(s);
        const { changes, up, down } = carrierTransitions(s, s, s);
        for (const v of [changes, up, down]) expect(v === undefined || v >= 0).toBe(true);
        expect(speed === undefined || speed > 0).toBe(true);
      }),
    );
  });
});

describe('classifyInterface', () => {
  const none: InterfaceTraits = {
    hasDevice: false,
    hasBridgeDir: false,
    hasBondingDir: false,
    inVlanConfig: false,
  };
  it.each<[string, Partial<InterfaceTraits>, string]>([
    ['enp3s0 (PCI)', { hasDevice: true }, 'physical'],
    ['vmbr0 (bridge/ dir)', { hasBridgeDir: true }, 'bridge'],
    ['bridge known only by DEVTYPE', { devtype: 'bridge' }, 'bridge'],
    ['bond0 (bonding/ dir)', { hasBondingDir: true, devtype: 'bond' }, 'bond'],
    ['vmbr0.100 by DEVTYPE', { devtype: 'vlan' }, 'vlan'],
    ['vlan only in /proc/net/vlan/config', { inVlanConfig: true }, 'vlan'],
    ['wlan0 with a device', { devtype: 'wlan', hasDevice: true }, 'physical'],
    ['lo, tap, veth, fwpr/fwln', {}, 'other'],
  ])('%s', (_name, traits, expected) => {
    expect(classifyInterface({ ...none, ...traits })).toBe(expected);
  });
});

describe('network source collect()', () => {
  it('reads the recorded VM tree', async () => {
    const source = createNetworkSource();
    expect([source.name, source.intervalSeconds, source.timeoutSeconds]).toEqual(['network', 5, 3]);
    const r = await source.collect(hostContext('host-vm-virtio'));
    if (!r.ok) throw new Error(r.error.message);
    const summary = r.value.interfaces.map(
      ({ interface: name, type, operState, carrier, up, address, mtuBytes, speedBitsPerSecond }) => ({
        name,
        type,
        operState,
        carrier,
        up,
        address,
        mtuBytes,
        speedBitsPerSecond,
      }),
    );
    expect(summary).toEqual([
      {
        name: 'lo',
        type: 'other',
        operState: 'unknown',
        carrier: true,
        up: true,
        address: '00:00:00:00:00:00',
        mtuBytes: 65536,
        speedBitsPerSecond: undefined,
      },
      {
        name: 'ifb0',
        type: 'other',
        operState: 'down',
        carrier: undefined,
        up: false,
        address: 'be:08:6e:03:ab:3c',
        mtuBytes: 1500,
        speedBitsPerSecond: undefined,
      },
      {
        name: 'ifb1',
        type: 'other',
        operState: 'down',
        carrier: undefined,
        up: false,
        address: '8e:70:7b:19:a3:ef',
        mtuBytes: 1500,
        speedBitsPerSecond: undefined,
      },
      {
        name: 'eth0',
        type: 'physical',
        operState: 'up',
        carrier: true,
        up: true,
        address: '02:fc:00:00:00:01',
        mtuBytes: 1400,
        speedBitsPerSecond: undefined,
      },
    ]);
    expect(r.value.interfaces[3]).toMatchObject({ receiveBytes: 180234138, transmitPackets: 5292 });
  });

  it('classifies the constructed Proxmox tree', async () => {
    const r = await createNetworkSource().collect(hostContext('host-pve-constructed'));
    if (!r.ok) throw new Error(r.error.message);
    const byName = Object.fromEntries(
      r.value.interfaces.map((i) => [i.interface, [i.type, i.up, i.speedBitsPerSecond, i.mtuBytes]]),
    );
    expect(byName).toEqual({
      lo: ['other', true, undefined, 65536],
      enp3s0: ['physical', true, 1e9, 1500],
      enp4s0: ['physical', false, undefined, 1500],
      enx00e04c680001: ['physical', false, undefined, 1500],
      bond0: ['bond', true, 1e9, 1500],
      vmbr0: ['bridge', true, undefined, 1500],
      'vmbr0.100': ['vlan', true, undefined, 1500],
      tap100i0: ['other', true, 1e7, 1500],
      fwbr100i0: ['bridge', true, undefined, 1500],
      fwpr100p0: ['other', true, 1e10, 1500],
      fwln100i0: ['other', true, 1e10, 1500],
      veth101i0: ['other', true, 1e10, 1500],
    });
  });

  it('reads carrier transitions and the transmit queue length', async () => {
    const vm = await createNetworkSource().collect(hostContext('host-vm-virtio'));
    if (!vm.ok) throw new Error(vm.error.message);
    const pick = (i: NetworkInterface) => [
      i.interface,
      i.carrierChanges,
      i.carrierUpChanges,
      i.carrierDownChanges,
      i.transmitQueueLength,
    ];
    expect(vm.value.interfaces.map(pick)).toEqual([
      ['lo', 0, 0, 0, 1000],
      ['ifb0', 0, 0, 0, 32],
      ['ifb1', 0, 0, 0, 32],
      ['eth0', 2, 1, 1, 1000],
    ]);
    const pve = await createNetworkSource().collect(hostContext('host-pve-constructed'));
    if (!pve.ok) throw new Error(pve.error.message);
    expect(pve.value.interfaces.slice(1, 3).map(pick)).toEqual([
      ['enp3s0', 7, 4, 3, 10000],
      ['enp4s0', 1, 0, 1, 1000],
    ]);
  });

  it('reads carrier_changes only where the split counts are missing (kernels before 4.16)', async () => {
    const ctx = hostContext('host-vm-virtio');
    const paths: string[] = [];
    const oldKernel: SourceContext = {
      ...ctx,
      readText: async (p) => {
        paths.push(p);
        return /carrier_(up|down)_count$/.test(p) ? fail('absent', `${p}: not present`) : readText(p);
      },
    };
    const r = await createNetworkSource().collect(oldKernel);
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.interfaces.find((i) => i.interface === 'eth0')).toMatchObject({
      carrierChanges: 2,
      carrierUpChanges: undefined,
      carrierDownChanges: undefined,
    });
    expect(paths.filter((p) => p.endsWith('/carrier_changes'))).toHaveLength(4);
    const current: string[] = [];
    await createNetworkSource().collect({ ...ctx, readText: (p) => (current.push(p), readText(p)) });
    expect(current.filter((p) => p.endsWith('/carrier_changes'))).toEqual([]);
  });

  it('remembers the type per ifindex and reads fewer files on the next run', async () => {
    const ctx = hostContext('host-pve-constructed');
    const paths: string[] = [];
    const counting: SourceContext = { ...ctx, readText: (p) => (paths.push(p), readText(p)) };
    const source = createNetworkSource();
    await source.collect(counting);
    const first = paths.splice(0).length;
    const r = await source.collect(counting);
    expect(paths.length).toBe(first - 3 * 12 - 1);
    expect(r.ok && r.value.interfaces.find((i) => i.interface === 'bond0')?.type).toBe('bond');
  });

  it('is absent without /proc/net/dev', async () => {
    const ctx = hostContext('does-not-exist');
    expect(await createNetworkSource().collect(ctx)).toMatchObject({ ok: false, error: { kind: 'absent' } });
  });
});
