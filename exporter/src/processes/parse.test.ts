import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCmdline, parsePasswd, parsePidStat, parsePidStatus, redactArgs, REDACTED } from './parse.js';

const fixture = (path: string) => readFileSync(new URL(`./fixtures/${path}`, import.meta.url), 'utf8');

describe('parsePidStat', () => {
  it('reads the busy `yes` process (proc-busy-yes/after/12363/stat)', () => {
    const r = parsePidStat(fixture('proc-busy-yes/after/12363/stat'));
    expect(r).toEqual({
      ok: true,
      value: {
        pid: 12363,
        comm: 'yes',
        state: 'R',
        ppid: 12360,
        userTicks: 73,
        systemTicks: 94,
        priority: 20,
        nice: 0,
        threads: 1,
        startTicks: 1420649,
        virtualBytes: 2990080,
      },
    });
  });

  it('reads a kernel thread with no memory (proc-busy-yes/after/2/stat)', () => {
    const r = parsePidStat(fixture('proc-busy-yes/after/2/stat'));
    expect(r.ok && r.value).toMatchObject({ pid: 2, comm: 'kthreadd', ppid: 0, virtualBytes: 0, threads: 1 });
  });

  it('takes the fields after the last parenthesis when the name holds ") ("', () => {
    const line = '77 (a) (b) c) S 1 77 77 0 -1 0 0 0 0 0 5 6 0 0 20 -5 3 0 900 4096 1 0';
    const r = parsePidStat(line);
    expect(r.ok && r.value).toMatchObject({ pid: 77, comm: 'a) (b) c', state: 'S', userTicks: 5, nice: -5 });
  });

  it('refuses a truncated line with a reason', () => {
    expect(parsePidStat('12 (x) S 1 2 3')).toEqual({
      ok: false,
      error: { kind: 'parse', message: '/proc/12/stat: no userTicks field' },
    });
    expect(parsePidStat('no parens here').ok).toBe(false);
  });

  it('never throws on random text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => {
        const r = parsePidStat(s);
        if (r.ok) expect(Number.isSafeInteger(r.value.pid)).toBe(true);
        else expect(r.error.kind).toBe('parse');
      }),
    );
  });

  it('parses any well-formed line back to its numbers', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4_194_304 }),
        fc.string({ maxLength: 15 }).filter((s) => !s.includes('\n')),
        fc.array(fc.nat(), { minLength: 22, maxLength: 30 }),
        (pid, comm, rest) => {
          const r = parsePidStat(`${pid} (${comm}) S ${rest.join(' ')}`);
          expect(r.ok && r.value).toMatchObject({
            pid,
            comm,
            state: 'S',
            ppid: rest[0],
            userTicks: rest[10],
          });
        },
      ),
    );
  });
});

describe('parsePidStatus', () => {
  it('reads name, real uid and memory in bytes (proc-busy-yes/after/12361/status, node)', () => {
    expect(parsePidStatus(fixture('proc-busy-yes/after/12361/status'))).toEqual({
      name: 'node',
      uid: 0,
      residentBytes: 40360 * 1024,
      virtualBytes: 728240 * 1024,
      swapBytes: 0,
      threads: 7,
    });
  });

  it('has no memory lines for a kernel thread (proc-busy-yes/after/2/status)', () => {
    expect(parsePidStatus(fixture('proc-busy-yes/after/2/status'))).toEqual({
      name: 'kthreadd',
      uid: 0,
      threads: 1,
    });
  });

  it('never throws and never holds undefined values', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const out = parsePidStatus(s);
        for (const v of Object.values(out)) expect(v).not.toBeUndefined();
      }),
    );
  });
});

describe('parseCmdline and redactArgs', () => {
  it('splits the NUL-separated node command line and hides its credentials', () => {
    const args = parseCmdline(fixture('proc-busy-yes/after/12361/cmdline'));
    expect(args).toEqual([
      'node',
      '-e',
      'setTimeout(()=>{},1e6)',
      '--',
      '--password=hunter2',
      '--token',
      'abc123',
      '--user',
      'admin',
    ]);
    expect(redactArgs(args)).toEqual([
      'node',
      '-e',
      'setTimeout(()=>{},1e6)',
      '--',
      `--password=${REDACTED}`,
      '--token',
      REDACTED,
      '--user',
      'admin',
    ]);
  });

  it('gives nothing for a kernel thread', () => {
    expect(parseCmdline(fixture('proc-busy-yes/after/2/cmdline'))).toEqual([]);
  });

  it('hides NAME=value assignments of secrets but keeps ordinary ones', () => {
    expect(redactArgs(['env', 'PGPASSWORD=x', 'LANG=C', '--api-key', 'k', '--auth-file=/etc/a'])).toEqual([
      'env',
      `PGPASSWORD=${REDACTED}`,
      'LANG=C',
      '--api-key',
      REDACTED,
      `--auth-file=${REDACTED}`,
    ]);
  });

  it('never lengthens a command line and never leaks a --password= value', () => {
    fc.assert(
      fc.property(fc.array(fc.string()), fc.string({ minLength: 1 }), (args, secret) => {
        const out = redactArgs([...args, `--password=${secret}`]);
        expect(out.length).toBeLessThanOrEqual(args.length + 1);
        expect(out).toContain(`--password=${REDACTED}`);
      }),
    );
  });
});

describe('parsePasswd', () => {
  it('maps uids to names, skipping comments and broken lines (rootfs/etc/passwd)', () => {
    const users = parsePasswd(fixture('rootfs/etc/passwd'));
    expect([...users]).toEqual([
      [0, 'root'],
      [1, 'daemon'],
      [33, 'www-data'],
      [34, 'backup'],
      [65534, 'nobody'],
    ]);
  });
});
