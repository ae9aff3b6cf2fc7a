import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MemorySnapshot } from '../../sources/memory/index.js';
import { parseArcstats, parseMeminfo } from '../../sources/memory/parse.js';
import { SnapshotCache } from '../../snapshots.js';
import { Sampler } from '../samples.js';
import type { ThresholdOverrides } from '../thresholds.js';
import { memoryUsagePercent, swapUsagePercent } from '../measures.js';
import { checkMemory } from './memory.js';
import {
  consistent,
  hostInputs,
  NOW,
  rowsOf,
  run,
  samplerWith,
  srcFile,
} from './fixtures/host-category-inputs.js';

function ok<T>(r: { ok: true; value: T } | { ok: false; error: { message: string } }): T {
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}
const memFile = (file: string) => srcFile(`sources/memory/fixtures/${file}`);

/** The constructed 64 GiB PVE 8 host: MemAvailable 17 %, a 6 GiB ARC (c_min 1.96 GiB), 512 MiB swapped. */
function pveZfsHost(
  meminfo = memFile('proc-meminfo-pve-zfs-host-hugepages-constructed.txt'),
): MemorySnapshot {
  return {
    ...ok(parseMeminfo(meminfo)),
    arc: ok(parseArcstats(memFile('proc-spl-kstat-zfs-arcstats-pve-small-constructed.txt'))),
  };
}

/** The sampler after 5 minutes of this memory state, fed through the reader the cycle uses. */
function fedInputs(memory: MemorySnapshot, thresholds?: ThresholdOverrides) {
  const cache = new SnapshotCache(() => NOW);
  cache.register('memory', 60_000);
  cache.recordSuccess('memory', memory, 0.01);
  const sampler = new Sampler();
  for (let t = NOW - 300_000; t <= NOW; t += 5000) sampler.add('memory_usage', t, memoryUsagePercent(cache));
  return hostInputs({ fresh: { memory }, samples: sampler, thresholds });
}

describe('checkMemory from recorded inputs', () => {
  it('counts the ARC above c_min as free: 76.4 % in use instead of the kernel-view 82.8 %', () => {
    const e = checkMemory(fedInputs(pveZfsHost()));
    expect(rowsOf(e)).toEqual({ memory_usage: 'OK', swap_usage: 'OK' });
    expect(e.rows[0]).toMatchObject({
      value: 76.4,
      reason:
        'RAM in use (4.0 GiB of reclaimable ZFS ARC counted as free) 76.4%; below 85% (warning) over 300 s',
    });
    const withoutArc = checkMemory(fedInputs({ ...pveZfsHost(), arc: undefined }));
    expect(withoutArc.rows[0]!.value).toBe(82.8);
    // Between the two figures: only the ARC-aware one keeps the host OK.
    expect(checkMemory(fedInputs(pveZfsHost(), { memory: { usage_warning: 80 } })).findings).toEqual([]);
    expect(
      checkMemory(fedInputs({ ...pveZfsHost(), arc: undefined }, { memory: { usage_warning: 80 } })).findings,
    ).toHaveLength(1);
  });

  it('usage_warning and usage_critical decide the RAM level', () => {
    const warn = checkMemory(fedInputs(pveZfsHost(), { memory: { usage_warning: 76, usage_critical: 77 } }));
    expect(warn.findings).toEqual([
      expect.objectContaining({ errorKey: 'memory_usage', category: 'memory', severity: 'WARNING' }),
    ]);
    expect(warn.findings[0]!.details).toMatchObject({ arcReclaimableBytes: 4_337_679_040, warning: 76 });
    const crit = checkMemory(fedInputs(pveZfsHost(), { memory: { usage_warning: 70, usage_critical: 76 } }));
    expect(crit.findings.map((f) => [f.errorKey, f.severity])).toEqual([['memory_usage', 'CRITICAL']]);
    expect(consistent(crit)).toBe(true);
  });

  it('swap_warning and swap_critical judge swap in use as a share of RAM (512 MiB of 62.7 GiB = 0.8 %)', () => {
    expect(checkMemory(fedInputs(pveZfsHost())).rows[1]).toMatchObject({ status: 'OK', value: 0.8 });
    const warn = checkMemory(fedInputs(pveZfsHost(), { memory: { swap_warning: 0.5, swap_critical: 1 } }));
    expect(warn.findings.map((f) => [f.errorKey, f.severity])).toEqual([['swap_usage', 'WARNING']]);
    expect(warn.rows[1]!.reason).toBe('0.5 GiB of swap in use, 0.8% of RAM (warning at 0.5%)');
    const crit = checkMemory(fedInputs(pveZfsHost(), { memory: { swap_warning: 0.5, swap_critical: 0.7 } }));
    expect(crit.findings.map((f) => [f.errorKey, f.severity])).toEqual([['swap_usage', 'CRITICAL']]);
  });

  it('with default thresholds: 16 GiB swapped (25 % of RAM) warns, 40 GiB (62 %) is critical', () => {
    // Constructed from the recorded layout: only SwapTotal/SwapFree changed.
    const swapped = (totalKb: number, freeKb: number) =>
      pveZfsHost(
        memFile('proc-meminfo-pve-zfs-host-hugepages-constructed.txt')
          .replace(/^SwapTotal:.*$/m, `SwapTotal: ${totalKb} kB`)
          .replace(/^SwapFree:.*$/m, `SwapFree: ${freeKb} kB`),
      );
    const gib = 1024 * 1024;
    expect(checkMemory(fedInputs(swapped(48 * gib, 32 * gib))).rows[1]!.status).toBe('WARNING');
    expect(checkMemory(fedInputs(swapped(48 * gib, 8 * gib))).rows[1]!.status).toBe('CRITICAL');
  });

  it('a host without swap and a kernel without MemAvailable', () => {
    const vm = ok(parseMeminfo(memFile('proc-meminfo-debian12-vm.txt')));
    expect(checkMemory(fedInputs(vm)).rows[1]).toMatchObject({ status: 'OK', reason: 'no swap configured' });
    const old = ok(parseMeminfo(memFile('proc-meminfo-kernel3.10-no-memavailable-constructed.txt')));
    expect(rowsOf(checkMemory(fedInputs(old)))).toMatchObject({ memory_usage: 'UNKNOWN' });
  });
});

