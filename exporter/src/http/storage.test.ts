import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../store/db.js';
import { recordDisksSeen } from '../store/disks.js';
import { startTestServer, type TestServer } from '../test-support/server.js';
import { smartDetailResponse, storageResponse } from './storage-schema.js';

const fakeBin = (name: string) => fileURLToPath(new URL(`../../../tests/fake-bin/${name}`, import.meta.url));

/** A disk the registry knew from an earlier run, which the recorded host no longer has. */
const PULLED = {
  diskId: '0x5000c500a1b2c3d4',
  device: '/dev/sdd',
  serial: 'ZA1PULLED',
  model: 'ST4000NM0035',
};
const SEEN_BEFORE = Date.parse('2026-01-02T03:04:05Z');

let s: TestServer;
let token: string;
let storage: ReturnType<typeof storageResponse.parse>;

beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'proxmon-storage-'));
  const db = openStore(dataDir);
  recordDisksSeen(db, [{ ...PULLED, sizeBytes: 4e12, type: 'hdd' }], SEEN_BEFORE);
  db.close();
  s = await startTestServer({
    data_dir: dataDir,
    tools: { smartctl: fakeBin('smartctl-recorded'), zpool: fakeBin('zpool-recorded') },
  });
  token = await s.adminToken();
  // Both sources run within the first second of the scheduler.
  for (let i = 0; i < 100; i++) {
    const r = await s.call('GET', '/api/storage', { token });
    storage = storageResponse.parse(r.body);
    if (storage.sources.smart.fresh && storage.sources.zpool.fresh) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}, 20_000);
afterAll(() => s.stop());

describe('GET /api/storage', () => {
  it('lists the recorded disks with their SMART summary, verdict and registry dates', () => {
    expect(storage.sources.smart).toMatchObject({ enabled: true, up: true, fresh: true, error: null });
    expect(storage.disks.map((d) => [d.device, d.disk_id, d.present, d.removed])).toEqual([
      ['/dev/sda', '0x5000cca0499602d2', true, false],
      ['/dev/sdc', '0x5000cb0847', true, false],
      ['/dev/nvme0', 'REDACTED', true, false],
      ['/dev/bus/6', '0x50014ee26101eee7', true, false],
      ['/dev/sdd', PULLED.diskId, false, true],
    ]);
    const sda = storage.disks[0];
    expect(sda).toMatchObject({
      model: 'HGST HUS724020ALE640',
      type: 'hdd',
      protocol: 'ata',
      size_bytes: 2000398934016,
      rotation_rpm: 7200,
      standby: false,
      smart_passed: true,
      temperature_celsius: 26,
      power_on_seconds: 300330000,
      reallocated_sectors: 0,
      pending_sectors: 0,
      crc_errors: 12,
      wear_ratio: null,
      media_errors: null,
      exit_status: 64,
      health: { severity: 1, status: 'INFO' },
      error: null,
    });
    expect(sda?.health.reasons.map((r) => r.code)).toEqual(['crc_errors', 'error_log']);
    expect(sda?.first_seen).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(Date.parse(sda?.read_at ?? '')).toBeGreaterThan(Date.now() - 60_000);

    const nvme = storage.disks.find((d) => d.device === '/dev/nvme0');
    expect(nvme).toMatchObject({
      type: 'nvme',
      smart_passed: false,
      critical_warning: 16,
      wear_ratio: 0,
      available_spare_ratio: 1,
      health: { severity: 3, status: 'CRITICAL' },
    });
    expect(storage.disks.find((d) => d.device === '/dev/bus/6')?.device_type).toBe('megaraid,8');
  });

  it('keeps a pulled disk as removed, with what the registry knew', () => {
    expect(storage.disks.find((d) => d.disk_id === PULLED.diskId)).toMatchObject({
      device: '/dev/sdd',
      model: 'ST4000NM0035',
      serial: 'ZA1PULLED',
      size_bytes: 4e12,
      type: 'hdd',
      present: false,
      removed: true,
      first_seen: '2026-01-02T03:04:05.000Z',
      last_seen: '2026-01-02T03:04:05.000Z',
      smart_passed: null,
      temperature_celsius: null,
      standby: null,
      health: { severity: null, status: null, reasons: [] },
    });
    expect(storage.disks.at(-1)?.removed_at).toMatch(/^\d{4}-/);
  });

  it('lists the sleeping disk it never read, and never woke it', () => {
    expect(storage.unreadable).toEqual([
      {
        device: '/dev/sdb',
        type: 'sat',
        reason: 'in STANDBY mode since before its first read',
        standby: true,
      },
    ]);
  });

  it('shows the resilvering pool with its scan and vdev tree', () => {
    expect(storage.sources.zpool).toMatchObject({ up: true, fresh: true });
    const [pool] = storage.pools;
    expect(pool).toMatchObject({
      name: 'rpool',
      state: 'DEGRADED',
      action: 'Wait for the resilver to complete.',
      size_bytes: 996432412672,
      allocated_bytes: 7226282476,
      fragmentation_ratio: 0,
      data_errors: 0,
      errors_text: 'No known data errors',
    });
    expect(pool?.scans).toEqual([
      expect.objectContaining({
        function: 'resilver',
        state: 'scanning',
        paused: false,
        progress_ratio: 0.0059,
        seconds_left: 168,
        processed_bytes: 26424115,
        ended_at: null,
      }),
    ]);
    expect(pool?.scans[0]?.started_at).toMatch(/^2025-02-2[56]T/);
    expect(pool?.vdevs.map((v) => [v.label, v.parent, v.state, v.disk_id])).toEqual([
      ['rpool', null, 'DEGRADED', null],
      ['mirror-0', 'rpool', 'DEGRADED', null],
      ['ata-ST31000524AS_5VPD6EX2-part3', 'mirror-0', 'ONLINE', '5VPD6EX2'],
      ['replacing-1', 'mirror-0', 'DEGRADED', null],
      ['12573010284538016996', 'replacing-1', 'UNAVAIL', '5VP07Z06'],
      ['ata-TOSHIBA_MQ01ABD100_96EOC9BST-part3', 'replacing-1', 'ONLINE', '96EOC9BST'],
    ]);
    expect(pool?.vdevs[4]).toMatchObject({
      was_path: '/dev/disk/by-id/ata-ST31000528AS_5VP07Z06-part3',
      read_errors: 0,
      checksum_errors: 0,
    });
  });
});

