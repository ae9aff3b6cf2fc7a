import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Exec } from '../../sources/exec.js';
import type { Filesystem, FilesystemsSnapshot } from '../../sources/filesystems/index.js';
import { parseMounts, parseStatfs } from '../../sources/filesystems/parse.js';
import {
  DEFAULT_FS_TYPES_EXCLUDE,
  DEFAULT_MOUNT_POINTS_EXCLUDE,
  selectMounts,
} from '../../sources/filesystems/select.js';
import { createSmartSource, type DiskState, type SmartSnapshot } from '../../sources/smart/index.js';
import { fail, ok as okResult } from '../../sources/source.js';
import type { ZpoolSnapshot } from '../../sources/zpool/index.js';
import { parseZpoolStatus } from '../../sources/zpool/parse.js';
import { utcTime } from '../../sources/zpool/units.js';
import { sourceContext } from '../../test-support/source-context.js';
import { checkDisks, isHostDiskFilesystem } from './disks.js';
import {
  consistent,
  hostInputs,
  NOW,
  rowsOf,
  srcFile,
  type HostInputsOptions,
} from './fixtures/host-category-inputs.js';

function ok<T>(r: { ok: true; value: T } | { ok: false; error: { message: string } }): T {
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

/** The smart source reading the given recorded smartctl replies as /dev/sda, /dev/sdb, … */
async function smartOf(files: readonly string[]): Promise<SmartSnapshot> {
  const devices = files.map((_, i) => ({ device: `/dev/sd${'abcdefgh'[i]}` }));
  const exec: Exec = async (_tool, args) => {
    const i = devices.findIndex((d) => d.device === args.at(-1));
    if (i < 0) return fail('io', 'unexpected call');
    const text = srcFile(`sources/smart/fixtures/${files[i]}`);
    const exitCode = Number(/"exit_status":\s*(\d+)/.exec(text)?.[1] ?? 0);
    return okResult({ stdout: text, stderr: '', exitCode, durationMs: 1 });
  };
  return ok(
    await createSmartSource({ scan: false, devices }).collect(sourceContext({ exec, now: () => NOW })),
  );
}

const zpoolOf = (file: string): ZpoolSnapshot => ({
  format: 'text',
  pools: ok(parseZpoolStatus(srcFile(`sources/zpool/fixtures/${file}`), { toEpoch: utcTime })),
});

/**
 * The constructed PVE 8 mount table through the source's parser and default selection, every mount
 * measured as the recorded ext4 root (`stat -f`: 21.5 % used as df counts it).
 */
function filesystems(change: (fs: Filesystem[]) => void = () => {}): FilesystemsSnapshot {
  const table = ok(
    parseMounts(srcFile('sources/filesystems/fixtures/proc-mounts-pve8-zfs-nfs-constructed.txt')),
  );
  const stats = ok(parseStatfs(srcFile('sources/filesystems/fixtures/stat-f-ext4-root.txt')));
  const list: Filesystem[] = selectMounts(table, {
    fsTypesExclude: DEFAULT_FS_TYPES_EXCLUDE,
    mountPointsExclude: DEFAULT_MOUNT_POINTS_EXCLUDE,
  }).map((m) => ({ ...m, ...stats, deviceError: false, stuck: false }));
  change(list);
  return { filesystems: list };
}

const disks = (o: HostInputsOptions) => checkDisks(hostInputs(o));
const keyed = (e: ReturnType<typeof checkDisks>) => e.findings.map((f) => [f.errorKey, f.severity]);

describe('checkDisks: host filesystems', () => {
  it('judges /, /boot/efi and /mnt/data; ZFS datasets other than /, FUSE (/etc/pve) and network mounts are left out', () => {
    const e = disks({ fresh: { filesystems: filesystems() }, absent: ['zpool', 'smart'] });
    expect(rowsOf(e)).toEqual({
      'filesystem_readonly[/]': 'OK',
      'disk_space[/]': 'OK',
      'filesystem_readonly[/boot/efi]': 'OK',
      'disk_space[/boot/efi]': 'OK',
      'filesystem_readonly[/mnt/data]': 'WARNING',
      'disk_space[/mnt/data]': 'OK',
      smart: 'OK',
    });
    expect(e.rows[1]).toMatchObject({
      value: 21.5,
      reason: '/ (zfs on rpool/ROOT/pve-1) is 21.5% full (warning at 85%)',
    });
    // The bind mount remounted read-only: WARNING, as /mnt/data is not a system mount.
    expect(e.findings).toEqual([
      expect.objectContaining({
        errorKey: 'filesystem_readonly_/mnt/data',
        severity: 'WARNING',
        reason: '/mnt/data (ext4 on /dev/sdb1) is mounted read-only',
        details: expect.objectContaining({ resource: { kind: 'mount', id: '/mnt/data' } }),
      }),
    ]);
    expect(e.present).toEqual({ mount: new Set(['/', '/boot/efi', '/mnt/data']) });
  });

  it('a read-only system mount is CRITICAL', () => {
    const ro = filesystems((l) =>
      Object.assign(
        l.find((f) => f.mountpoint === '/')!,
        { readonly: true },
      ),
    );
    const e = disks({ fresh: { filesystems: ro }, absent: ['zpool', 'smart'] });
    expect(keyed(e)).toContainEqual(['filesystem_readonly_/', 'CRITICAL']);
  });

  it('filesystem_warning and filesystem_critical are read', () => {
    const warn = disks({
      fresh: { filesystems: filesystems() },
      absent: ['zpool', 'smart'],
      thresholds: { disks: { filesystem_warning: 20, filesystem_critical: 30 } },
    });
    expect(keyed(warn).filter(([k]) => k!.startsWith('disk_space'))).toEqual([
      ['disk_space_/', 'WARNING'],
      ['disk_space_/boot/efi', 'WARNING'],
      ['disk_space_/mnt/data', 'WARNING'],
    ]);
    const crit = disks({
      fresh: { filesystems: filesystems() },
      absent: ['zpool', 'smart'],
      thresholds: { disks: { filesystem_warning: 10, filesystem_critical: 21 } },
    });
    expect(crit.findings.find((f) => f.errorKey === 'disk_space_/')).toMatchObject({
      severity: 'CRITICAL',
      reason: '/ (zfs on rpool/ROOT/pve-1) is 21.5% full (critical at 21%)',
    });
  });

  it('a mount that could not be measured is an UNKNOWN row without a finding', () => {
    const broken = filesystems((l) =>
      Object.assign(
        l.find((f) => f.mountpoint === '/boot/efi')!,
        { deviceError: true, usedBytes: undefined, error: 'stat: Input/output error' },
      ),
    );
    const e = disks({ fresh: { filesystems: broken }, absent: ['zpool', 'smart'] });
    expect(e.rows.find((r) => r.check === 'disk_space' && r.resource === '/boot/efi')).toMatchObject({
      status: 'UNKNOWN',
      reason: '/boot/efi (vfat on /dev/nvme0n1p2) could not be measured: stat: Input/output error',
    });
  });

  it('isHostDiskFilesystem never throws and keeps only block devices and system ZFS datasets', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), (device, fstype, mountpoint) => {
        const kept = isHostDiskFilesystem({ device, fstype, mountpoint });
        if (kept) expect(device.startsWith('/dev/') || fstype === 'zfs').toBe(true);
        if (/^fuse(\.|$)/.test(fstype)) expect(kept).toBe(false);
      }),
    );
  });
});

