import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Exec, ExecOutput } from '../sources/exec.js';
import { fail, ok, type Result } from '../sources/source.js';
import { createBanChecker, parseJailList, parseJailStatus } from './fail2ban.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('parseJailStatus', () => {
  it('fail2ban-client-status-proxmon-idle.txt', () => {
    expect(parseJailStatus(fixture('fail2ban-client-status-proxmon-idle.txt'))).toEqual(
      ok({
        jail: 'proxmon',
        currentlyFailed: 0,
        totalFailed: 0,
        currentlyBanned: 0,
        totalBanned: 0,
        bannedIps: [],
        fileList: ['/tmp/rec/auth.log'],
      }),
    );
  });

  it('fail2ban-client-status-proxmon-failing.txt', () => {
    expect(parseJailStatus(fixture('fail2ban-client-status-proxmon-failing.txt'))).toMatchObject(
      ok({ currentlyFailed: 1, totalFailed: 3, currentlyBanned: 0, totalBanned: 0, bannedIps: [] }),
    );
  });

  it('fail2ban-client-status-proxmon-banned.txt', () => {
    expect(parseJailStatus(fixture('fail2ban-client-status-proxmon-banned.txt'))).toEqual(
      ok({
        jail: 'proxmon',
        currentlyFailed: 0,
        totalFailed: 4,
        currentlyBanned: 3,
        totalBanned: 3,
        bannedIps: ['203.0.113.7', '198.51.100.23', '2001:db8::1'],
        fileList: ['/tmp/rec/auth.log'],
      }),
    );
  });

  it('fail2ban-client-status-second-two-files.txt', () => {
    expect(parseJailStatus(fixture('fail2ban-client-status-second-two-files.txt'))).toEqual(
      ok({
        jail: 'second',
        currentlyFailed: 0,
        totalFailed: 0,
        currentlyBanned: 0,
        totalBanned: 0,
        bannedIps: [],
        fileList: ['/tmp/f2bx/auth2.log', '/tmp/f2bx/auth3.log'],
      }),
    );
  });

  it('fail2ban-client-status-sshd-journal.txt (no file list on the systemd backend)', () => {
    expect(parseJailStatus(fixture('fail2ban-client-status-sshd-journal.txt'))).toMatchObject(
      ok({ jail: 'sshd', totalFailed: 0, bannedIps: [], fileList: [] }),
    );
  });

  it('rejects other output with a clear parse error', () => {
    expect(parseJailStatus(fixture('fail2ban-client-status-one-jail.txt'))).toEqual(
      fail('parse', 'fail2ban jail status: no "Status for the jail:" header'),
    );
    expect(parseJailStatus(fixture('fail2ban-client-status-no-such-jail.stdout.txt'))).toMatchObject({
      ok: false,
    });
    const noBanList = fixture('fail2ban-client-status-proxmon-idle.txt').replace(/.*Banned IP list.*\n/, '');
    expect(parseJailStatus(noBanList)).toEqual(
      fail('parse', 'fail2ban jail status: no "Banned IP list" line'),
    );
    const badCount = fixture('fail2ban-client-status-proxmon-idle.txt').replace(
      'Total failed:\t0',
      'Total failed:\tx',
    );
    expect(parseJailStatus(badCount)).toEqual(
      fail('parse', 'fail2ban jail status: "Total failed" is not a count: x'),
    );
  });

  it('never throws on malformed input (property)', () => {
    const lines = fixture('fail2ban-client-status-proxmon-banned.txt').split('\n');
    const mangled = fc
      .array(fc.oneof(fc.constantFrom(...lines), fc.string(), fc.constant('`- Banned IP list:\t')), {
        maxLength: 12,
      })
      .map((ls) => ls.join('\n'));
    fc.assert(
      fc.property(fc.oneof(fc.string(), mangled), (text) => {
        const r = parseJailStatus(text);
        if (!r.ok) expect(r.error.kind).toBe('parse');
        else
          for (const n of [r.value.currentlyBanned, r.value.totalFailed])
            expect(Number.isSafeInteger(n)).toBe(true);
      }),
    );
  });

  it('reads back any ban list fail2ban could print (property)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.ipV4(), { maxLength: 50 }), (ips) => {
        const text = fixture('fail2ban-client-status-proxmon-idle.txt').replace(
          'Banned IP list:\t',
          `Banned IP list:\t${ips.join(' ')}`,
        );
        expect(parseJailStatus(text)).toMatchObject(ok({ bannedIps: ips }));
      }),
    );
  });
});

