import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readText } from '../read.js';
import type { SourceContext } from '../source.js';
import { fixtureRoots, sourceContext } from '../../test-support/source-context.js';
import { createNetstatSource } from './index.js';
import { parseProcNetSnmp, parseProcNetSnmp6, type NetstatTable } from './parse.js';

const fixture = (path: string) => fileURLToPath(new URL(`./fixtures/${path}`, import.meta.url));
const text = (path: string) => readFileSync(fixture(path), 'utf8');

const hostContext = (host: string): SourceContext =>
  sourceContext({
    paths: fixtureRoots(import.meta.url, host),
    exec: () => Promise.reject(new Error('netstat must not run tools')),
  });

function table(result: ReturnType<typeof parseProcNetSnmp>): NetstatTable {
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

describe('parseProcNetSnmp', () => {
  it('reads the recorded /proc/net/snmp (kernel 6.18), negative MaxConn included', () => {
    const t = table(parseProcNetSnmp(text('host-debian12-vm/proc/net/snmp'), '/proc/net/snmp'));
    expect(Object.keys(t)).toEqual(['Ip', 'Icmp', 'IcmpMsg', 'Tcp', 'Udp', 'UdpLite']);
    expect(t.Tcp).toEqual({
      RtoAlgorithm: 1,
      RtoMin: 200,
      RtoMax: 120000,
      MaxConn: -1,
      ActiveOpens: 552,
      PassiveOpens: 399,
      AttemptFails: 97,
      EstabResets: 60,
      CurrEstab: 0,
      InSegs: 42383,
      OutSegs: 39527,
      RetransSegs: 7,
      InErrs: 0,
      OutRsts: 247,
      InCsumErrors: 0,
    });
    expect(t.Ip).toMatchObject({ Forwarding: 2, InReceives: 42698, OutRequests: 39825, OutTransmits: 39825 });
    expect(t.Udp).toMatchObject({ InDatagrams: 34, OutDatagrams: 35, MemErrors: 0 });
    expect(t.IcmpMsg).toEqual({ InType0: 141, InType3: 1, InType8: 141, OutType0: 141, OutType8: 141 });
  });

  it('reads the recorded /proc/net/netstat: 135 TcpExt fields, IpExt octets, MPTcpExt', () => {
    const t = table(parseProcNetSnmp(text('host-debian12-vm/proc/net/netstat'), '/proc/net/netstat'));
    expect(Object.keys(t)).toEqual(['TcpExt', 'IpExt', 'MPTcpExt']);
    expect(Object.keys(t.TcpExt ?? {})).toHaveLength(135);
    expect(t.TcpExt).toMatchObject({
      ListenOverflows: 0,
      TCPTimeouts: 2,
      TCPSynRetrans: 0,
      TCPOFOQueue: 7,
      TCPRcvQDrop: 0,
      TCPAODroppedIcmps: 0,
    });
    expect(t.IpExt).toMatchObject({ InOctets: 258218926, OutOctets: 73886113 });
  });

  it('reads an older kernel with fewer columns (constructed)', () => {
    const t = table(
      parseProcNetSnmp(text('host-pve-kernel4-constructed/proc/net/netstat'), '/proc/net/netstat'),
    );
    expect(Object.keys(t.TcpExt ?? {})).toHaveLength(115);
    expect(t.TcpExt).toMatchObject({ ListenOverflows: 15023, ListenDrops: 15031, SyncookiesFailed: 334 });
    expect(t.TcpExt?.TCPRcvQDrop).toBeUndefined();
    expect(t.IpExt).toMatchObject({ InOctets: 1182003344120, OutOctets: 998120334411 });
  });

  it('fails naming the protocol when names and values disagree in count', () => {
    const r = parseProcNetSnmp(text('proc-net-netstat-truncated-values.txt'), '/proc/net/netstat');
    expect(r).toEqual({
      ok: false,
      error: { kind: 'parse', message: '/proc/net/netstat: TcpExt: 135 field names but 134 values' },
    });
  });

  it('fails clearly on a missing value line, a protocol mismatch or a non-integer value', () => {
    const cases: [string, RegExp][] = [
      ['Tcp: A B\n', /Tcp: field names without a matching value line/],
      ['Tcp: A B\nUdp: 1 2\n', /Tcp: field names without a matching value line/],
      ['Tcp: A B\nTcp: 1 x\n', /Tcp B: "x" is not an integer/],
      ['Tcp: A B\nTcp: 1 1e9\n', /not an integer/],
      ['garbage line\n', /expected "Proto: names..."/],
      ['__proto__: a\n__proto__: 1\n', /expected "Proto: names..."/],
    ];
    for (const [input, message] of cases) {
      const r = parseProcNetSnmp(input, '/proc/net/snmp');
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.message).toMatch(message);
    }
    expect(parseProcNetSnmp('', '/proc/net/snmp')).toEqual({ ok: true, value: {} });
  });

  it('never throws on random input; any value it returns is a finite integer', () => {
    const recorded = text('host-debian12-vm/proc/net/snmp').split('\n');
    const line = fc.oneof(
      fc.string(),
      fc.constantFrom(...recorded),
      fc
        .tuple(fc.constantFrom('Tcp', 'Udp', 'X'), fc.array(fc.oneof(fc.integer(), fc.string())))
        .map(([p, cells]) => `${p}: ${cells.join(' ')}`),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 8 }), (lines) => {
        const r = parseProcNetSnmp(lines.join('\n'), '/proc/net/snmp');
        if (!r.ok) expect(r.error.kind).toBe('parse');
        else
          for (const fields of Object.values(r.value))
            for (const v of Object.values(fields)) expect(Number.isInteger(v)).toBe(true);
      }),
    );
  });
});

