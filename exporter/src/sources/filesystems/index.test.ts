import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createExec, type Exec } from '../exec.js';
import { isAlive, waitFor } from '../../test-support/tools.js';
import { readText } from '../read.js';
import { fail, ok, type SourceContext } from '../source.js';
import { createFilesystemsSource } from './index.js';

const fakeStat = fileURLToPath(new URL('../../../../tests/fake-bin/stat-hangs-on', import.meta.url));

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'proxmon-fs-'));
});
afterEach(() => {
  delete process.env.HANG_PATH;
  delete process.env.HANG_PID_FILE;
  rmSync(dir, { recursive: true, force: true });
});

/** A procfs whose mount table lists `lines`, and a rootfs holding a directory per mountpoint. */
function hostTree(lines: string[], tableAt = '1'): { procfs: string; rootfs: string } {
  const procfs = join(dir, 'proc');
  const rootfs = join(dir, 'root');
  mkdirSync(join(procfs, tableAt), { recursive: true });
  writeFileSync(join(procfs, tableAt, 'mounts'), lines.map((l) => `${l}\n`).join(''));
  for (const line of lines) mkdirSync(join(rootfs, line.split(' ')[1] ?? ''), { recursive: true });
  return { procfs, rootfs };
}

function context(
  paths: { procfs: string; rootfs: string },
  exec: Exec,
  signal = new AbortController().signal,
) {
  const ctx: SourceContext = {
    paths: { ...paths, sysfs: join(dir, 'sys') },
    exec,
    readText,
    signal,
    now: Date.now,
    logger: pino({ level: 'silent' }),
  };
  return ctx;
}

describe('filesystems source through real stat processes', () => {
  it('kills a hung stat at its deadline, keeps the other mounts and backs the hung one off', async () => {
    const paths = hostTree([
      '/dev/sda1 /a ext4 rw,relatime 0 0',
      '/dev/sdb1 /b ext4 ro 0 0',
      'nas:/x /hang nfs4 rw 0 0',
    ]);
    const pidFile = join(dir, 'hang.pid');
    process.env.HANG_PATH = join(paths.rootfs, 'hang');
    process.env.HANG_PID_FILE = pidFile;
    const source = createFilesystemsSource({ statTimeoutMs: 500 });
    const ctx = context(paths, createExec({ stat: fakeStat }));

    const started = performance.now();
    const first = await source.collect(ctx);
    expect(performance.now() - started).toBeLessThan(500 + 1500);
    if (!first.ok) throw new Error(first.error.message);
    const [a, b, hang] = first.value.filesystems;
    expect(a).toMatchObject({ mountpoint: '/a', device: '/dev/sda1', deviceError: false, stuck: false });
    expect(a?.sizeBytes).toBeGreaterThan(0);
    expect(a?.files).toBeGreaterThan(0);
    expect(b).toMatchObject({ mountpoint: '/b', readonly: true, deviceError: false });
    expect(b?.availBytes).toBeGreaterThan(0);
    expect(hang).toEqual({
      mountpoint: '/hang',
      device: 'nas:/x',
      fstype: 'nfs4',
      readonly: false,
      deviceError: true,
      stuck: true,
      error: 'stat: timed out after 500 ms',
    });

    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(pid).toBeGreaterThan(1);
    await waitFor(() => !isAlive(pid), 2000); // throws if the hung tool outlives its kill

    // Backed off: the next round does not start another stat on it.
    rmSync(pidFile);
    const second = await source.collect(ctx);
    expect(second.ok && second.value.filesystems[2]).toMatchObject({ deviceError: true, stuck: true });
    expect(second.ok && second.value.filesystems[0]?.deviceError).toBe(false);
    expect(existsSync(pidFile)).toBe(false);
  });

  it('splits a shared stat that hangs, so only the stuck local mount is backed off', async () => {
    const paths = hostTree(['/dev/sda1 /a ext4 rw 0 0', '/dev/sdb1 /hang xfs rw 0 0']);
    const pidFile = join(dir, 'hang.pid');
    process.env.HANG_PATH = join(paths.rootfs, 'hang');
    process.env.HANG_PID_FILE = pidFile;
    const source = createFilesystemsSource({ statTimeoutMs: 500, backoffRounds: 2 });
    const ctx = context(paths, createExec({ stat: fakeStat }));
    const round = async () => {
      const r = await source.collect(ctx);
      if (!r.ok) throw new Error(r.error.message);
      return r.value.filesystems.map((f) => [f.mountpoint, f.deviceError, f.stuck]);
    };

    // One stat for both: it hangs, and which mount hangs it is not known yet.
    expect(await round()).toEqual([
      ['/a', true, false],
      ['/hang', true, false],
    ]);
    // Then one each: /a reports, /hang times out alone and is backed off, with no new stat for it.
    expect(await round()).toEqual([
      ['/a', false, false],
      ['/hang', true, true],
    ]);
    await waitFor(() => !isAlive(Number(readFileSync(pidFile, 'utf8'))), 2000);
    rmSync(pidFile);
    expect(await round()).toEqual([
      ['/a', false, false],
      ['/hang', true, true],
    ]);
    expect(existsSync(pidFile)).toBe(false);
  });

  it('reports a mountpoint missing under rootfs as a device error, not a source failure', async () => {
    const paths = hostTree(['/dev/sda1 /a ext4 rw 0 0']);
    writeFileSync(
      join(paths.procfs, '1', 'mounts'),
      '/dev/sda1 /a ext4 rw 0 0\n/dev/sdc1 /gone xfs rw 0 0\n',
    );
    const result = await createFilesystemsSource().collect(context(paths, createExec()));
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value.filesystems[0]).toMatchObject({ mountpoint: '/a', deviceError: false });
    expect(result.value.filesystems[1]).toMatchObject({
      mountpoint: '/gone',
      deviceError: true,
      stuck: false,
    });
    expect(result.value.filesystems[1]?.error).toContain('No such file or directory');
    expect(result.value.filesystems[1]?.sizeBytes).toBeUndefined();
  });

  it('is absent when stat is not installed', async () => {
    const paths = hostTree(['/dev/sda1 /a ext4 rw 0 0']);
    const result = await createFilesystemsSource().collect(
      context(paths, createExec({ stat: join(dir, 'no-such-stat') })),
    );
    expect(result).toEqual(fail('absent', 'stat: not installed'));
  });
});

