import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseLoadavg } from './parse.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('parseLoadavg', () => {
  it('reads a Debian 12 VM (recorded)', () => {
    expect(parseLoadavg(fixture('proc-loadavg-debian12-vm.txt'))).toEqual({
      ok: true,
      value: { load1: 0.66, load5: 0.34, load15: 0.15, runningThreads: 1, totalThreads: 86 },
    });
  });

  it('keeps the load averages when the thread field is odd', () => {
    expect(parseLoadavg('12.50 8.00 4.25\n')).toEqual({
      ok: true,
      value: { load1: 12.5, load5: 8, load15: 4.25, runningThreads: undefined, totalThreads: undefined },
    });
  });

  it('fails clearly on a truncated or garbled file', () => {
    expect(parseLoadavg('')).toMatchObject({ ok: false, error: { kind: 'parse' } });
    const bad = parseLoadavg('0.1 zero 0.3 1/2 3');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.message).toMatch(/expected three load averages/);
  });

  it('never throws on random input, and any value it returns is finite', () => {
    const token = fc.oneof(
      fc.double().map(String),
      fc.nat().map(String),
      fc.string({ unit: 'binary-ascii' }),
    );
    const text = fc.oneof(
      fc.string({ unit: 'binary-ascii' }),
      fc.array(token, { maxLength: 6 }).map((t) => t.join(' ')),
    );
    fc.assert(
      fc.property(text, (input) => {
        const result = parseLoadavg(input);
        if (!result.ok) expect(result.error.kind).toBe('parse');
        else
          for (const v of [result.value.load1, result.value.load5, result.value.load15])
            expect(v).toBeGreaterThanOrEqual(0);
      }),
    );
  });
});
