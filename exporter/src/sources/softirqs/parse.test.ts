import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSoftirqs } from './parse.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

function totals(name: string): { cpuCount: number; totals: Record<string, number> } {
  const result = parseSoftirqs(fixture(name));
  if (!result.ok) throw new Error(result.error.message);
  return {
    cpuCount: result.value.cpuCount,
    totals: Object.fromEntries(result.value.totals.map((t) => [t.type, t.count])),
  };
}

describe('parseSoftirqs', () => {
  it('reads a 2-CPU Debian 12 VM (recorded, Linux 6.18)', () => {
    const result = parseSoftirqs(fixture('proc-softirqs-debian12-vm-2cpu.txt'));
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value.cpuCount).toBe(2);
    expect(result.value.totals.map((t) => t.type)).toEqual([
      'HI',
      'TIMER',
      'NET_TX',
      'NET_RX',
      'BLOCK',
      'IRQ_POLL',
      'TASKLET',
      'SCHED',
      'HRTIMER',
      'RCU',
    ]);
    expect(totals('proc-softirqs-debian12-vm-2cpu.txt').totals).toMatchObject({
      TIMER: 173502 + 158223,
      HI: 0,
    });
  });

  it('sums 96 CPUs whose 10-digit columns touch (constructed)', () => {
    expect(totals('proc-softirqs-pve-host-96cpu-constructed.txt')).toEqual({
      cpuCount: 96,
      totals: {
        HI: 1843,
        TIMER: 5527124276,
        NET_TX: 38883147,
        NET_RX: 234977569865,
        BLOCK: 441520632,
        IRQ_POLL: 0,
        TASKLET: 36507659,
        SCHED: 12342853456,
        HRTIMER: 249385,
        RCU: 18542717221,
      },
    });
  });

  it('keeps the pre-4.5 BLOCK_IOPOLL name as printed (constructed, Linux 3.10)', () => {
    expect(totals('proc-softirqs-kernel3.10-block-iopoll-constructed.txt')).toEqual({
      cpuCount: 4,
      totals: {
        HI: 0,
        TIMER: 3325703,
        NET_TX: 20601,
        NET_RX: 91357996,
        BLOCK: 164300,
        BLOCK_IOPOLL: 0,
        TASKLET: 15428,
        SCHED: 5825927,
        HRTIMER: 62,
        RCU: 8229937,
      },
    });
  });

  it('copes with tabs and uneven spacing, and skips rows that do not match the header (constructed)', () => {
    expect(totals('proc-softirqs-ragged-whitespace-constructed.txt')).toEqual({
      cpuCount: 8,
      // NET_RX has 5 counts for 8 CPUs and SCHED has 9: both skipped rather than mis-summed.
      totals: { HI: 3, TIMER: 3600, NET_TX: 24, BLOCK: 360 },
    });
  });

  it('fails clearly without a header or without a usable row', () => {
    const noHeader = parseSoftirqs('HI: 1 2\n');
    expect(noHeader.ok).toBe(false);
    if (!noHeader.ok) expect(noHeader.error.message).toMatch(/no CPU header/);
    const noRows = parseSoftirqs('   CPU0  CPU1\nHI: 1\n');
    expect(noRows.ok).toBe(false);
    if (!noRows.ok) expect(noRows.error.message).toMatch(/no row with 2 counts/);
    expect(parseSoftirqs('')).toMatchObject({ ok: false, error: { kind: 'parse' } });
  });

  it('keeps the first of two rows with the same name', () => {
    const result = parseSoftirqs('CPU0\nRCU: 5\nRCU: 7\n');
    expect(result.ok && result.value.totals).toEqual([{ type: 'RCU', count: 5 }]);
  });

  it('never throws on random input, and every total is a finite count', () => {
    const cpus = fc.integer({ min: 0, max: 4 });
    const row = fc
      .tuple(
        fc.oneof(fc.constantFrom('HI', 'NET_RX', 'RCU', '__proto__'), fc.string({ maxLength: 6 })),
        fc.array(fc.oneof(fc.nat().map(String), fc.constantFrom('-1', 'x', '1e3')), { maxLength: 5 }),
      )
      .map(([name, counts]) => `${name}: ${counts.join('   ')}`);
    const text = fc.oneof(
      fc.string({ unit: 'binary-ascii' }),
      fc
        .tuple(cpus, fc.array(row, { maxLength: 8 }))
        .map(([n, rows]) =>
          [Array.from({ length: n }, (_, i) => `CPU${i}`).join('       '), ...rows].join('\n'),
        ),
    );
    fc.assert(
      fc.property(text, (input) => {
        const result = parseSoftirqs(input);
        if (!result.ok) {
          expect(result.error.kind).toBe('parse');
          return;
        }
        expect(result.value.cpuCount).toBeGreaterThan(0);
        for (const t of result.value.totals) expect(Number.isFinite(t.count) && t.count >= 0).toBe(true);
      }),
    );
  });
});
