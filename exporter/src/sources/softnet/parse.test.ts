import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSoftnetStat, type Softnet } from './parse.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

function parsed(name: string): Softnet {
  const result = parseSoftnetStat(fixture(name));
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

describe('parseSoftnetStat', () => {
  it('reads a 2-CPU Debian 12 VM, 15 columns (recorded, Linux 6.18)', () => {
    expect(parsed('proc-net-softnet_stat-debian12-vm-2cpu.txt')).toEqual({
      total: { processed: 0x5925 + 0x9bfe, dropped: 0, timesSqueezed: 0 },
      perCpu: [
        { cpu: '0', processed: 0x5925, dropped: 0, timesSqueezed: 0 },
        { cpu: '1', processed: 0x9bfe, dropped: 0, timesSqueezed: 0 },
      ],
    });
  });

  it('takes CPU ids from column 13 on a 16-CPU VM (recorded, Linux 6.18)', () => {
    const s = parsed('proc-net-softnet_stat-ubuntu24.04-vm-16cpu.txt');
    expect(s.perCpu.map((c) => c.cpu)).toEqual(Array.from({ length: 16 }, (_, i) => String(i)));
    expect(s.total).toEqual({ processed: 79, dropped: 0, timesSqueezed: 0 });
    expect(s.perCpu[15]).toEqual({ cpu: '15', processed: 0x18, dropped: 0, timesSqueezed: 0 });
  });

  it('numbers lines by position on an 11-column kernel, sums past 32 bits (constructed, 4.15)', () => {
    const s = parsed('proc-net-softnet_stat-pve5-kernel4.15-11col-8cpu-constructed.txt');
    expect(s.perCpu.map((c) => c.cpu)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7']);
    expect(s.total).toEqual({ processed: 17886942598, dropped: 71473, timesSqueezed: 1503125 });
    expect(s.perCpu[7]).toEqual({
      cpu: '7',
      processed: 0x4c5ec61f,
      dropped: 0x11731,
      timesSqueezed: 0x3d681,
    });
  });

  it('keeps real CPU ids when one is offline on a 13-column kernel (constructed, 5.15)', () => {
    const s = parsed('proc-net-softnet_stat-pve7-kernel5.15-13col-cpu2-offline-constructed.txt');
    expect(s.perCpu.map((c) => c.cpu)).toEqual(['0', '1', '3', '4', '5', '6']);
    expect(s.total).toEqual({ processed: 13038923712, dropped: 23705, timesSqueezed: 1187874 });
    expect(s.perCpu[5]).toEqual({ cpu: '6', processed: 0xe275f27d, dropped: 0x5c99, timesSqueezed: 0xebc8 });
  });

  it('fails clearly on short, non-hex or repeated lines and on an empty file', () => {
    const message = (text: string) => {
      const r = parseSoftnetStat(text);
      return r.ok ? 'ok' : r.error.message;
    };
    const zeros = (n: number) => Array.from({ length: n }, () => '00000000').join(' ');
    expect(message('')).toMatch(/no CPU lines/);
    expect(message('\n  \n')).toMatch(/no CPU lines/);
    expect(message(`${zeros(11)}\n${zeros(8)}\n`)).toMatch(/line 2 is not 9\+ hex columns/);
    expect(message(`${zeros(10)} 0000000g\n`)).toMatch(/line 1 is not 9\+ hex columns/);
    expect(message(`${zeros(10)} 123456789\n`)).toMatch(/line 1/);
    expect(message(`${zeros(13)}\n${zeros(13)}\n`)).toMatch(/CPU 0 listed twice/);
    expect(message(`${zeros(9)}\n\n${zeros(9)}\n`)).toBe('ok');
  });

  it('never throws on random input; counts are 32-bit and totals are their sums', () => {
    const hex = fc.oneof(
      fc.integer({ min: 0, max: 0xffffffff }).map((n) => n.toString(16).padStart(8, '0')),
      fc.constantFrom('', 'zz', '-1', '1ffffffff'),
    );
    const line = fc.oneof(
      fc.array(hex, { maxLength: 15 }).map((cols) => cols.join(' ')),
      fc.string({ maxLength: 12 }),
    );
    const text = fc.oneof(
      fc.string({ unit: 'binary-ascii' }),
      fc.array(line, { maxLength: 6 }).map((lines) => lines.join('\n')),
    );
    fc.assert(
      fc.property(text, (input) => {
        const result = parseSoftnetStat(input);
        if (!result.ok) {
          expect(result.error.kind).toBe('parse');
          return;
        }
        const { total, perCpu } = result.value;
        expect(perCpu.length).toBeGreaterThan(0);
        expect(new Set(perCpu.map((c) => c.cpu)).size).toBe(perCpu.length);
        for (const key of ['processed', 'dropped', 'timesSqueezed'] as const) {
          for (const c of perCpu) expect(c[key] >= 0 && c[key] <= 0xffffffff).toBe(true);
          expect(total[key]).toBe(perCpu.reduce((sum, c) => sum + c[key], 0));
        }
      }),
    );
  });
});