describe('checkDisks: ZFS pool health', () => {
  const pools = (file: string) =>
    disks({ fresh: { zpool: zpoolOf(file) }, absent: ['smart'], missing: ['filesystems'] });

  it('a DEGRADED mirror with an UNAVAIL disk is CRITICAL zfs_pool_<pool>', () => {
    const e = pools('zpool-status-degraded-mirror.txt');
    expect(e.findings).toEqual([
      {
        errorKey: 'zfs_pool_tank',
        category: 'disks',
        check: 'zfs_pool',
        severity: 'CRITICAL',
        reason: 'ZFS pool tank is DEGRADED: mirror-0 DEGRADED, c1t1d0 UNAVAIL (cannot open)',
        details: expect.objectContaining({ state: 'DEGRADED', resource: { kind: 'pool', id: 'tank' } }),
      },
    ]);
    expect(e.present?.pool).toEqual(new Set(['tank']));
    expect(rowsOf(e)).toMatchObject({ disk_space: 'UNKNOWN' });
  });

  it('an ONLINE pool with a permanent data error is CRITICAL; healthy pools are OK', () => {
    expect(keyed(pools('zpool-status-scrub-1-error-data-corruption.txt'))).toEqual([
      ['zfs_pool_jeremy', 'CRITICAL'],
    ]);
    expect(pools('zpool-status-scrub-1-error-data-corruption.txt').rows[1]!.reason).toBe(
      'ZFS pool jeremy is ONLINE: 1 permanent data errors',
    );
    expect(pools('zpool-status-healthy-3pools.txt').findings).toEqual([]);
    expect(pools('zpool-status-spares.txt').findings).toEqual([]);
  });

  it('an ONLINE pool with vdev error counters warns (constructed: 3 checksum errors on one disk)', () => {
    const zpool = zpoolOf('zpool-status-spares.txt');
    zpool.pools[0]!.vdevs.find((v) => v.name === 'sdl')!.checksumErrors = 3;
    const e = disks({ fresh: { zpool }, absent: ['smart', 'filesystems'] });
    expect(e.findings).toEqual([
      expect.objectContaining({
        errorKey: 'zfs_pool_tank',
        severity: 'WARNING',
        reason: 'ZFS pool tank is ONLINE: sdl ONLINE read/write/cksum 0/0/3',
      }),
    ]);
  });

  it('a resilver in progress is told in the reason', () => {
    const e = pools('zpool-status-v-pve8-resilver-in-progress-replacing.txt');
    expect(e.findings[0]!.severity).toBe('CRITICAL');
    expect(e.findings[0]!.reason).toMatch(/; resilver \d+% done$/);
  });
});

