import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSchedstat, type Schedstat } from './parse.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

function parsed(name: string): Schedstat {
  const result = parseSchedstat(fixture(name));
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

describe('parseSchedstat', () => {
  it('sums 48 CPUs of a version 15 host and skips its domain lines (constructed)', () => {
    const s = parsed('proc-schedstat-v15-pve-host-48cpu-constructed.txt');
    expect(s.version).toBe(15);
    expect(s.perCpu).toHaveLength(48);
    expect(s.perCpu.map((c) => c.cpu)).toEqual(Array.from({ length: 48 }, (_, i) => String(i)));
    // 65070752624219653 ns: past 2^53, summed exactly before converting.
    expect(s.total).toEqual({
      runningSeconds: 65070752.624219656,
      waitingSeconds: 5257593.381735077,
      timeslices: 41980651151,
    });
    expect(s.perCpu[0]).toEqual({
      cpu: '0',
      runningSeconds: 2025550.748995785,
      waitingSeconds: 146106.398517374,
      timeslices: 1644949023,
    });
  });

  it('reads version 16 (constructed)', () => {
    const s = parsed('proc-schedstat-v16-4cpu-constructed.txt');
    expect(s.version).toBe(16);
    expect(s.perCpu.map((c) => c.cpu)).toEqual(['0', '1', '2', '3']);
    expect(s.total).toEqual({
      runningSeconds: 1511241.024099411,
      waitingSeconds: 114295.264276956,
      timeslices: 978246807,
    });
  });

  it('reads version 17, whose domain lines carry names (constructed)', () => {
    const s = parsed('proc-schedstat-v17-8cpu-domain-names-constructed.txt');
    expect(s.version).toBe(17);
    expect(s.perCpu).toHaveLength(8);
    expect(s.total).toEqual({
      runningSeconds: 929622.754007384,
      waitingSeconds: 73857.659343608,
      timeslices: 521961993,
    });
  });

  it('reads a uniprocessor kernel without domain lines (constructed)', () => {
    expect(parsed('proc-schedstat-v15-uniprocessor-no-domains-constructed.txt')).toEqual({
      version: 15,
      total: { runningSeconds: 18837.411920534, waitingSeconds: 902.115548302, timeslices: 5513658 },
      perCpu: [
        { cpu: '0', runningSeconds: 18837.411920534, waitingSeconds: 902.115548302, timeslices: 5513658 },
      ],
    });
  });

  it('refuses version 14, whose fields sit elsewhere and once counted jiffies (constructed)', () => {
    const result = parseSchedstat(fixture('proc-schedstat-v14-kernel2.6.24-constructed.txt'));
    expect(result).toEqual({
      ok: false,
      error: { kind: 'parse', message: '/proc/schedstat: unsupported "version 14" (known: 15, 16, 17)' },
    });
  });

  it('names an unknown future version', () => {
    const result = parseSchedstat('version 18\ntimestamp 1\ncpu0 0 0 0 0 0 0 1 2 3\n');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toMatch(/unsupported "version 18"/);
  });

  it('ignores fields appended after the ninth', () => {
    const s = parseSchedstat('version 17\ncpu3 1 0 2 3 4 5 7000000000 500000000 42 99 98\n');
    expect(s.ok && s.value.perCpu).toEqual([
      { cpu: '3', runningSeconds: 7, waitingSeconds: 0.5, timeslices: 42 },
    ]);
  });

  it('fails clearly on a missing version, a short or repeated cpu line, or no cpu line', () => {
    const message = (text: string) => {
      const r = parseSchedstat(text);
      return r.ok ? 'ok' : r.error.message;
    };
    expect(message('')).toMatch(/no version line/);
    expect(message('cpu0 0 0 0 0 0 0 1 2 3\n')).toMatch(/no version line/);
    expect(message('version 15\ncpu0 0 0 0 0 0 0 1 2\n')).toMatch(
      /malformed cpu line: "cpu0 0 0 0 0 0 0 1 2"/,
    );
    expect(message('version 15\ncpu0 0 0 0 0 0 0 1 -2 3\n')).toMatch(/malformed cpu line/);
    expect(message('version 15\ncpu0 0 0 0 0 0 0 1 2 3\ncpu0 0 0 0 0 0 0 1 2 3\n')).toMatch(
      /cpu0 listed twice/,
    );
    expect(message('version 15\ntimestamp 5\ndomain0 3 1 2\n')).toMatch(/no cpuN lines/);
  });

  it('never throws on random input; results are finite and totals cover every CPU', () => {
    const count = fc.oneof(
      fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String),
      fc.constantFrom('-1', 'x', ''),
    );
    const cpuLine = fc
      .tuple(fc.oneof(fc.nat(300).map(String), fc.constantFrom('', 'x')), fc.array(count, { maxLength: 11 }))
      .map(([n, fields]) => `cpu${n} ${fields.join(' ')}`);
    const line = fc.oneof(
      cpuLine,
      fc.constantFrom(
        'version 15',
        'version 17',
        'version 14',
        'version',
        'timestamp 4295',
        'domain0 03 1 2 3',
      ),
      fc.string({ maxLength: 20 }),
    );
    const text = fc.oneof(
      fc.string({ unit: 'binary-ascii' }),
      fc.array(line, { maxLength: 8 }).map((lines) => lines.join('\n')),
    );
    fc.assert(
      fc.property(text, (input) => {
        const result = parseSchedstat(input);
        if (!result.ok) {
          expect(result.error.kind).toBe('parse');
          return;
        }
        const { total, perCpu } = result.value;
        expect(perCpu.length).toBeGreaterThan(0);
        for (const t of [total, ...perCpu]) {
          for (const v of [t.runningSeconds, t.waitingSeconds, t.timeslices]) {
            expect(Number.isFinite(v) && v >= 0).toBe(true);
          }
        }
        const slices = perCpu.reduce((sum, c) => sum + BigInt(c.timeslices), 0n);
        expect(Math.abs(Number(slices) - total.timeslices)).toBeLessThanOrEqual(total.timeslices * 1e-12);
      }),
    );
  });
});
