import { mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canonicalIp, createAuthLog, formatLogTime, sanitiseUser } from './auth-log.js';

/** What deploy/fail2ban/filter.d/proxmon.conf matches, after fail2ban has cut the date off. */
const FAILURE = /^proxmon-auth: authentication failure; rhost=(\S+) user=(\S*)$/;
const LINE = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4} (.*)$/;

const at = new Date(Date.UTC(2026, 10, 26, 9, 0, 7));
const tempDir = () => mkdtempSync(join(tmpdir(), 'proxmon-authlog-'));
const lines = (file: string) => readFileSync(file, 'utf8').split('\n').slice(0, -1);

let savedTz: string | undefined;
beforeEach(() => {
  savedTz = process.env.TZ;
});
afterEach(() => {
  if (savedTz === undefined) delete process.env.TZ;
  else process.env.TZ = savedTz;
});

describe('formatLogTime', () => {
  it('writes local time with its UTC offset, across DST and half-hour zones', () => {
    process.env.TZ = 'Europe/Berlin';
    expect(formatLogTime(at)).toBe('2026-11-26 10:00:07 +0100');
    expect(formatLogTime(new Date(Date.UTC(2026, 6, 1, 22, 30, 0)))).toBe('2026-07-02 00:30:00 +0200');
    process.env.TZ = 'America/St_Johns';
    expect(formatLogTime(at)).toBe('2026-11-26 05:30:07 -0330');
    process.env.TZ = 'UTC';
    expect(formatLogTime(at)).toBe('2026-11-26 09:00:07 +0000');
  });
});

describe('createAuthLog', () => {
  it('appends one failure line and one success line in the fail2ban format', () => {
    process.env.TZ = 'UTC';
    const file = join(tempDir(), 'auth.log');
    const log = createAuthLog(file, { now: () => at.getTime() });
    expect(log.failure({ ip: '203.0.113.7', user: 'admin' })).toEqual({ ok: true, value: undefined });
    expect(
      log.success({ ip: '::ffff:203.0.113.8', user: 'root@pam', at: new Date(at.getTime() + 1000) }).ok,
    ).toBe(true);
    expect(lines(file)).toEqual([
      '2026-11-26 09:00:07 +0000 proxmon-auth: authentication failure; rhost=203.0.113.7 user=admin',
      '2026-11-26 09:00:08 +0000 proxmon-auth: authentication success; rhost=203.0.113.8 user=root@pam',
    ]);
  });

  it('creates the file (and its folder) with mode 0640 whatever the umask, and keeps an existing file', () => {
    const old = process.umask(0o000);
    try {
      const file = join(tempDir(), 'sub', 'auth.log');
      expect(createAuthLog(file).failure({ ip: '203.0.113.7', user: 'a' }).ok).toBe(true);
      expect(statSync(file).mode & 0o777).toBe(0o640);

      const existing = join(tempDir(), 'auth.log');
      writeFileSync(existing, 'earlier\n', { mode: 0o600 });
      expect(createAuthLog(existing).failure({ ip: '203.0.113.7', user: 'a' }).ok).toBe(true);
      expect(statSync(existing).mode & 0o777).toBe(0o600);
      expect(lines(existing)).toHaveLength(2);
      expect(lines(existing)[0]).toBe('earlier');
    } finally {
      process.umask(old);
    }
  });

  it('refuses an address that is not an IP, writing nothing', () => {
    const file = join(tempDir(), 'auth.log');
    const r = createAuthLog(file).failure({ ip: 'evil.example', user: 'a' });
    expect(r).toMatchObject({ ok: false, error: { kind: 'parse' } });
    expect(() => statSync(file)).toThrow();
  });

  it('reports an unwritable log as an io error instead of throwing, and never writes through a symlink', () => {
    const dir = tempDir();
    const target = join(dir, 'elsewhere');
    writeFileSync(target, '');
    symlinkSync(target, join(dir, 'auth.log'));
    const r = createAuthLog(join(dir, 'auth.log')).failure({ ip: '203.0.113.7', user: 'a' });
    expect(r).toMatchObject({ ok: false, error: { kind: 'io' } });
    expect(readFileSync(target, 'utf8')).toBe('');
  });

  it('keeps a crafted user name on one line with one rhost', () => {
    const file = join(tempDir(), 'auth.log');
    const log = createAuthLog(file);
    const forged =
      'x rhost=198.51.100.66\n2026-11-26 10:00:00 +0000 proxmon-auth: authentication failure; rhost=198.51.100.66 user=y';
    log.failure({ ip: '203.0.113.7', user: forged });
    const [line, ...rest] = lines(file);
    expect(rest).toEqual([]);
    const m = FAILURE.exec(LINE.exec(line!)![1]!);
    expect(m?.[1]).toBe('203.0.113.7');
    expect(line!.match(/rhost=/g)).toHaveLength(1);
  });

  it('writes exactly one matching line with the given IP for any user name (property)', () => {
    const file = join(tempDir(), 'auth.log');
    const log = createAuthLog(file);
    let count = 0;
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (user) => {
        expect(log.failure({ ip: '203.0.113.7', user }).ok).toBe(true);
        count++;
        const all = lines(file);
        expect(all).toHaveLength(count);
        const m = FAILURE.exec(LINE.exec(all[count - 1]!)![1]!);
        expect(m?.[1]).toBe('203.0.113.7');
        expect(Array.from(m![2]!).length).toBeLessThanOrEqual(64);
      }),
      { numRuns: 300 },
    );
  });
});

describe('sanitiseUser', () => {
  it.each([
    ['admin', 'admin'],
    ['root@pam', 'root@pam'],
    ['a b;c=d', 'a_b_c_d'],
    ['a\r\nb\u2028c\u202ed\u0000e', 'a__b_cde'],
    ['\u00a0tab\there', '_tab_here'],
    ['', '-'],
    ['\n', '_'],
    ['\u0000\u200b', '-'],
    ['x'.repeat(100), 'x'.repeat(64)],
    ['ü'.repeat(70), 'ü'.repeat(64)],
  ])('%j → %j', (input, expected) => {
    expect(sanitiseUser(input)).toBe(expected);
  });
});

describe('canonicalIp', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    [' 203.0.113.7 ', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['::FFFF:cb00:7107', '203.0.113.7'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['[2001:db8::1]', '2001:db8::1'],
    ['fe80::1%eth0', 'fe80::1'],
    ['::1', '::1'],
    ['not-an-ip', undefined],
    ['203.0.113.256', undefined],
    ['', undefined],
  ])('%j → %j', (input, expected) => {
    expect(canonicalIp(input)).toBe(expected);
  });

  it('never throws, and is idempotent (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.ipV4(), fc.ipV6(), fc.ipV4Extended()), (s) => {
        const c = canonicalIp(s);
        if (c !== undefined) expect(canonicalIp(c)).toBe(c);
      }),
    );
  });
});
