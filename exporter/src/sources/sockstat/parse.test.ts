import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Exec } from '../exec.js';
import { fail, ok } from '../source.js';
import { fixtureRoots, sourceContext } from '../../test-support/source-context.js';
import { createSockstatSource } from './index.js';
import { parsePageSize, parseSockstat } from './parse.js';

const fixture = (path: string) => fileURLToPath(new URL(`./fixtures/${path}`, import.meta.url));
const text = (path: string) => readFileSync(fixture(path), 'utf8');

const getconf =
  (stdout: string, calls: string[][] = []): Exec =>
  async (tool, args) => {
    calls.push([tool, ...args]);
    return ok({ stdout, stderr: '', exitCode: 0, durationMs: 1 });
  };

const hostContext = (host: string, exec: Exec = getconf('4096\n')) =>
  sourceContext({ paths: fixtureRoots(import.meta.url, host), exec });

describe('parseSockstat', () => {
  it('reads the recorded /proc/net/sockstat (Debian 12 VM, 4k pages)', () => {
    expect(parseSockstat(text('host-debian12-vm/proc/net/sockstat'), '/proc/net/sockstat', 4096)).toEqual({
      ok: true,
      value: {
        socketsUsed: 17,
        protocols: [
          { protocol: 'TCP', inUse: 3, orphan: 0, timeWait: 4, alloc: 3, memoryBytes: 54 * 4096 },
          { protocol: 'UDP', inUse: 0, memoryBytes: 0 },
          { protocol: 'UDPLITE', inUse: 0 },
          { protocol: 'RAW', inUse: 0 },
          { protocol: 'FRAG', inUse: 0, memoryBytes: 0 },
        ],
      },
    });
  });

  it('reads the recorded /proc/net/sockstat6, which has no sockets line', () => {
    expect(parseSockstat(text('host-debian12-vm/proc/net/sockstat6'), '/proc/net/sockstat6', 4096)).toEqual({
      ok: true,
      value: {
        protocols: [
          { protocol: 'TCP6', inUse: 0 },
          { protocol: 'UDP6', inUse: 0 },
          { protocol: 'UDPLITE6', inUse: 0 },
          { protocol: 'RAW6', inUse: 0 },
          { protocol: 'FRAG6', inUse: 0, memoryBytes: 0 },
        ],
      },
    });
  });

  it('scales pages by a 64k page size, keeps FRAG bytes as they are, and leaves mem unknown without one', () => {
    const busy = text('host-pve-constructed/proc/net/sockstat');
    const r = parseSockstat(busy, '/proc/net/sockstat', 65536);
    expect(r.ok && r.value.protocols[0]).toEqual({
      protocol: 'TCP',
      inUse: 212,
      orphan: 3,
      timeWait: 1840,
      alloc: 390,
      memoryBytes: 1203 * 65536,
    });
    expect(r.ok && r.value.protocols[4]).toEqual({ protocol: 'FRAG', inUse: 1, memoryBytes: 4352 });
    const unknown = parseSockstat(busy, '/proc/net/sockstat', undefined);
    expect(unknown.ok && unknown.value.protocols.slice(0, 2)).toEqual([
      { protocol: 'TCP', inUse: 212, orphan: 3, timeWait: 1840, alloc: 390 },
      { protocol: 'UDP', inUse: 31 },
    ]);
  });

  it('fails naming the protocol on unpaired or non-numeric values, and on an empty file', () => {
    const cases: [string, string][] = [
      ['TCP: inuse 1 orphan\n', '/proc/net/sockstat: TCP: keys and values do not pair up'],
      ['UDP: inuse x\n', '/proc/net/sockstat: UDP inuse: "x" is not a count'],
      ['RAW: inuse -1\n', '/proc/net/sockstat: RAW inuse: "-1" is not a count'],
      ['no colon here\n', '/proc/net/sockstat: expected "NAME: key value ...", got "no colon here"'],
      ['\n', '/proc/net/sockstat: no "NAME: key value" lines'],
    ];
    for (const [input, message] of cases) {
      expect(parseSockstat(input, '/proc/net/sockstat', 4096)).toEqual({
        ok: false,
        error: { kind: 'parse', message },
      });
    }
  });

  it('ignores unknown keys, including ones named like Object properties', () => {
    expect(parseSockstat('TCP: inuse 1 constructor 2 __proto__ 3 future 4\n', 'f', 4096)).toEqual({
      ok: true,
      value: { protocols: [{ protocol: 'TCP', inUse: 1 }] },
    });
  });

  it('never throws on random input; counts are non-negative integers', () => {
    const line = fc.oneof(
      fc.string(),
      fc
        .tuple(
          fc.constantFrom('TCP', 'UDP', 'sockets', 'FRAG', '9x'),
          fc.array(fc.oneof(fc.constantFrom('inuse', 'mem', 'memory', 'tw', 'used'), fc.nat(), fc.string())),
        )
        .map(([name, cells]) => `${name}: ${cells.join(' ')}`),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 6 }), fc.option(fc.nat()), (lines, page) => {
        const r = parseSockstat(lines.join('\n'), 'f', page ?? undefined);
        if (!r.ok) expect(r.error.kind).toBe('parse');
        else
          for (const p of r.value.protocols)
            for (const v of [p.inUse, p.orphan, p.timeWait, p.alloc, p.memoryBytes])
              if (v !== undefined) expect(Number.isInteger(v) && v >= 0).toBe(true);
      }),
    );
  });
});

