import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseProcStat, type CpuStat } from './parse.js';
import { cpuUsageRatio } from './usage.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

function parsed(name: string): CpuStat {
  const result = parseProcStat(fixture(name));
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

describe('parseProcStat', () => {
  it('reads a Debian 12 VM with 2 CPUs (recorded)', () => {
    const stat = parsed('proc-stat-debian12-vm-2cpu.txt');
    expect(stat.total).toEqual({
      seconds: {
        user: 123.74,
        nice: 0,
        system: 41.71,
        idle: 783.78,
        iowait: 2.01,
        irq: 0,
        softirq: 1.95,
        steal: 0,
      },
      guestSeconds: 0,
      guestNiceSeconds: 0,
    });
    expect(stat.cpuCount).toBe(2);
    expect(stat.perCpu.map((c) => c.cpu)).toEqual(['0', '1']);
    expect(stat.perCpu[1]?.seconds.user).toBe(96.59);
    expect(stat.bootTimeSeconds).toBe(1795658489);
    expect(stat.contextSwitches).toBe(406505);
    expect(stat.interrupts).toBe(210041);
    expect(stat.forks).toBe(4584);
    expect(stat.procsRunning).toBe(1);
    expect(stat.procsBlocked).toBe(0);
  });

  it('keeps guest time apart from user/nice on a PVE host running VMs (constructed)', () => {
    const stat = parsed('proc-stat-pve-host-4cpu-guest-constructed.txt');
    expect(stat.cpuCount).toBe(4);
    expect(stat.total.seconds.user).toBe(46020.46);
    expect(stat.total.seconds.nice).toBe(101.8);
    expect(stat.total.guestSeconds).toBe(30521.58);
    expect(stat.total.guestNiceSeconds).toBe(30.58);
    expect(stat.perCpu[3]).toMatchObject({ cpu: '3', guestSeconds: 6004.56, guestNiceSeconds: 0 });
    expect(stat.contextSwitches).toBe(9876543210);
    expect(stat.interrupts).toBe(1893456123);
    expect(stat.bootTimeSeconds).toBe(1793000000);
    expect(stat.procsBlocked).toBe(1);
  });

  it('reads an old kernel with 8 columns and no guest time (constructed)', () => {
    const stat = parsed('proc-stat-old-kernel-8cols-constructed.txt');
    expect(stat.cpuCount).toBe(2);
    expect(stat.total.seconds).toEqual({
      user: 2305.18,
      nice: 10.49,
      system: 894.52,
      idle: 119630.25,
      iowait: 451.3,
      irq: 10.93,
      softirq: 52.24,
      steal: 0,
    });
    expect(stat.total.guestSeconds).toBeUndefined();
  });

  it('reads a kernel that prints only the first four columns', () => {
    const result = parseProcStat('cpu  100 2 30 400\ncpu0 100 2 30 400\n');
    expect(result).toEqual({
      ok: true,
      value: {
        total: { seconds: { user: 1, nice: 0.02, system: 0.3, idle: 4 } },
        perCpu: [{ cpu: '0', seconds: { user: 1, nice: 0.02, system: 0.3, idle: 4 } }],
        cpuCount: 1,
      },
    });
  });

  it('fails clearly without an aggregate cpu line, or with a malformed one', () => {
    expect(parseProcStat('ctxt 1\nbtime 2\n')).toEqual({
      ok: false,
      error: { kind: 'parse', message: '/proc/stat: no aggregate cpu line' },
    });
    const bad = parseProcStat('cpu  1 2 x 4\n');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.message).toMatch(/malformed aggregate cpu line/);
  });

  it('never throws on random input', () => {
    const word = fc.oneof(
      fc.constantFrom(
        'cpu',
        'cpu0',
        'cpu12',
        'intr',
        'ctxt',
        'btime',
        'processes',
        'procs_running',
        '-1',
        '1.5',
      ),
      fc.nat().map(String),
      fc.string({ unit: 'binary-ascii', maxLength: 8 }),
    );
    const line = fc.array(word, { maxLength: 12 }).map((w) => w.join(' '));
    const text = fc.oneof(
      fc.string({ unit: 'binary-ascii' }),
      fc.array(line, { maxLength: 10 }).map((l) => l.join('\n')),
    );
    fc.assert(
      fc.property(text, (text) => {
        const result = parseProcStat(text);
        if (!result.ok) expect(result.error.kind).toBe('parse');
      }),
    );
  });

  it('never throws on mangled real files and keeps what it reads finite', () => {
    const text = fixture('proc-stat-pve-host-4cpu-guest-constructed.txt');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: text.length }), fc.string(), (cut, junk) => {
        const result = parseProcStat(text.slice(0, cut) + junk + text.slice(cut));
        if (!result.ok) {
          expect(result.error.kind).toBe('parse');
          return;
        }
        for (const v of Object.values(result.value.total.seconds)) expect(Number.isFinite(v)).toBe(true);
        expect(result.value.cpuCount).toBe(result.value.perCpu.length);
      }),
    );
  });
});

describe('cpuUsageRatio', () => {
  it('is busy delta over total delta between two recorded samples', () => {
    const a = parsed('proc-stat-debian12-vm-2cpu.txt').total;
    const b = parsed('proc-stat-debian12-vm-2cpu-later.txt').total;
    // busy: user +2, system +9, softirq +1 jiffies; idle +208, iowait +0
    expect(cpuUsageRatio(a, b)).toBe(12 / 220);
  });

  it('is undefined when no time passed or a counter went backwards', () => {
    const a = parsed('proc-stat-debian12-vm-2cpu.txt').total;
    const b = parsed('proc-stat-debian12-vm-2cpu-later.txt').total;
    expect(cpuUsageRatio(a, a)).toBeUndefined();
    expect(cpuUsageRatio(b, a)).toBeUndefined();
  });

  it('stays within 0..1 for any pair of monotonic samples', () => {
    const times = fc.array(fc.nat({ max: 1e9 }), { minLength: 8, maxLength: 8 });
    fc.assert(
      fc.property(times, times, (base, step) => {
        const sample = (v: number[]) => ({
          seconds: {
            user: v[0],
            nice: v[1],
            system: v[2],
            idle: v[3],
            iowait: v[4],
            irq: v[5],
            softirq: v[6],
            steal: v[7],
          },
        });
        const ratio = cpuUsageRatio(sample(base), sample(base.map((v, i) => v + (step[i] ?? 0))));
        if (ratio !== undefined) expect(ratio >= 0 && ratio <= 1).toBe(true);
        else expect(step.every((s) => s === 0)).toBe(true);
      }),
    );
  });
});
