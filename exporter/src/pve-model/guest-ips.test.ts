import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAgentInterfaces, parseLxcInterfaces } from './guest-ips.js';
import { parseRrdData } from './rrd.js';
import { fixture } from './test-fixture.js';

describe('parseAgentInterfaces', () => {
  it('reads the recorded agent reply, without loopback or link-local addresses', () => {
    const r = parseAgentInterfaces(fixture('pve92-qemu-agent-network-get-interfaces-real.json'));
    expect(
      r.ok && r.value.map((i) => `${i.interface} ${i.family} ${i.address}/${i.prefix} ${i.mac}`),
    ).toEqual([
      'eth0 inet 203.0.113.10/24 AA:BB:CC:DD:EE:FF',
      'eth0 inet6 2a01:cb0c:732:9200:be24:11ff:fe5a:48e5/64 AA:BB:CC:DD:EE:FF',
    ]);
  });

  it('skips link-local addresses and entries without addresses', () => {
    const r = parseAgentInterfaces({
      result: [
        {
          name: 'ens18',
          'ip-addresses': [{ 'ip-address': 'fe80::1', 'ip-address-type': 'ipv6', prefix: 64 }],
        },
        { name: 'ens19' },
        {
          name: 'ens20',
          'ip-addresses': [{ 'ip-address': '10.0.0.7', 'ip-address-type': 'ipv4', prefix: 24 }],
        },
      ],
    });
    expect(r).toEqual({
      ok: true,
      value: [{ interface: 'ens20', address: '10.0.0.7', prefix: 24, family: 'inet', mac: undefined }],
    });
  });

  it('fails clearly on a reply without result, never throws on any input', () => {
    expect(parseAgentInterfaces({ error: 'x' })).toMatchObject({ ok: false, error: { kind: 'parse' } });
    fc.assert(fc.property(fc.anything(), (v) => typeof parseAgentInterfaces(v).ok === 'boolean'));
    fc.assert(fc.property(fc.anything(), (v) => typeof parseLxcInterfaces(v).ok === 'boolean'));
    fc.assert(fc.property(fc.anything(), (v) => typeof parseRrdData(v).ok === 'boolean'));
  });
});

describe('parseLxcInterfaces', () => {
  it('splits inet and inet6 lists and drops loopback', () => {
    const r = parseLxcInterfaces([
      { name: 'lo', inet: '127.0.0.1/8', inet6: '::1/128', hwaddr: '00:00:00:00:00:00' },
      {
        name: 'eth0',
        inet: '192.168.1.20/24',
        inet6: 'fd00::20/64 fe80::be24:11ff:fe00:1/64',
        hwaddr: 'bc:24:11:00:00:01',
      },
    ]);
    expect(r.ok && r.value.map((i) => `${i.interface} ${i.family} ${i.address}/${i.prefix}`)).toEqual([
      'eth0 inet 192.168.1.20/24',
      'eth0 inet6 fd00::20/64',
    ]);
  });
});

describe('parseRrdData', () => {
  it('keeps every series of the recorded PVE 9 node history, oldest first', () => {
    const r = parseRrdData(fixture('pve9-node-rrddata.json'));
    expect(r.ok && r.value.length).toBe(12);
    expect(r.ok && Object.keys(r.value[0]!)).toEqual(expect.arrayContaining(['time', 'cpu', 'memused']));
    expect(r.ok && r.value.every((p, i, a) => i === 0 || p.time > a[i - 1]!.time)).toBe(true);
  });

  it('drops rows without time and non-numeric values', () => {
    expect(parseRrdData([{ cpu: 1 }, { time: 5, cpu: 'x', mem: '7' }])).toEqual({
      ok: true,
      value: [{ time: 5, mem: 7 }],
    });
  });
});