describe('parsePageSize', () => {
  it('accepts powers of two from getconf and nothing else', () => {
    expect(parsePageSize('4096\n')).toBe(4096);
    expect(parsePageSize('65536')).toBe(65536);
    for (const bad of ['', '0', '4095', '-4096', 'undefined', '4096 4096', '99999999999'])
      expect(parsePageSize(bad)).toBeUndefined();
    fc.assert(fc.property(fc.string(), (s) => void parsePageSize(s)));
  });
});

describe('sockstat source collect()', () => {
  it('merges the recorded sockstat and sockstat6, asking getconf once', async () => {
    const calls: string[][] = [];
    const source = createSockstatSource();
    expect([source.name, source.intervalSeconds, source.timeoutSeconds]).toEqual(['sockstat', 15, 3]);
    const ctx = hostContext('host-debian12-vm', getconf('4096\n', calls));
    const r = await source.collect(ctx);
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.socketsUsed).toBe(17);
    expect(r.value.protocols.map((p) => p.protocol)).toEqual([
      'TCP',
      'UDP',
      'UDPLITE',
      'RAW',
      'FRAG',
      'TCP6',
      'UDP6',
      'UDPLITE6',
      'RAW6',
      'FRAG6',
    ]);
    expect(r.value.protocols[0]?.memoryBytes).toBe(54 * 4096);
    await source.collect(ctx);
    expect(calls).toEqual([['getconf', 'PAGESIZE']]);
  });

  it('uses a configured page size without running getconf, and reads without sockstat6', async () => {
    const exec: Exec = () => Promise.reject(new Error('getconf must not run'));
    const r = await createSockstatSource({ pageSizeBytes: 16384 }).collect(
      hostContext('host-pve-constructed', exec),
    );
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.protocols.map((p) => [p.protocol, p.memoryBytes])).toEqual([
      ['TCP', 1203 * 16384],
      ['UDP', 48 * 16384],
      ['UDPLITE', undefined],
      ['RAW', undefined],
      ['FRAG', 4352],
    ]);
  });

  it('leaves memory unknown and stops asking when getconf is missing', async () => {
    let calls = 0;
    const exec: Exec = async () => (calls++, fail('absent', 'getconf: not installed'));
    const source = createSockstatSource();
    const ctx = hostContext('host-debian12-vm', exec);
    const r = await source.collect(ctx);
    expect(r.ok && r.value.protocols[0]).toEqual({
      protocol: 'TCP',
      inUse: 3,
      orphan: 0,
      timeWait: 4,
      alloc: 3,
    });
    await source.collect(ctx);
    expect(calls).toBe(1);
  });

  it('asks again after a getconf timeout', async () => {
    let calls = 0;
    const exec: Exec = async () => (calls++, fail('timeout', 'getconf: timed out'));
    const source = createSockstatSource();
    await source.collect(hostContext('host-debian12-vm', exec));
    await source.collect(hostContext('host-debian12-vm', exec));
    expect(calls).toBe(2);
  });

  it('is absent without either file', async () => {
    expect(await createSockstatSource().collect(hostContext('does-not-exist'))).toMatchObject({
      ok: false,
      error: { kind: 'absent' },
    });
  });
});