describe('GET /api/storage/smart/:disk', () => {
  const smart = async (disk: string) =>
    s.call('GET', `/api/storage/smart/${encodeURIComponent(disk)}`, { token });

  it('gives every ATA attribute, by device name, device path or disk_id', async () => {
    const byName = await smart('sda');
    expect(byName.status).toBe(200);
    const detail = smartDetailResponse.parse(byName.body);
    expect(detail.disk.disk_id).toBe('0x5000cca0499602d2');
    expect(detail.attributes).toHaveLength(17);
    expect(detail.attributes.find((a) => a.id === 199)).toMatchObject({
      name: 'UDMA_CRC_Error_Count',
      raw: 12,
      prefailure: false,
      when_failed: null,
    });
    expect(detail.attributes.find((a) => a.id === 5)).toMatchObject({
      name: 'Reallocated_Sector_Ct',
      value: 100,
      threshold: 5,
      prefailure: true,
    });
    expect((await smart('/dev/sda')).body).toEqual(byName.body);
    expect((await smart('0x5000cca0499602d2')).body).toEqual(byName.body);
  });

  it('has no attribute table for NVMe, but its own values', async () => {
    const r = smartDetailResponse.parse((await smart('nvme0')).body);
    expect(r).toMatchObject({ attributes: [], available_spare_threshold_ratio: 0.1 });
    expect(r.disk.critical_warning).toBe(16);
  });

  it('answers a removed disk from the registry, and 404 for unknown or never-read devices', async () => {
    const pulled = await smart(PULLED.diskId);
    expect(pulled.status).toBe(200);
    expect(smartDetailResponse.parse(pulled.body)).toMatchObject({ disk: { removed: true }, attributes: [] });
    expect(await smart('sdz')).toMatchObject({
      status: 404,
      body: { error: { code: 'not_found', message: 'no disk sdz (by disk_id or device)' } },
    });
    expect(await smart('sdb')).toMatchObject({
      status: 404,
      body: {
        error: {
          code: 'not_found',
          message: 'no SMART data for /dev/sdb yet: in STANDBY mode since before its first read',
        },
      },
    });
  });
});
