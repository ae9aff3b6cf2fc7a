import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseFileNr } from './parse.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('parseFileNr', () => {
  it('reads a Debian 12 VM (recorded)', () => {
    expect(parseFileNr(fixture('proc-sys-fs-file-nr-debian12-vm.txt'))).toEqual({
      ok: true,
      value: { allocated: 558, unused: 0, maximum: 2466160 },
    });
  });

  it('keeps a LONG_MAX file-max (2^63 - 1) as the nearest float, 2^63 (constructed)', () => {
    expect(parseFileNr(fixture('proc-sys-fs-file-nr-file-max-long-max-constructed.txt'))).toEqual({
      ok: true,
      value: { allocated: 10272, unused: 0, maximum: 2 ** 63 },
    });
  });

  it('fails clearly on a short, long or garbled file', () => {
    for (const text of ['', '558\t0\n', '558 0 2466160 7\n', '558 -1 2466160\n', 'a b c']) {
      const result = parseFileNr(text);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.message).toMatch(/expected three counts/);
    }
  });

  it('never throws on random input, and what it returns is finite and non-negative', () => {
    const token = fc.oneof(fc.nat().map(String), fc.constantFrom('-1', '1.5', '9'.repeat(25)), fc.string());
    const text = fc.oneof(
      fc.string({ unit: 'binary-ascii' }),
      fc.array(token, { maxLength: 5 }).map((t) => t.join('\t')),
    );
    fc.assert(
      fc.property(text, (input) => {
        const result = parseFileNr(input);
        if (!result.ok) expect(result.error.kind).toBe('parse');
        else for (const v of Object.values(result.value)) expect(Number.isFinite(v) && v >= 0).toBe(true);
      }),
    );
  });
});
