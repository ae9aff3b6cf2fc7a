import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePressure } from './parse.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('parsePressure', () => {
  it('reads cpu pressure on a Debian 12 VM (recorded)', () => {
    expect(parsePressure(fixture('proc-pressure-cpu-debian12-vm.txt'))).toEqual({
      ok: true,
      value: {
        some: { totalSeconds: 15.698951, avg10Ratio: 0.1336, avg60Ratio: 0.0656, avg300Ratio: 0.0296 },
        full: { totalSeconds: 0, avg10Ratio: 0, avg60Ratio: 0, avg300Ratio: 0 },
      },
    });
  });

  it('reads io pressure on a Debian 12 VM (recorded)', () => {
    const result = parsePressure(fixture('proc-pressure-io-debian12-vm.txt'));
    expect(result.ok && result.value.some.totalSeconds).toBe(1.634518);
    expect(result.ok && result.value.full?.totalSeconds).toBe(1.461031);
  });

  it('reads memory pressure on a Debian 12 VM (recorded)', () => {
    const result = parsePressure(fixture('proc-pressure-memory-debian12-vm.txt'));
    expect(result.ok && result.value.some.totalSeconds).toBe(0);
    expect(result.ok && result.value.full?.totalSeconds).toBe(0);
  });

  it('reads cpu pressure without a full line, as before Linux 5.13 (constructed)', () => {
    expect(parsePressure(fixture('proc-pressure-cpu-kernel5.4-no-full-constructed.txt'))).toEqual({
      ok: true,
      value: {
        some: { totalSeconds: 1234.56789, avg10Ratio: 0.0204, avg60Ratio: 0.0137, avg300Ratio: 0.0091 },
      },
    });
  });

  it('fails clearly without a some line', () => {
    const result = parsePressure('full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toMatch(/no well-formed "some" line/);
  });

  it('never throws on random input', () => {
    const field = fc
      .tuple(
        fc.constantFrom('avg10', 'avg60', 'avg300', 'total', 'x'),
        fc.oneof(fc.double().map(String), fc.nat().map(String)),
      )
      .map(([k, v]) => `${k}=${v}`);
    const line = fc
      .tuple(fc.constantFrom('some', 'full', 'other'), fc.array(field, { maxLength: 5 }))
      .map(([k, f]) => [k, ...f].join(' '));
    const text = fc.oneof(
      fc.string({ unit: 'binary-ascii' }),
      fc.array(line, { maxLength: 3 }).map((l) => l.join('\n')),
    );
    fc.assert(
      fc.property(text, (input) => {
        const result = parsePressure(input);
        if (!result.ok) expect(result.error.kind).toBe('parse');
        else expect(Number.isFinite(result.value.some.totalSeconds)).toBe(true);
      }),
    );
  });
});