describe('checkDisks: SMART', () => {
  const smart = async (files: string[], o: HostInputsOptions = {}) =>
    disks({ ...o, fresh: { smart: await smartOf(files), ...o.fresh }, absent: ['zpool', 'filesystems'] });

  it('a failing HDD is CRITICAL smart_<disk_id>; NVMe media errors warn; a CRC count is INFO without a finding', async () => {
    const e = await smart([
      'smartctl-a-sata-hdd-failing-usbjmicron-exit216.json',
      'smartctl-x-nvme-media-errors.json',
      'smartctl-a-sata-hdd-errorlog-exit64.json',
      'smartctl-a-standby-sata-smartctl75.json',
    ]);
    expect(keyed(e)).toEqual([
      ['smart_0x5000cca37fca81a8', 'CRITICAL'],
      ['smart_S466NX0M776250H', 'WARNING'],
    ]);
    expect(e.findings[0]!.reason).toBe(
      '/dev/sda Hitachi HDS721050DLE630 [0x5000cca37fca81a8]: SMART overall-health self-assessment: FAILED; ' +
        'pre-failure attribute at or below its threshold: Reallocated_Sector_Ct; ' +
        '1975 reallocated sectors (critical at 10); self-test log has failed tests (3); ' +
        '8 pending (unreadable) sectors (warning at 1); device error log has entries (56)',
    );
    expect(e.findings[0]!.details).toMatchObject({ resource: { kind: 'disk', id: '0x5000cca37fca81a8' } });
    expect(rowsOf(e)).toMatchObject({
      'smart[0x5000cca0499602d2]': 'INFO',
      'disk_temperature[0x5000cca0499602d2]': 'OK',
      'smart[/dev/sdd]': 'OK',
    });
    expect(e.present?.disk).toEqual(new Set(['0x5000cca37fca81a8', 'S466NX0M776250H', '0x5000cca0499602d2']));
    expect(consistent(e)).toBe(true);
  });

  it('reallocated_sectors_warning and reallocated_sectors_critical are read (constructed: 5 reallocated)', async () => {
    const snapshot = await smartOf(['smartctl-x-sata-ssd-samsung860.json']);
    snapshot.disks[0]!.values.reallocatedSectors = 5;
    const level = (thresholds?: HostInputsOptions['thresholds']) =>
      keyed(disks({ fresh: { smart: snapshot }, absent: ['zpool', 'filesystems'], thresholds }));
    expect(level()).toEqual([['smart_0x5002538e40a22954', 'WARNING']]);
    expect(level({ disks: { reallocated_sectors_critical: 5 } })).toEqual([
      ['smart_0x5002538e40a22954', 'CRITICAL'],
    ]);
    expect(level({ disks: { reallocated_sectors_warning: 6 } })).toEqual([]);
  });

  it('wear_warning and wear_critical are read (Samsung 860: 19 % used)', async () => {
    const files = ['smartctl-x-sata-ssd-samsung860.json'];
    expect(keyed(await smart(files))).toEqual([]);
    expect(
      keyed(await smart(files, { thresholds: { disks: { wear_warning: 19, wear_critical: 50 } } })),
    ).toEqual([['smart_0x5002538e40a22954', 'WARNING']]);
    const crit = await smart(files, { thresholds: { disks: { wear_warning: 10, wear_critical: 19 } } });
    expect(crit.findings[0]!.reason).toBe(
      '/dev/sda Samsung SSD 860 EVO 500GB [0x5002538e40a22954]: 19% of rated endurance used (critical at 19%)',
    );
  });

  it('disk temperature thresholds by disk type: HDD, SATA SSD, NVMe (SAS judged as HDD)', async () => {
    const files = [
      'smartctl-a-sata-hdd-errorlog-exit64.json', // HDD 26 °C
      'smartctl-x-sata-ssd-samsung860.json', // SSD 36 °C
      'smartctl-a-nvme-smartctl74.json', // NVMe 48 °C
      'smartctl-a-sas-smartctl67.json', // SAS HDD 31 °C, drive trip point 60 °C
    ];
    const temps = async (disks: HostInputsOptions['thresholds']) =>
      (await smart(files, { thresholds: disks })).findings
        .filter((f) => f.check === 'disk_temperature')
        .map((f) => [f.errorKey, f.severity]);
    expect(await temps({})).toEqual([]);
    expect(await temps({ disks: { hdd_temperature_warning: 26 } })).toEqual([
      ['disk_temperature_0x5000cca0499602d2', 'WARNING'],
      ['disk_temperature_Z4028VRY0000C810BZXB', 'WARNING'],
    ]);
    expect(await temps({ disks: { hdd_temperature_warning: 20, hdd_temperature_critical: 30 } })).toEqual([
      ['disk_temperature_0x5000cca0499602d2', 'WARNING'],
      ['disk_temperature_Z4028VRY0000C810BZXB', 'CRITICAL'],
    ]);
    expect(await temps({ disks: { ssd_temperature_warning: 36 } })).toEqual([
      ['disk_temperature_0x5002538e40a22954', 'WARNING'],
    ]);
    expect(await temps({ disks: { ssd_temperature_warning: 30, ssd_temperature_critical: 36 } })).toEqual([
      ['disk_temperature_0x5002538e40a22954', 'CRITICAL'],
    ]);
    expect(await temps({ disks: { nvme_temperature_warning: 48 } })).toEqual([
      ['disk_temperature_6D1107091C9583054511', 'WARNING'],
    ]);
    const nvme = await smart(files, {
      thresholds: { disks: { nvme_temperature_warning: 40, nvme_temperature_critical: 48 } },
    });
    expect(nvme.findings.find((f) => f.check === 'disk_temperature')).toMatchObject({
      errorKey: 'disk_temperature_6D1107091C9583054511',
      severity: 'CRITICAL',
      reason: '/dev/sdc Sabrent Rocket 4.0 1TB [6D1107091C9583054511] (NVME) is at 48 °C (critical at 48 °C)',
      details: expect.objectContaining({
        type: 'nvme',
        resource: { kind: 'disk', id: '6D1107091C9583054511' },
      }),
    });
  });

  it("the drive's own trip point counts as critical when it is lower than the threshold", async () => {
    const snapshot = await smartOf(['smartctl-a-sas-smartctl67.json']);
    snapshot.disks[0]!.values.temperatureCelsius = 61; // constructed: over the recorded 60 °C trip point
    const e = disks({ fresh: { smart: snapshot }, absent: ['zpool', 'filesystems'] });
    expect(e.findings.find((f) => f.check === 'disk_temperature')).toMatchObject({
      severity: 'CRITICAL',
      reason: expect.stringContaining('is at 61 °C (critical at 60 °C)'),
    });
  });
});