describe('parseJailList', () => {
  it('fail2ban-client-status-one-jail.txt', () => {
    expect(parseJailList(fixture('fail2ban-client-status-one-jail.txt'))).toEqual(ok(['proxmon']));
  });

  it('fail2ban-client-status-two-jails.txt', () => {
    expect(parseJailList(fixture('fail2ban-client-status-two-jails.txt'))).toEqual(ok(['proxmon', 'second']));
  });

  it('an empty list, a count that disagrees, and other output', () => {
    expect(parseJailList('Status\n|- Number of jail:\t0\n`- Jail list:\t\n')).toEqual(ok([]));
    expect(parseJailList('Status\n|- Number of jail:\t3\n`- Jail list:\ta, b\n')).toEqual(
      fail('parse', 'fail2ban status: "Number of jail" is 3 but the list names 2'),
    );
    expect(parseJailList(fixture('fail2ban-client-status-proxmon-idle.txt'))).toEqual(
      fail('parse', 'fail2ban status: no "Status" header'),
    );
  });

  it('never throws on malformed input (property)', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const r = parseJailList(`Status\n${s}`);
        if (!r.ok) expect(r.error.kind).toBe('parse');
      }),
    );
  });
});

/**
 * A fail2ban-client stand-in: answers from `reply` (read when called), records argv; hold() keeps the
 * next call's answer back until release(), to test runs that overlap.
 */
function fakeClient(reply: (args: readonly string[]) => Result<ExecOutput>) {
  const calls: string[][] = [];
  let holdNext = false;
  let release = () => {};
  const exec: Exec = async (tool, args, options) => {
    expect(tool).toBe('fail2ban-client');
    expect(options.timeoutMs).toBe(5000);
    calls.push([...args]);
    const answer = reply(args);
    if (holdNext) {
      holdNext = false;
      await new Promise<void>((r) => (release = r));
    }
    return answer;
  };
  return { exec, calls, hold: () => (holdNext = true), release: () => release() };
}

const output = (stdout: string, exitCode = 0, stderr = ''): Result<ExecOutput> =>
  ok({ stdout, stderr, exitCode, durationMs: 5 });
const banned = () => output(fixture('fail2ban-client-status-proxmon-banned.txt'));
const idle = () => output(fixture('fail2ban-client-status-proxmon-idle.txt'));
const tick = () => new Promise((r) => setTimeout(r, 0));

