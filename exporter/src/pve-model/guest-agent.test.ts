import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseGuestFsinfo, summarizeGuestFilesystems, type GuestFilesystem } from './guest-fsinfo.js';
import { parseAgentOption, parseNodeQemu, parsePveBool, parseQemuConfig } from './qemu-config.js';
import { exporterFixture, fixture, value } from './test-fixture.js';

describe('parseQemuConfig', () => {
  it('reads string-typed agent and memory (real, PVE 9.2 REST)', () => {
    expect(value(parseQemuConfig(fixture('pve92-qemu-config-real.json')))).toEqual({
      name: 'lab-app-01',
      agent: { enabled: true },
      onboot: undefined,
      tags: ['lab'],
      memoryBytes: 2048 * 1048576,
      balloonBytes: undefined,
      cores: 2,
      sockets: undefined,
      template: undefined,
      description: undefined,
    });
  });

  it('reads agent options, onboot, balloon and current= memory as strings (constructed)', () => {
    const c = value(parseQemuConfig(fixture('pve-qemu-config-agent-string-constructed.json')));
    expect(c).toMatchObject({
      name: 'lab-db-01',
      agent: { enabled: true, fstrimClonedDisks: true },
      onboot: true,
      tags: ['db', 'lab', 'prod'],
      memoryBytes: 4096 * 1048576,
      balloonBytes: 1024 * 1048576,
      cores: 4,
      sockets: 1,
    });
  });

  it('reads numeric fields of a bare pvesh config (constructed, prometheus-pve-exporter)', () => {
    const c = value(parseQemuConfig(exporterFixture('nodes/pve1/qemu/100/config')));
    expect(c).toMatchObject({ name: 'vm100', onboot: true, cores: 2, memoryBytes: 2048 * 1048576 });
    expect(c.agent).toBeUndefined();
  });

  it('keeps balloon 0 (ballooning off) and fails on a list', () => {
    expect(value(parseQemuConfig({ balloon: 0 })).balloonBytes).toBe(0);
    expect(parseQemuConfig([])).toMatchObject({ ok: false, error: { kind: 'parse' } });
  });
});

describe('parseAgentOption', () => {
  it.each([
    ['1', { enabled: true }],
    ['0', { enabled: false }],
    [1, { enabled: true }],
    ['enabled=1,fstrim_cloned_disks=1', { enabled: true, fstrimClonedDisks: true }],
    ['1,fstrim_cloned_disks=0,type=isa', { enabled: true, fstrimClonedDisks: false, type: 'isa' }],
    ['enabled=0,freeze-fs-on-backup=0', { enabled: false, freezeFsOnBackup: false }],
    ['enabled=yes', { enabled: true }],
  ] as const)('%j', (input, expected) => {
    expect(parseAgentOption(input)).toEqual(expected);
  });

  it.each([undefined, '', 'type=virtio', 'maybe', 2, null])('%j says nothing', (input) => {
    expect(parseAgentOption(input)).toBeUndefined();
  });

  it('reads PVE booleans', () => {
    expect([parsePveBool('on'), parsePveBool('false'), parsePveBool('1'), parsePveBool('x')]).toEqual([
      true,
      false,
      true,
      undefined,
    ]);
  });
});

describe('parseNodeQemu', () => {
  it('reads the node guest list (simplified, Home Assistant) and skips rows without a vmid', () => {
    const rows = value(parseNodeQemu(fixture('node-qemu.json')));
    expect(rows).toEqual([
      { vmid: 100, name: 'vm-web', status: 'running', uptime: 86400, template: undefined },
      { vmid: 101, name: 'vm-db', status: 'stopped', uptime: 86400, template: undefined },
    ]);
    expect(value(parseNodeQemu([{ vmid: '105', template: 1 }, { name: 'x' }, { vmid: -1 }]))).toEqual([
      { vmid: 105, name: undefined, status: undefined, uptime: undefined, template: true },
    ]);
  });
});

