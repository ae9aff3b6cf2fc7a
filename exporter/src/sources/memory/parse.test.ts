import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseArcstats, parseMeminfo } from './parse.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('parseMeminfo', () => {
  it('reads a Debian 12 VM without swap (recorded)', () => {
    const result = parseMeminfo(fixture('proc-meminfo-debian12-vm.txt'));
    if (!result.ok) throw new Error(result.error.message);
    const { fields, ...derived } = result.value;
    expect(derived).toEqual({
      totalBytes: 25276026880,
      availableBytes: 24918241280,
      usedBytes: 357785600,
      freeBytes: 24924880896,
      buffersBytes: 5541888,
      cachedBytes: 188911616,
      sharedBytes: 9166848,
      dirtyBytes: 258048,
      swapTotalBytes: 0,
      swapUsedBytes: 0,
      hugepagesBytes: 0,
      hugepagesFreeBytes: 0,
    });
    expect(Object.keys(fields)).toHaveLength(53);
    expect(fields['Active(anon)']).toBe(1536 * 1024);
    expect(fields.VmallocTotal).toBe(34359738367 * 1024);
    expect(fields.HugePages_Total).toBe(0);
  });

  it('leaves available and used unknown on a kernel without MemAvailable (constructed)', () => {
    const result = parseMeminfo(fixture('proc-meminfo-kernel3.10-no-memavailable-constructed.txt'));
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value).toMatchObject({
      totalBytes: 8254877696,
      freeBytes: 1887457280,
      cachedBytes: 4219338752,
      swapTotalBytes: 2147479552,
      swapUsedBytes: 67108864,
    });
    expect(result.value.availableBytes).toBeUndefined();
    expect(result.value.usedBytes).toBeUndefined();
  });

  it('reads swap in use and reserved huge pages on a PVE ZFS host (constructed)', () => {
    const result = parseMeminfo(fixture('proc-meminfo-pve-zfs-host-hugepages-constructed.txt'));
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value).toMatchObject({
      totalBytes: 67352707072,
      availableBytes: 11555565568,
      usedBytes: 55797141504,
      swapUsedBytes: 536870912,
      hugepagesBytes: 8589934592,
      hugepagesFreeBytes: 2147483648,
    });
    expect(result.value.fields.HugePages_Total).toBe(4096);
    expect(result.value.fields.Hugetlb).toBe(8589934592);
  });

  it('fails clearly without MemTotal', () => {
    expect(parseMeminfo('MemFree: 1 kB\n')).toEqual({
      ok: false,
      error: { kind: 'parse', message: '/proc/meminfo: no MemTotal line' },
    });
  });

  it('keeps a field called __proto__ as data', () => {
    const result = parseMeminfo('MemTotal: 4 kB\n__proto__: 2 kB\n');
    expect(result.ok && result.value.fields['__proto__']).toBe(2048);
  });

  it('never throws on random input, and every field it keeps is a finite count', () => {
    const line = fc
      .tuple(
        fc.oneof(
          fc.constantFrom('MemTotal', 'MemAvailable', 'SwapFree', 'Hugepagesize'),
          fc.string({ maxLength: 6 }),
        ),
        fc.oneof(fc.nat().map(String), fc.string({ maxLength: 6 })),
        fc.constantFrom(' kB', '', ' MB'),
      )
      .map(([k, v, unit]) => `${k}: ${v}${unit}`);
    const text = fc.oneof(
      fc.string({ unit: 'binary-ascii' }),
      fc.array(line, { maxLength: 12 }).map((l) => l.join('\n')),
    );
    fc.assert(
      fc.property(text, (input) => {
        const result = parseMeminfo(input);
        if (!result.ok) {
          expect(result.error.kind).toBe('parse');
          return;
        }
        for (const v of Object.values(result.value.fields)) expect(Number.isFinite(v) && v >= 0).toBe(true);
      }),
    );
  });
});

describe('parseArcstats', () => {
  it('reads a recent OpenZFS arcstats (real, from telegraf testdata)', () => {
    const result = parseArcstats(fixture('proc-spl-kstat-zfs-arcstats-openzfs-telegraf.txt'));
    if (!result.ok) throw new Error(result.error.message);
    const { fields, ...sizes } = result.value;
    expect(sizes).toEqual({
      sizeBytes: 14960038920,
      targetBytes: 15590628496,
      minBytes: 1047890560,
      maxBytes: 32458756096,
    });
    // The header announces 147 rows.
    expect(Object.keys(fields)).toHaveLength(147);
    expect(fields.hits).toBe(33266704081);
  });

  it('reads a small PVE arcstats with a signed row (constructed)', () => {
    const result = parseArcstats(fixture('proc-spl-kstat-zfs-arcstats-pve-small-constructed.txt'));
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value).toMatchObject({
      sizeBytes: 6442450944,
      targetBytes: 6577412096,
      minBytes: 2104771904,
      maxBytes: 6577412096,
    });
    expect(Object.keys(result.value.fields)).toHaveLength(8);
  });

  it('fails clearly on a file without rows', () => {
    expect(parseArcstats('9 1 0x01 0 0 1 2\nname type data\n')).toEqual({
      ok: false,
      error: { kind: 'parse', message: 'arcstats: no `name type data` rows' },
    });
  });

  it('never throws on random input', () => {
    const row = fc
      .tuple(
        fc.constantFrom('size', 'c', 'c_max', 'name', '22'),
        fc.nat(9).map(String),
        fc.oneof(fc.integer().map(String), fc.string()),
      )
      .map((r) => r.join(' '));
    const text = fc.oneof(
      fc.string({ unit: 'binary-ascii' }),
      fc.array(row, { maxLength: 8 }).map((r) => r.join('\n')),
    );
    fc.assert(
      fc.property(text, (input) => {
        const result = parseArcstats(input);
        if (!result.ok) expect(result.error.kind).toBe('parse');
        else for (const v of Object.values(result.value.fields)) expect(Number.isFinite(v)).toBe(true);
      }),
    );
  });
});