describe('createBanChecker', () => {
  it('asks `fail2ban-client -s <socket> status <jail>` and matches any spelling of an address', async () => {
    const f = fakeClient(banned);
    const c = createBanChecker({ exec: f.exec, jail: 'proxmon', socket: '/run/f2b.sock', now: () => 0 });
    expect(await c.isBanned('203.0.113.7')).toBe(true);
    expect(await c.isBanned('::ffff:203.0.113.7')).toBe(true);
    expect(await c.isBanned('2001:DB8:0::1')).toBe(true);
    expect(await c.isBanned('203.0.113.8')).toBe(false);
    expect(await c.isBanned('not an ip')).toBe(false);
    expect(f.calls).toEqual([['-s', '/run/f2b.sock', 'status', 'proxmon']]);
  });

  it('believes a list for cacheMs, refreshes ahead from 80% without making callers wait, and waits once it is stale', async () => {
    let t = 0;
    let answer = idle;
    const f = fakeClient(() => answer());
    const c = createBanChecker({ exec: f.exec, jail: 'proxmon', cacheMs: 30_000, now: () => t });
    expect(await c.isBanned('203.0.113.7')).toBe(false);
    answer = banned;
    t = 23_999;
    expect(await c.isBanned('203.0.113.7')).toBe(false);
    expect(f.calls).toHaveLength(1);

    // Refresh-ahead: this answer is still the cached one, the next sees the refreshed list.
    t = 24_000;
    f.hold();
    expect(await c.isBanned('203.0.113.7')).toBe(false);
    expect(f.calls).toHaveLength(2);
    f.release();
    await tick();
    expect(await c.isBanned('203.0.113.7')).toBe(true);

    // Stale (the refresh above was stamped at 24 000): the caller waits for a fresh list.
    answer = idle;
    t = 54_000;
    expect(await c.isBanned('203.0.113.7')).toBe(false);
    expect(f.calls).toHaveLength(3);
  });

  it('shares one fail2ban-client run among concurrent callers', async () => {
    const f = fakeClient(banned);
    const c = createBanChecker({ exec: f.exec, jail: 'proxmon', now: () => 0 });
    f.hold();
    const answers = Promise.all([c.isBanned('203.0.113.7'), c.isBanned('198.51.100.1'), c.status()]);
    await tick();
    f.release();
    const [a, b, s] = await answers;
    expect([a, b, s.ok]).toEqual([true, false, true]);
    expect(f.calls).toHaveLength(1);
  });

  it('bans nobody while fail2ban is not running, keeps the reason in status(), and does not re-ask for cacheMs', async () => {
    let t = 0;
    const stderr = fixture('fail2ban-client-status-no-socket.stderr.txt');
    const f = fakeClient(() => output('', 255, stderr));
    const c = createBanChecker({ exec: f.exec, jail: 'proxmon', now: () => t });
    expect(await c.isBanned('203.0.113.7')).toBe(false);
    expect(await c.status()).toEqual(
      fail(
        'absent',
        'fail2ban-client: Failed to access socket path: /tmp/rec/no-such.sock. Is fail2ban running?',
      ),
    );
    t = 23_999;
    await c.isBanned('203.0.113.7');
    expect(f.calls).toHaveLength(1);
  });

  it.each([
    [
      'no such jail',
      output(
        fixture('fail2ban-client-status-no-such-jail.stdout.txt'),
        255,
        fixture('fail2ban-client-status-no-such-jail.stderr.txt'),
      ),
      fail('exit', "fail2ban-client: Sorry but the jail 'nosuch' does not exist"),
    ],
    [
      'permission denied',
      output('', 255, fixture('fail2ban-client-status-permission-denied.stderr.txt')),
      fail(
        'exit',
        'fail2ban-client: Permission denied to socket: /tmp/proxmon-f2b-tukhdU/run/fail2ban.sock, (you must be root)',
      ),
    ],
    ['silent failure', output('', 1), fail('exit', 'fail2ban-client: exited with status 1')],
    [
      'not installed',
      fail('absent', 'fail2ban-client: not installed'),
      fail('absent', 'fail2ban-client: not installed'),
    ],
    ['timeout', fail('timeout', 'fail2ban-client: timed out'), fail('timeout', 'fail2ban-client: timed out')],
    [
      'garbage',
      output('Traceback (most recent call last):\n'),
      fail('parse', 'fail2ban jail status: no "Status for the jail:" header'),
    ],
  ])('%s: not banned, the error kept for status()', async (_name, reply, expected) => {
    const c = createBanChecker({ exec: fakeClient(() => reply).exec, jail: 'proxmon', now: () => 0 });
    expect(await c.isBanned('203.0.113.7')).toBe(false);
    expect(await c.status()).toEqual(expected);
  });

  it('unban runs `set <jail> unbanip <ip>` and invalidates the cache, even over a run already under way', async () => {
    let answer = banned;
    const f = fakeClient((args) => (args.includes('unbanip') ? output('1\n') : answer()));
    const c = createBanChecker({ exec: f.exec, jail: 'proxmon', socket: '/s', now: () => 0 });
    expect(await c.isBanned('203.0.113.7')).toBe(true);

    c.invalidate();
    f.hold();
    const before = c.isBanned('203.0.113.7'); // a run that read the list before the unban
    expect(await c.unban('::ffff:203.0.113.7')).toEqual(ok(undefined));
    answer = idle;
    f.release();
    expect(await before).toBe(true); // its own answer, but the cache must not keep it
    expect(await c.isBanned('203.0.113.7')).toBe(false);
    expect(f.calls).toEqual([
      ['-s', '/s', 'status', 'proxmon'],
      ['-s', '/s', 'status', 'proxmon'],
      ['-s', '/s', 'set', 'proxmon', 'unbanip', '203.0.113.7'],
      ['-s', '/s', 'status', 'proxmon'],
    ]);
  });

  it('unban: an IP that was not banned is fine, a non-IP never reaches fail2ban-client, failures are values', async () => {
    const f = fakeClient(() => output('0\n'));
    const c = createBanChecker({ exec: f.exec, jail: 'proxmon', now: () => 0 });
    expect(await c.unban('198.51.100.99')).toEqual(ok(undefined));
    expect(await c.unban('--help')).toEqual(fail('parse', 'not an IP address: "--help"'));
    expect(f.calls).toHaveLength(1);
    const down = createBanChecker({
      exec: fakeClient(() => output('', 255, fixture('fail2ban-client-status-no-socket.stderr.txt'))).exec,
      jail: 'proxmon',
    });
    expect(await down.unban('203.0.113.7')).toMatchObject({ ok: false, error: { kind: 'absent' } });
  });

  it('jails() lists the running jails, uncached', async () => {
    const f = fakeClient(() => output(fixture('fail2ban-client-status-two-jails.txt')));
    const c = createBanChecker({ exec: f.exec, jail: 'proxmon' });
    expect(await c.jails()).toEqual(ok(['proxmon', 'second']));
    expect(await c.jails()).toEqual(ok(['proxmon', 'second']));
    expect(f.calls).toEqual([['status'], ['status']]);
  });
});