describe('filesystems source logic', () => {
  /** What stat prints for every path after `--`, with the same counts for each. */
  const answer = (args: readonly string[]) => {
    const paths = args.slice(args.indexOf('--') + 1);
    const stdout = paths.map((p) => `100 40 30 4096 10 5 ${p}\n`).join('');
    return ok({ stdout, stderr: '', exitCode: 0, durationMs: 1 });
  };

  it('skips a stuck mount for the configured number of rounds, then tries it again', async () => {
    const paths = hostTree(['/dev/sda1 /a ext4 rw 0 0', 'nas:/x /hang nfs rw 0 0']);
    const calls: string[] = [];
    const exec: Exec = async (_tool, args) => {
      const path = args[args.length - 1] ?? '';
      calls.push(path.slice(paths.rootfs.length));
      return path.endsWith('/hang') ? fail('timeout', 'stat: timed out after 5000 ms') : answer(args);
    };
    const source = createFilesystemsSource({ backoffRounds: 10 });
    for (let round = 0; round < 12; round++) {
      const r = await source.collect(context(paths, exec));
      expect(r.ok && r.value.filesystems[1]).toMatchObject({ stuck: true, deviceError: true });
    }
    expect(calls.filter((c) => c === '/hang')).toHaveLength(2);
    expect(calls.filter((c) => c === '/a')).toHaveLength(12);
  });

  it('does not back off mounts cut short by the round being aborted', async () => {
    const paths = hostTree(['nas:/x /n nfs rw 0 0']);
    const calls: string[] = [];
    const exec: Exec = async (_tool, args, { signal }) => {
      calls.push(args.join(' '));
      return signal?.aborted ? fail('timeout', 'stat: aborted before start') : answer(args);
    };
    const source = createFilesystemsSource();
    const aborted = new AbortController();
    aborted.abort();
    const first = await source.collect(context(paths, exec, aborted.signal));
    expect(first.ok && first.value.filesystems[0]).toMatchObject({ deviceError: true, stuck: false });
    const second = await source.collect(context(paths, exec));
    expect(second.ok && second.value.filesystems[0]).toMatchObject({
      deviceError: false,
      sizeBytes: 409600,
      freeBytes: 163840,
      availBytes: 122880,
      usedBytes: 245760,
      files: 10,
      filesFree: 5,
    });
    expect(calls).toEqual([
      `-f -c %b %f %a %S %c %d %n -- ${join(paths.rootfs, 'n')}`,
      `-f -c %b %f %a %S %c %d %n -- ${join(paths.rootfs, 'n')}`,
    ]);
  });

  it('stats local filesystems in one process, network and FUSE ones in one each', async () => {
    const paths = hostTree([
      '/dev/sda1 / ext4 rw 0 0',
      'nas:/x /mnt/pve/nfs nfs4 rw 0 0',
      'rpool/data /rpool/data zfs rw 0 0',
      '//nas/s /mnt/pve/cifs cifs rw 0 0',
      'tmpfs /run tmpfs rw 0 0',
      'lxcfs /var/lib/lxcfs fuse.lxcfs rw 0 0',
      '/dev/sdb1 /boot/efi vfat rw 0 0',
    ]);
    const calls: string[][] = [];
    const exec: Exec = async (_tool, args) => {
      calls.push(args.slice(args.indexOf('--') + 1).map((p) => p.slice(paths.rootfs.length)));
      return answer(args);
    };
    const r = await createFilesystemsSource().collect(context(paths, exec));
    expect(r.ok && r.value.filesystems.map((f) => [f.mountpoint, f.deviceError, f.sizeBytes])).toEqual(
      ['/', '/mnt/pve/nfs', '/rpool/data', '/mnt/pve/cifs', '/run', '/var/lib/lxcfs', '/boot/efi'].map(
        (m) => [m, false, 409600],
      ),
    );
    expect(calls).toEqual([
      ['/', '/rpool/data', '/run', '/boot/efi'],
      ['/mnt/pve/nfs'],
      ['/mnt/pve/cifs'],
      ['/var/lib/lxcfs'],
    ]);

    calls.length = 0;
    const lines = Array.from({ length: 5 }, (_, i) => `/dev/d${i} /m${i} ext4 rw 0 0`);
    await createFilesystemsSource({ batchSize: 2 }).collect(context(hostTree(lines), exec));
    expect(calls.map((c) => c.length)).toEqual([2, 2, 1]);
  });

  it("gives each unreadable path its own error line, not a longer path's", async () => {
    const paths = hostTree(['/dev/sda1 /a ext4 rw 0 0', '/dev/sdb1 /a/b ext4 rw 0 0']);
    const [a, ab] = [join(paths.rootfs, 'a'), join(paths.rootfs, 'a/b')];
    const exec: Exec = async () =>
      ok({
        stdout: '',
        stderr:
          `stat: cannot read file system information for '${ab}': Input/output error\n` +
          `stat: cannot read file system information for '${a}': Permission denied\n`,
        exitCode: 1,
        durationMs: 1,
      });
    const r = await createFilesystemsSource().collect(context(paths, exec));
    expect(r.ok && r.value.filesystems.map((f) => [f.mountpoint, f.error])).toEqual([
      ['/a', `stat: cannot read file system information for '${a}': Permission denied`],
      ['/a/b', `stat: cannot read file system information for '${ab}': Input/output error`],
    ]);
  });

  it('never has more stat processes in flight than the limit', async () => {
    const lines = Array.from({ length: 20 }, (_, i) => `nas:/d${i} /m${i} nfs rw 0 0`);
    const paths = hostTree(lines);
    let inFlight = 0;
    let peak = 0;
    const exec: Exec = async (_tool, args) => {
      peak = Math.max(peak, ++inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return answer(args);
    };
    const r = await createFilesystemsSource({ concurrency: 3 }).collect(context(paths, exec));
    expect(r.ok && r.value.filesystems).toHaveLength(20);
    expect(peak).toBe(3);
  });

  it('falls back to /proc/self/mounts and fails only when no table can be read', async () => {
    const paths = hostTree(['/dev/sda1 /a ext4 rw 0 0'], 'self');
    const exec: Exec = async (_tool, args) => answer(args);
    const r = await createFilesystemsSource().collect(context(paths, exec));
    expect(r.ok && r.value.filesystems.map((f) => f.mountpoint)).toEqual(['/a']);

    const none = await createFilesystemsSource().collect(
      context({ procfs: join(dir, 'nothing'), rootfs: '/' }, exec),
    );
    expect(none.ok).toBe(false);
    expect(!none.ok && none.error.kind).toBe('absent');
  });

  it('applies configured exclusions', async () => {
    const paths = hostTree([
      '/dev/sda1 /a ext4 rw 0 0',
      'tmpfs /t tmpfs rw 0 0',
      '/dev/sdb1 /skip/me xfs rw 0 0',
    ]);
    const exec: Exec = async (_tool, args) => answer(args);
    const source = createFilesystemsSource({ fsTypesExclude: /^tmpfs$/g, mountPointsExclude: /^\/skip\// });
    const r = await source.collect(context(paths, exec));
    expect(r.ok && r.value.filesystems.map((f) => f.mountpoint)).toEqual(['/a']);
  });
});
