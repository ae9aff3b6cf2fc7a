import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readText } from '../read.js';
import { fail, type SourceContext } from '../source.js';
import { fixtureRoots, sourceContext } from '../../test-support/source-context.js';
import { createConntrackSource } from './index.js';
import { parseConntrackStat, parseSysctlCount } from './parse.js';

const fixture = (path: string) => fileURLToPath(new URL(`./fixtures/${path}`, import.meta.url));
const text = (path: string) => readFileSync(fixture(path), 'utf8');

const hostContext = (host: string): SourceContext =>
  sourceContext({
    paths: fixtureRoots(import.meta.url, host),
    exec: () => Promise.reject(new Error('conntrack must not run tools')),
  });

describe('parseSysctlCount', () => {
  it('reads the recorded nf_conntrack_count and nf_conntrack_max', () => {
    const dir = 'host-debian12-vm/proc/sys/net/netfilter';
    expect(parseSysctlCount(text(`${dir}/nf_conntrack_count`), 'count')).toEqual({ ok: true, value: 0 });
    expect(parseSysctlCount(text(`${dir}/nf_conntrack_max`), 'max')).toEqual({ ok: true, value: 262144 });
  });

  it('fails clearly on anything but a count, and never throws', () => {
    expect(parseSysctlCount('-1\n', 'max')).toEqual({
      ok: false,
      error: { kind: 'parse', message: 'max: "-1" is not a count' },
    });
    fc.assert(
      fc.property(fc.string(), (s) => {
        const r = parseSysctlCount(s, 'x');
        if (r.ok) expect(Number.isInteger(r.value) && r.value >= 0).toBe(true);
        else expect(r.error.kind).toBe('parse');
      }),
    );
  });
});

describe('parseConntrackStat', () => {
  it('sums the recorded per-CPU rows (kernel 6.18 columns, 2 CPUs), leaving out entries', () => {
    expect(parseConntrackStat(text('host-debian12-vm/proc/net/stat/nf_conntrack'))).toEqual({
      ok: true,
      value: {
        clashres: 0,
        found: 0,
        new: 0,
        invalid: 0,
        ignore: 0,
        delete: 0,
        chainlength: 0,
        insert: 0,
        insert_failed: 0,
        drop: 0,
        early_drop: 0,
        icmp_error: 0,
        expect_new: 0,
        expect_create: 0,
        expect_delete: 0,
        search_restart: 0,
      },
    });
  });

  it('maps the older column layout of a full table on 4 CPUs (constructed)', () => {
    const r = parseConntrackStat(text('host-pve-full-constructed/proc/net/stat/nf_conntrack'));
    expect(r.ok && r.value).toMatchObject({
      searched: 0,
      found: 432427,
      invalid: 3929,
      insert: 4930571,
      insert_failed: 18,
      drop: 10274,
      early_drop: 247,
      search_restart: 66,
    });
    expect(r.ok && 'entries' in r.value).toBe(false);
  });

  it('fails on a short or non-hex row and on an empty file', () => {
    expect(parseConntrackStat('entries found drop\n00000001 00000002\n')).toMatchObject({
      ok: false,
      error: { kind: 'parse', message: expect.stringContaining('row 1 has 2 values for 3 columns') },
    });
    expect(parseConntrackStat('entries found\n1 zz\n')).toMatchObject({ ok: false });
    expect(parseConntrackStat('')).toMatchObject({ ok: false, error: { kind: 'parse' } });
    expect(parseConntrackStat('entries constructor\n00000001 00000002\n')).toEqual({
      ok: true,
      value: { constructor: 2 },
    });
  });

  it('never throws on random input; sums are finite and non-negative', () => {
    const hex = fc.nat().map((n) => n.toString(16).padStart(8, '0'));
    const row = fc.array(fc.oneof(hex, fc.string()), { maxLength: 5 }).map((cells) => cells.join(' '));
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.constant('entries found drop')), fc.array(row), (header, rows) => {
        const r = parseConntrackStat([header, ...rows].join('\n'));
        if (!r.ok) expect(r.error.kind).toBe('parse');
        else for (const v of Object.values(r.value)) expect(Number.isFinite(v) && v >= 0).toBe(true);
      }),
    );
  });
});

describe('conntrack source collect()', () => {
  it('reads the recorded tree', async () => {
    const source = createConntrackSource();
    expect([source.name, source.intervalSeconds, source.timeoutSeconds]).toEqual(['conntrack', 15, 3]);
    const r = await source.collect(hostContext('host-debian12-vm'));
    expect(r).toMatchObject({ ok: true, value: { entries: 0, limit: 262144, stats: { drop: 0 } } });
  });

  it('reads the constructed full table', async () => {
    const r = await createConntrackSource().collect(hostContext('host-pve-full-constructed'));
    expect(r).toMatchObject({
      ok: true,
      value: { entries: 262144, limit: 262144, stats: { drop: 10274, early_drop: 247 } },
    });
  });

  it('keeps entries and limit when the per-CPU stat file is missing', async () => {
    const ctx = hostContext('host-debian12-vm');
    const noStat: SourceContext = {
      ...ctx,
      readText: async (p) => (p.endsWith('stat/nf_conntrack') ? fail('absent', 'gone') : readText(p)),
    };
    expect(await createConntrackSource().collect(noStat)).toEqual({
      ok: true,
      value: { entries: 0, limit: 262144, stats: {} },
    });
  });

  it('fails on a garbled count', async () => {
    const ctx = hostContext('host-debian12-vm');
    const garbled: SourceContext = {
      ...ctx,
      readText: async (p) => (p.endsWith('nf_conntrack_count') ? { ok: true, value: 'many\n' } : readText(p)),
    };
    expect(await createConntrackSource().collect(garbled)).toMatchObject({
      ok: false,
      error: { kind: 'parse', message: expect.stringContaining('nf_conntrack_count') },
    });
  });

  it('is absent when nf_conntrack is not loaded', async () => {
    expect(await createConntrackSource().collect(hostContext('does-not-exist'))).toMatchObject({
      ok: false,
      error: { kind: 'absent' },
    });
  });
});
