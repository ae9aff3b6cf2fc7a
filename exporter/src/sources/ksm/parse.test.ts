import { existsSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KSM_FILES, parseKsm, parsePageSize, type KsmFile } from './parse.js';

/** The KSM files of a fixture tree, as the source hands them over (missing files left out). */
function files(root: string): Partial<Record<KsmFile, string>> {
  const out: Partial<Record<KsmFile, string>> = {};
  for (const f of KSM_FILES) {
    const url = new URL(`./fixtures/${root}/sys/kernel/mm/ksm/${f}`, import.meta.url);
    if (existsSync(url)) out[f] = readFileSync(url, 'utf8');
  }
  return out;
}

describe('parseKsm', () => {
  it('reads a VM with KSM stopped (recorded, Linux 6.18)', () => {
    expect(parseKsm(files('root-debian12-vm-off'), 4096)).toEqual({
      ok: true,
      value: {
        run: 0,
        running: false,
        pagesShared: 0,
        pagesSharing: 0,
        pagesUnshared: 0,
        pagesVolatile: 0,
        fullScans: 0,
        profitBytes: 0,
        zeroPages: 0,
        pageSizeBytes: 4096,
        sharingBytes: 0,
      },
    });
  });

  it('reads a merging PVE 8.0 host without general_profit (constructed, Linux 6.2)', () => {
    expect(parseKsm(files('root-pve8.0-kernel6.2-running-constructed'), 4096)).toEqual({
      ok: true,
      value: {
        run: 1,
        running: true,
        pagesShared: 98304,
        pagesSharing: 1048576,
        pagesUnshared: 412345,
        pagesVolatile: 12345,
        fullScans: 57,
        profitBytes: undefined,
        zeroPages: undefined,
        pageSizeBytes: 4096,
        sharingBytes: 4294967296,
      },
    });
  });

  it('reads profit and zero pages on a PVE 8 host (constructed, Linux 6.8)', () => {
    const result = parseKsm(files('root-pve8-kernel6.8-running-constructed'), 4096);
    expect(result).toMatchObject({
      ok: true,
      value: {
        running: true,
        pagesSharing: 1923456,
        profitBytes: 7595243136,
        zeroPages: 1024,
        sharingBytes: 7878475776,
      },
    });
  });

  it('keeps a negative profit, which the kernel prints signed (constructed)', () => {
    const result = parseKsm(files('root-kernel6.8-negative-profit-constructed'));
    expect(result).toMatchObject({ ok: true, value: { profitBytes: -6130944, pagesUnshared: 98304 } });
  });

  it('leaves bytes unknown without a page size, and garbled files unknown', () => {
    const result = parseKsm({ run: '2\n', pages_sharing: '12\n', full_scans: 'x', pages_shared: '-3' });
    expect(result).toEqual({
      ok: true,
      value: {
        run: 2,
        running: false,
        pagesShared: undefined,
        pagesSharing: 12,
        pagesUnshared: undefined,
        pagesVolatile: undefined,
        fullScans: undefined,
        profitBytes: undefined,
        zeroPages: undefined,
        pageSizeBytes: undefined,
        sharingBytes: undefined,
      },
    });
  });

  it('fails clearly without a readable run file', () => {
    expect(parseKsm({ pages_sharing: '1' })).toEqual({
      ok: false,
      error: { kind: 'parse', message: 'ksm/run: expected a number, got undefined' },
    });
    expect(parseKsm({ run: 'on' })).toMatchObject({ ok: false, error: { kind: 'parse' } });
  });

  it('never throws on random input, and the counts it keeps are finite and non-negative', () => {
    const content = fc.oneof(
      fc.nat().map((n) => `${n}\n`),
      fc.integer().map(String),
      fc.string({ unit: 'binary-ascii' }),
    );
    const input = fc.dictionary(fc.constantFrom(...KSM_FILES), content);
    const pageSize = fc.option(fc.constantFrom(4096, 16384, 65536), { nil: undefined });
    fc.assert(
      fc.property(input, pageSize, (f, size) => {
        const result = parseKsm(f, size);
        if (!result.ok) {
          expect(result.error.kind).toBe('parse');
          return;
        }
        const { profitBytes, running: _r, ...counts } = result.value;
        for (const v of Object.values(counts)) if (v !== undefined) expect(v).toBeGreaterThanOrEqual(0);
        if (profitBytes !== undefined) expect(Number.isFinite(profitBytes)).toBe(true);
      }),
    );
  });
});

describe('parsePageSize', () => {
  it('reads getconf PAGESIZE output', () => {
    expect(parsePageSize('4096\n')).toEqual({ ok: true, value: 4096 });
    expect(parsePageSize('65536')).toEqual({ ok: true, value: 65536 });
  });

  it('refuses anything that is not a plausible page size', () => {
    for (const out of ['', 'undefined\n', '4095', '0', '256', '-4096', '4096 4096']) {
      expect(parsePageSize(out)).toMatchObject({ ok: false, error: { kind: 'parse' } });
    }
  });

  it('never throws on random input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary-ascii' }), fc.nat().map(String)), (out) => {
        const result = parsePageSize(out);
        if (result.ok) expect(Number.isInteger(Math.log2(result.value))).toBe(true);
        else expect(result.error.kind).toBe('parse');
      }),
    );
  });
});
