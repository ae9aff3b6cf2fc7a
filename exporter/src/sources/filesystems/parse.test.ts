import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeMountField, parseMounts, parseStatfs, parseStatfsByPath } from './parse.js';
import { DEFAULT_FS_TYPES_EXCLUDE, DEFAULT_MOUNT_POINTS_EXCLUDE, selectMounts } from './select.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const defaults = {
  fsTypesExclude: DEFAULT_FS_TYPES_EXCLUDE,
  mountPointsExclude: DEFAULT_MOUNT_POINTS_EXCLUDE,
};

describe('parseMounts', () => {
  it('reads a Debian 12 container mount table and keeps only / by default', () => {
    const mounts = parseMounts(fixture('proc-mounts-debian12-container.txt'));
    if (!mounts.ok) throw new Error(mounts.error.message);
    expect(mounts.value).toHaveLength(19);
    expect(mounts.value[5]).toEqual({
      device: '/dev/vda',
      mountpoint: '/',
      fstype: 'ext4',
      options: ['rw', 'relatime', 'discard', 'resv_strict', 'resuid=65534', 'resgid=65534'],
      readonly: false,
    });
    expect(selectMounts(mounts.value, defaults).map((m) => m.mountpoint)).toEqual(['/']);
  });

  it('reads a Proxmox host table: escapes, exclusions, bind-mount dedupe and readonly', () => {
    const mounts = parseMounts(fixture('proc-mounts-pve8-zfs-nfs-constructed.txt'));
    if (!mounts.ok) throw new Error(mounts.error.message);
    const selected = selectMounts(mounts.value, defaults);
    expect(selected.map((m) => [m.mountpoint, m.fstype, m.readonly])).toEqual([
      ['/run', 'tmpfs', false],
      ['/', 'zfs', false],
      ['/run/lock', 'tmpfs', false],
      ['/boot/efi', 'vfat', false],
      ['/rpool', 'zfs', false],
      ['/rpool/data', 'zfs', false],
      ['/rpool/data/subvol-101-disk-0', 'zfs', false],
      ['/var/lib/lxcfs', 'fuse.lxcfs', false],
      ['/etc/pve', 'fuse', false],
      ['/mnt/pve/nfs-backup', 'nfs4', false],
      ['/mnt/pve/cifs iso', 'cifs', true],
      // the second, read-only bind of /dev/sdb1 on /mnt/data is the visible one
      ['/mnt/data', 'ext4', true],
      ['/run/user/0', 'tmpfs', false],
    ]);
    expect(selected.find((m) => m.fstype === 'nfs4')?.device).toBe('192.0.2.10:/export/backup');
  });

  it('rejects a table with no mount line', () => {
    expect(parseMounts('')).toEqual({
      ok: false,
      error: { kind: 'parse', message: 'mount table: no mount lines' },
    });
    expect(parseMounts('garbage\n\n').ok).toBe(false);
  });

  it('never throws on random input, and parses any line with four fields', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const result = parseMounts(text);
        if (result.ok) expect(result.value.length).toBeGreaterThan(0);
        else expect(result.error.kind).toBe('parse');
      }),
    );
  });

  it('decodes what the kernel encodes', () => {
    const encode = (s: string) =>
      s.replace(/[ \t\n\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
    fc.assert(
      fc.property(fc.string(), (s) => {
        expect(decodeMountField(encode(s))).toBe(s);
      }),
    );
  });
});

describe('parseStatfs', () => {
  it('reads stat -f of an ext4 root', () => {
    expect(parseStatfs(fixture('stat-f-ext4-root.txt'))).toEqual({
      ok: true,
      value: {
        sizeBytes: 66053021 * 4096,
        freeBytes: 60322733 * 4096,
        availBytes: 20867440 * 4096,
        usedBytes: (66053021 - 60322733) * 4096,
        files: 16777216,
        filesFree: 16362591,
      },
    });
  });

  it('reads stat -f of a tmpfs', () => {
    const r = parseStatfs(fixture('stat-f-tmpfs.txt'));
    expect(r.ok && r.value).toEqual({
      sizeBytes: 25276026880,
      freeBytes: 25276026880,
      availBytes: 25276026880,
      usedBytes: 0,
      files: 3085452,
      filesFree: 3085451,
    });
  });

  it('rejects the error stat prints for a missing path', () => {
    const r = parseStatfs(fixture('stat-f-missing.stderr.txt'));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error.kind).toBe('parse');
  });

  it('never throws on random input', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const r = parseStatfs(text);
        if (!r.ok) expect(r.error.kind).toBe('parse');
      }),
    );
  });

  it('parses any six counts consistently', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 6, maxLength: 6 }), ([b, f, a, s, c, d]) => {
        const r = parseStatfs(`${b} ${f} ${a} ${s} ${c} ${d}\n`);
        expect(r.ok && r.value).toEqual({
          sizeBytes: b! * s!,
          freeBytes: f! * s!,
          availBytes: a! * s!,
          usedBytes: (b! - f!) * s!,
          files: c,
          filesFree: d,
        });
      }),
    );
  });
});

describe('parseStatfsByPath', () => {
  it('reads one stat -f over several paths, one of them missing and one with a space', () => {
    const byPath = parseStatfsByPath(fixture('stat-f-named-batch.txt'));
    expect([...byPath.keys()]).toEqual(['/', '/dev/shm', '/tmp/sb/a b']);
    expect(byPath.get('/dev/shm')).toEqual({
      sizeBytes: 6170905 * 4096,
      freeBytes: 6170905 * 4096,
      availBytes: 6170905 * 4096,
      usedBytes: 0,
      files: 3085452,
      filesFree: 3085451,
    });
    expect(byPath.get('/tmp/sb/a b')?.files).toBe(16777216);
    expect(parseStatfsByPath(fixture('stat-f-named-batch.stderr.txt')).size).toBe(0);
  });

  it('maps every path to its own counts, and never throws on random input', () => {
    const path = fc.string({ minLength: 1 }).filter((p) => !p.includes('\n'));
    const counts = fc.array(fc.nat(), { minLength: 6, maxLength: 6 });
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(path, counts), { selector: ([p]) => p }), (rows) => {
        const text = rows.map(([p, c]) => `${c.join(' ')} ${p}`).join('\n');
        const byPath = parseStatfsByPath(text);
        expect(byPath.size).toBe(rows.length);
        for (const [p, c] of rows) expect(byPath.get(p)?.files).toBe(c[4]);
      }),
    );
    fc.assert(fc.property(fc.string(), (text) => void parseStatfsByPath(text)));
  });
});