describe('checkMemory hysteresis', () => {
  const level = (series: number[], thresholds?: ThresholdOverrides) =>
    checkMemory(
      hostInputs({
        fresh: { memory: pveZfsHost() },
        samples: samplerWith({ memory_usage: series }),
        thresholds,
      }),
    ).rows[0]!.status;

  it('WARNING at 88 % and CRITICAL at 96 % sustained; a short peak is not', () => {
    expect(level(run(88, 300))).toBe('WARNING');
    expect(level(run(96, 300))).toBe('CRITICAL');
    expect(level([...run(60, 240), ...run(96, 60)])).toBe('OK');
  });

  it('sustained_seconds and usage_recovery are read', () => {
    const minute = [...run(60, 240), ...run(96, 60)];
    expect(level(minute, { memory: { sustained_seconds: 60 } })).toBe('CRITICAL');
    const easing = [...run(90, 300), ...run(82, 120)];
    expect(level(easing)).toBe('WARNING');
    expect(level(easing, { memory: { usage_recovery: 83 } })).toBe('OK');
  });
});

describe('checkMemory without inputs', () => {
  it('is UNKNOWN when the memory source has no fresh value', () => {
    expect(checkMemory(hostInputs({ missing: ['memory'] }))).toMatchObject({
      category: 'memory',
      unknown: 'memory source has no fresh value',
      findings: [],
    });
  });

  it('readers never throw and stay within 0-100 % of RAM for any meminfo/ARC figures', () => {
    const bytes = fc.integer({ min: 0, max: 2 ** 40 });
    fc.assert(
      fc.property(bytes, bytes, bytes, bytes, fc.option(bytes), (total, avail, size, cmin, swap) => {
        const memory: MemorySnapshot = {
          fields: {},
          totalBytes: total,
          availableBytes: Math.min(avail, total),
          swapTotalBytes: swap ?? undefined,
          swapUsedBytes: swap ?? undefined,
          arc: { fields: {}, sizeBytes: size, minBytes: cmin },
        };
        const cache = new SnapshotCache(() => NOW);
        cache.register('memory', 1000);
        cache.recordSuccess('memory', memory, 0);
        const used = memoryUsagePercent(cache);
        if (total === 0) expect(used).toBeUndefined();
        else expect(used).toBeGreaterThanOrEqual(0);
        if (used !== undefined) expect(used).toBeLessThanOrEqual(100);
        if (swap !== null && total > 0) expect(swapUsagePercent(cache)).toBeGreaterThanOrEqual(0);
        expect(consistent(checkMemory(hostInputs({ fresh: { memory } })))).toBe(true);
      }),
    );
  });
});