describe('parseProcNetSnmp6', () => {
  it('reads the recorded /proc/net/snmp6 into Ip6, Icmp6, Udp6 and UdpLite6', () => {
    const t = table(parseProcNetSnmp6(text('host-debian12-vm/proc/net/snmp6')));
    expect(Object.keys(t)).toEqual(['Ip6', 'Icmp6', 'Udp6', 'UdpLite6']);
    expect(t.Ip6).toMatchObject({ InReceives: 3, OutRequests: 12, InOctets: 268, OutOctets: 1020 });
    expect(t.Icmp6).toMatchObject({ InMsgs: 1, InErrors: 1, OutMsgs: 9, OutType143: 4 });
    expect(t.Udp6).toMatchObject({ InDatagrams: 0, RcvbufErrors: 0 });
    expect(t.UdpLite6).toMatchObject({ InErrors: 0 });
  });

  it('skips odd lines but fails when nothing is usable', () => {
    expect(parseProcNetSnmp6('Ip6InOctets 5\nnonsense\nIcmp6InMsgs x\nUdp6 3\n')).toEqual({
      ok: true,
      value: { Ip6: { InOctets: 5 } },
    });
    expect(parseProcNetSnmp6('')).toEqual({ ok: true, value: {} });
    expect(parseProcNetSnmp6('hello world\n')).toMatchObject({ ok: false, error: { kind: 'parse' } });
  });

  it('never throws on random input', () => {
    const line = fc.oneof(
      fc.string(),
      fc.tuple(fc.string(), fc.integer()).map(([name, v]) => `${name} ${v}`),
      fc.tuple(fc.constantFrom('Ip6', 'Udp6', '6'), fc.string()).map(([p, f]) => `${p}${f}\t1`),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 8 }), (lines) => {
        const r = parseProcNetSnmp6(lines.join('\n'));
        if (!r.ok) expect(r.error.kind).toBe('parse');
        else for (const protocol of Object.keys(r.value)) expect(protocol).toMatch(/^[A-Za-z]+6$/);
      }),
    );
  });
});

describe('netstat source collect()', () => {
  it('merges all three recorded files', async () => {
    const source = createNetstatSource();
    expect([source.name, source.intervalSeconds, source.timeoutSeconds]).toEqual(['netstat', 15, 3]);
    const r = await source.collect(hostContext('host-debian12-vm'));
    if (!r.ok) throw new Error(r.error.message);
    expect(Object.keys(r.value.protocols)).toEqual([
      'Ip',
      'Icmp',
      'IcmpMsg',
      'Tcp',
      'Udp',
      'UdpLite',
      'TcpExt',
      'IpExt',
      'MPTcpExt',
      'Ip6',
      'Icmp6',
      'Udp6',
      'UdpLite6',
    ]);
    expect(r.value.protocols.Tcp?.RetransSegs).toBe(7);
    expect(r.value.protocols.Ip6?.OutOctets).toBe(1020);
  });

  it('keeps what is there when snmp6 is missing (IPv6 disabled)', async () => {
    const r = await createNetstatSource().collect(hostContext('host-pve-kernel4-constructed'));
    if (!r.ok) throw new Error(r.error.message);
    expect(Object.keys(r.value.protocols)).toEqual([
      'Ip',
      'Icmp',
      'Tcp',
      'Udp',
      'UdpLite',
      'TcpExt',
      'IpExt',
    ]);
  });

  it('fails with the parse error of a broken file', async () => {
    const ctx = hostContext('host-debian12-vm');
    const broken: SourceContext = {
      ...ctx,
      readText: (p) =>
        p.endsWith('/net/netstat') ? readText(fixture('proc-net-netstat-truncated-values.txt')) : readText(p),
    };
    expect(await createNetstatSource().collect(broken)).toMatchObject({
      ok: false,
      error: { kind: 'parse', message: expect.stringContaining('TcpExt') },
    });
  });

  it('is absent when none of the files exist', async () => {
    expect(await createNetstatSource().collect(hostContext('does-not-exist'))).toMatchObject({
      ok: false,
      error: { kind: 'absent' },
    });
  });
});