describe('parseGuestFsinfo and summarizeGuestFilesystems', () => {
  it('sums a Linux guest once per device, without snaps, the cloud-init drive or overlays (constructed)', () => {
    const fs = value(parseGuestFsinfo(fixture('pve-agent-fsinfo-linux-constructed.json')));
    expect(fs).toHaveLength(8);
    expect(fs[0]).toEqual({
      name: 'sda1',
      mountpoint: '/',
      type: 'ext4',
      usedBytes: 5583486976,
      totalBytes: 31526391808,
      disks: ['0QEMU_QEMU_HARDDISK_drive-scsi0'],
    });
    expect(fs[5]?.disks).toEqual(['/dev/sr0']);
    // Old agents (before QEMU 3.0) report no sizes.
    expect(fs[7]).toMatchObject({ name: 'sdc1', usedBytes: undefined, totalBytes: undefined });
    const sum = summarizeGuestFilesystems(fs);
    expect(sum?.filesystems.map((f) => f.mountpoint)).toEqual(['/', '/boot/efi', '/srv/data']);
    expect(sum).toMatchObject({ usedBytes: 7737305088, totalBytes: 138957568000 });
  });

  it('reads a Windows guest over REST: C:\\ and System Reserved, not the CD drive (constructed)', () => {
    const fs = value(parseGuestFsinfo(fixture('pve-agent-fsinfo-windows-constructed.json')));
    expect(fs.map((f) => [f.mountpoint, f.type])).toEqual([
      ['System Reserved', 'NTFS'],
      ['C:\\', 'NTFS'],
      ['D:\\', 'UDF'],
    ]);
    expect(fs[1]?.name).toBe('\\\\?\\Volume{5e0c1a8b-0000-0000-0000-501f00000000}\\');
    expect(summarizeGuestFilesystems(fs)).toMatchObject({ usedBytes: 24193171456, totalBytes: 63949754368 });
  });

  it('counts a ZFS pool once: datasets add their used space and share the free space', () => {
    const zfs = (name: string, used: number, total: number): GuestFilesystem => ({
      name,
      mountpoint: `/${name}`,
      type: 'zfs',
      usedBytes: used,
      totalBytes: total,
      disks: [],
    });
    const sum = summarizeGuestFilesystems([
      zfs('rpool/ROOT/debian', 3000, 10_000), // 7000 free
      zfs('rpool/home', 1000, 8000), // 7000 free
      zfs('rpool/quota', 500, 1500), // a quota: 1000 free for it alone
    ]);
    expect(sum).toMatchObject({ usedBytes: 4500, totalBytes: 11_500 });
  });

  it('gives nothing (not 0) without a countable filesystem, and rejects a non-list', () => {
    expect(summarizeGuestFilesystems([])).toBeUndefined();
    expect(
      summarizeGuestFilesystems([
        { name: 'tmpfs', mountpoint: '/run', type: 'tmpfs', usedBytes: 1, totalBytes: 2, disks: [] },
        { name: 'h', mountpoint: '/mnt', type: 'fuse.sshfs', usedBytes: 1, totalBytes: 2, disks: [] },
      ]),
    ).toBeUndefined();
    expect(parseGuestFsinfo({ result: 'x' })).toMatchObject({ ok: false, error: { kind: 'parse' } });
    expect(value(parseGuestFsinfo([{ name: 'a', mountpoint: '/', type: 7 }, null]))).toEqual([]);
  });

  it('never sums to a negative or non-finite value for arbitrary entries', () => {
    const entry = fc.record({
      name: fc.constantFrom('sda1', 'sdb1', 'rpool/a', 'rpool/b', 'x'),
      mountpoint: fc.string(),
      type: fc.constantFrom('ext4', 'zfs', 'tmpfs', 'NTFS', 'fuse.x', 'xfs'),
      'used-bytes': fc.oneof(fc.nat(), fc.double(), fc.constant('12'), fc.constant(null)),
      'total-bytes': fc.oneof(fc.nat(), fc.double(), fc.constant(null)),
    });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 12 }), (rows) => {
        const fs = value(parseGuestFsinfo({ result: rows }));
        const sum = summarizeGuestFilesystems(fs);
        if (sum === undefined) return;
        expect(Number.isFinite(sum.usedBytes) && sum.usedBytes >= 0).toBe(true);
        expect(Number.isFinite(sum.totalBytes) && sum.totalBytes > 0).toBe(true);
        expect(new Set(sum.filesystems.map((f) => f.name)).size).toBe(sum.filesystems.length);
      }),
      { numRuns: 300 },
    );
  });
});