describe('checkDisks without inputs', () => {
  it('is UNKNOWN when filesystems, zpool and smart have no fresh value', () => {
    const e = disks({ missing: ['filesystems', 'zpool', 'smart'] });
    expect(e.unknown).toMatch(/^filesystems source failed/);
    expect(e.findings).toEqual([]);
  });

  it('no ZFS and no smartctl are normal, not unknown', () => {
    const e = disks({ fresh: { filesystems: filesystems() }, absent: ['zpool', 'smart'] });
    expect(e.unknown).toBeUndefined();
    expect(e.present?.pool).toBeUndefined();
    expect(e.rows.find((r) => r.check === 'smart')).toMatchObject({ status: 'OK' });
  });

  it('any SMART values give consistent rows and findings', async () => {
    const base = (await smartOf(['smartctl-x-sata-ssd-samsung860.json'])).disks[0]!;
    const n = fc.option(fc.integer({ min: 0, max: 100_000 }), { nil: undefined });
    fc.assert(
      fc.property(
        n,
        n,
        n,
        fc.option(fc.double({ min: 0, max: 2, noNaN: true }), { nil: undefined }),
        n,
        fc.boolean(),
        (realloc, pending, temp, wear, limit, standby) => {
          const disk: DiskState = {
            ...base,
            standby,
            values: {
              ...base.values,
              reallocatedSectors: realloc,
              pendingSectors: pending,
              temperatureCelsius: temp,
              wearRatio: wear,
              temperatureLimitCelsius: limit,
            },
          };
          const e = disks({
            fresh: { smart: { disks: [disk], unreadable: [] } },
            absent: ['zpool', 'filesystems'],
          });
          expect(consistent(e)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});
