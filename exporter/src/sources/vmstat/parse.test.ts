import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseVmstat } from './parse.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

function parsed(name: string) {
  const result = parseVmstat(fixture(name));
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

describe('parseVmstat', () => {
  it('reads a Debian 12 VM (recorded, Linux 6.18)', () => {
    const { fields, ...derived } = parsed('proc-vmstat-debian12-vm.txt');
    expect(derived).toEqual({
      minorPageFaults: 10643613 - 1261,
      majorPageFaults: 1261,
      pagedInBytes: 1368477 * 1024,
      pagedOutBytes: 530428 * 1024,
      swappedInPages: 0,
      swappedOutPages: 0,
      oomKills: 0,
    });
    expect(Object.keys(fields)).toHaveLength(192);
    expect(fields.nr_unstable).toBe(0);
  });

  it('leaves OOM kills unknown on a kernel before 4.13 (constructed, PVE 5.0)', () => {
    const v = parsed('proc-vmstat-pve5.0-kernel4.10-no-oom-kill-constructed.txt');
    expect(v.oomKills).toBeUndefined();
    expect(v).toMatchObject({
      minorPageFaults: 2863350412 - 184215,
      majorPageFaults: 184215,
      pagedInBytes: 48213377 * 1024,
      pagedOutBytes: 301288460 * 1024,
      swappedInPages: 1523,
      swappedOutPages: 9410,
    });
    expect(Object.keys(v.fields)).toHaveLength(127);
  });

  it('reads a swapping PVE host with OOM kills (constructed)', () => {
    expect(parsed('proc-vmstat-pve-host-swapping-oom-constructed.txt')).toMatchObject({
      minorPageFaults: 98123456789 - 3905117,
      majorPageFaults: 3905117,
      swappedInPages: 4412981,
      swappedOutPages: 7738102,
      oomKills: 3,
    });
  });

  it('never reports negative minor faults when the two sums race', () => {
    const v = parseVmstat('pgfault 10\npgmajfault 11\n');
    expect(v.ok && v.value).toMatchObject({ minorPageFaults: undefined, majorPageFaults: 11 });
  });

  it('keeps what it can read from a partial file, and fails clearly on none', () => {
    const v = parseVmstat('pgfault 100\npgmajfault x\n\npswpin 7 8\noom_kill 2');
    expect(v.ok && v.value).toMatchObject({
      minorPageFaults: undefined,
      majorPageFaults: undefined,
      swappedInPages: undefined,
      oomKills: 2,
    });
    const none = parseVmstat('garbage\n');
    expect(none.ok).toBe(false);
    if (!none.ok) expect(none.error.message).toMatch(/no `name value` line/);
    expect(parseVmstat('')).toMatchObject({ ok: false, error: { kind: 'parse' } });
  });

  it('keeps a field called __proto__ as data', () => {
    const v = parseVmstat('__proto__ 5\n');
    expect(v.ok && v.value.fields['__proto__']).toBe(5);
  });

  it('never throws on random input, and every value it derives is a finite count', () => {
    const line = fc
      .tuple(
        fc.oneof(
          fc.constantFrom('pgfault', 'pgmajfault', 'pgpgin', 'pswpout', 'oom_kill', 'constructor'),
          fc.string({ maxLength: 8 }),
        ),
        fc.oneof(fc.nat().map(String), fc.bigInt({ min: 0n, max: 10n ** 21n }).map(String), fc.string()),
      )
      .map(([k, v]) => `${k} ${v}`);
    const text = fc.oneof(
      fc.string({ unit: 'binary-ascii' }),
      fc.array(line, { maxLength: 12 }).map((l) => l.join('\n')),
    );
    fc.assert(
      fc.property(text, (input) => {
        const result = parseVmstat(input);
        if (!result.ok) {
          expect(result.error.kind).toBe('parse');
          return;
        }
        const { fields, ...derived } = result.value;
        for (const v of [...Object.values(fields), ...Object.values(derived)])
          if (v !== undefined) expect(Number.isFinite(v) && v >= 0).toBe(true);
      }),
    );
  });
});
