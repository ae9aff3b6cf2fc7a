import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeBin, get, startCli, tempDir, type CliRun } from './support.js';

/**
 * The built CLI with stand-ins under the real tool names first on PATH: it must find them as it
 * finds the real ones on a host, run them on its own schedule, and serve what they printed on
 * /metrics and /api. The recorded stand-ins find their fixtures next to themselves (`dirname $0`),
 * so each name gets a one-line wrapper that execs the stand-in where it lives rather than a symlink.
 */
const STAND_INS: Record<string, string> = {
  smartctl: 'smartctl-recorded',
  zpool: 'zpool-recorded',
  'nvidia-smi': 'nvidia-smi-h100',
  ipmitool: 'ipmitool-supermicro',
  lscpu: 'lscpu-recorded',
  lspci: 'lspci-recorded',
  dmidecode: 'dmidecode-recorded',
};

const ADMIN = { username: 'admin', password: 'correct horse battery staple' };
const SDA = '0x5000cca0499602d2';
const H100 = 'GPU-6e1f9a28-3d00-140e-ed41-553106267e02';

let p: CliRun & { url: string };
let argsLog: string;
let token: string;
let metrics: string;

function pathWithStandIns(): string {
  const bin = tempDir('bin');
  for (const [tool, standIn] of Object.entries(STAND_INS)) {
    const file = join(bin, tool);
    writeFileSync(file, `#!/bin/sh\nexec '${join(fakeBin, standIn)}' "$@"\n`);
    chmodSync(file, 0o755);
  }
  return `${bin}:${process.env.PATH ?? ''}`;
}

async function api(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(p.url + path, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Every sample line of one family, without HELP/TYPE. */
const family = (text: string, name: string) =>
  text.split('\n').filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));

beforeAll(async () => {
  const dir = tempDir('hw-e2e');
  argsLog = join(dir, 'smartctl-args.log');
  const config = join(dir, 'proxmon.yaml');
  writeFileSync(
    config,
    [
      'sources:',
      '  smart: { interval_seconds: 2 }',
      '  zpool: { interval_seconds: 2 }',
      '  nvidia: { interval_seconds: 2 }',
      '  ipmi: { interval_seconds: 2 }',
      '  inventory: { interval_seconds: 60 }',
      '',
    ].join('\n'),
  );
  p = await startCli({
    PATH: pathWithStandIns(),
    PROXMON_CONFIG: config,
    PROXMON_ADMIN_USER: ADMIN.username,
    PROXMON_ADMIN_PASSWORD: ADMIN.password,
    ZPOOL_SCENARIO: 'pve8-resilver',
    SMARTCTL_ARGS_LOG: argsLog,
  });
  const login = await fetch(`${p.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(ADMIN),
  });
  token = ((await login.json()) as { access_token: string }).access_token;

  const wanted = [
    'proxmon_disk_info{',
    'proxmon_zfs_pool_state{',
    'proxmon_gpu_info{',
    'proxmon_ipmi_fan_rpm{',
  ];
  const end = Date.now() + 15_000;
  for (;;) {
    metrics = (await get(`${p.url}/metrics`)).text;
    if (wanted.every((w) => metrics.includes(`\n${w}`))) break;
    if (Date.now() > end) throw new Error(`families missing from /metrics:\n${metrics.slice(0, 3000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}, 30_000);

afterAll(async () => {
  p?.child.kill('SIGTERM');
  await p?.exited;
});

describe('hardware and storage through the built CLI with stand-in tools on PATH', () => {
  it('serves the disk families from the recorded smartctl replies', () => {
    expect(metrics).toContain(
      `proxmon_disk_info{disk_id="${SDA}",device="/dev/sda",model="HGST HUS724020ALE640",serial="REDACTED",firmware="REDACTED",protocol="ata",type="hdd"} 1`,
    );
    expect(family(metrics, 'proxmon_disk_smart_passed')).toEqual(
      expect.arrayContaining([
        `proxmon_disk_smart_passed{disk_id="${SDA}"} 1`,
        'proxmon_disk_smart_passed{disk_id="REDACTED"} 0',
      ]),
    );
    expect(metrics).toContain(`proxmon_disk_temperature_celsius{disk_id="${SDA}"} 26`);
    expect(metrics).toContain(`proxmon_disk_power_on_seconds{disk_id="${SDA}"} 300330000`);
    expect(metrics).toContain(`proxmon_disk_crc_errors{disk_id="${SDA}"} 12`);
    expect(metrics).toContain('proxmon_disk_critical_warning{disk_id="REDACTED"} 16');
    expect(metrics).toContain('proxmon_disk_health_severity{disk_id="REDACTED"} 3');
    expect(metrics).toContain('proxmon_disk_smartctl_exit_status{disk_id="0x50014ee26101eee7"} 4');
  });

  it('serves the pool, scan and vdev families from the recorded resilver', () => {
    expect(metrics).toContain('proxmon_zfs_pool_state{pool="rpool",state="degraded"} 1');
    expect(metrics).toContain('proxmon_zfs_pool_state{pool="rpool",state="online"} 0');
    expect(metrics).toContain('proxmon_zfs_pool_size_bytes{pool="rpool"} 996432412672');
    expect(metrics).toContain('proxmon_zfs_pool_scan_in_progress{pool="rpool",function="resilver"} 1');
    expect(metrics).toContain('proxmon_zfs_pool_scan_progress_ratio{pool="rpool"} 0.0059');
    expect(metrics).toContain(
      'proxmon_zfs_vdev_state{pool="rpool",vdev="12573010284538016996",state="unavail"} 1',
    );
    expect(metrics).toContain('proxmon_zfs_vdev_errors{pool="rpool",vdev="mirror-0",type="checksum"} 0');
    expect(metrics).toContain(
      'proxmon_zfs_vdev_info{pool="rpool",vdev="ata-TOSHIBA_MQ01ABD100_96EOC9BST-part3",disk_id="96EOC9BST"} 1',
    );
  });

  it('serves the GPU and IPMI families from the H100 and Supermicro captures', () => {
    expect(metrics).toContain(
      `proxmon_gpu_info{gpu="${H100}",index="0",name="NVIDIA H100 80GB HBM3",vendor="nvidia",driver="580.159.04",pci_bus="0000:00:06.0"} 1`,
    );
    expect(metrics).toContain(`proxmon_gpu_temperature_celsius{gpu="${H100}"} 47`);
    expect(metrics).toContain(`proxmon_gpu_memory_total_bytes{gpu="${H100}"} ${81559 * 2 ** 20}`);
    expect(metrics).toContain(`proxmon_gpu_clock_hertz{gpu="${H100}",clock="memory"} 2619000000`);
    expect(family(metrics, 'proxmon_gpu_fan_ratio')).toEqual([]);
    expect(metrics).toContain('proxmon_ipmi_temperature_celsius{sensor="CPU2 Temp"} 33');
    expect(metrics).toContain('proxmon_ipmi_sensor_severity{sensor="CPU2 Temp"} 3');
    expect(metrics).toContain('proxmon_ipmi_fan_rpm{sensor="FAN1"} 4400');
    for (const source of ['smart', 'zpool', 'nvidia', 'ipmi', 'inventory'])
      expect(metrics).toContain(`proxmon_source_up{source="${source}"} 1`);
  });

  it('lists the disks, registry dates and the resilvering pool on GET /api/storage', async () => {
    const r = await api('/api/storage');
    expect(r.status).toBe(200);
    const body = r.body as {
      disks: Array<{ disk_id: string; device: string; first_seen: string | null; present: boolean }>;
      unreadable: Array<{ device: string; standby: boolean }>;
      pools: Array<{ name: string; state: string; scans: Array<Record<string, unknown>> }>;
    };
    expect(body.disks.map((d) => d.device)).toEqual(['/dev/sda', '/dev/sdc', '/dev/nvme0', '/dev/bus/6']);
    // The registry persisted each disk the first round read.
    for (const d of body.disks) expect(Date.parse(d.first_seen ?? '')).toBeGreaterThan(Date.now() - 60_000);
    expect(body.unreadable).toEqual([expect.objectContaining({ device: '/dev/sdb', standby: true })]);
    expect(body.pools).toHaveLength(1);
    expect(body.pools[0]).toMatchObject({ name: 'rpool', state: 'DEGRADED' });
    expect(body.pools[0]?.scans[0]).toMatchObject({
      function: 'resilver',
      state: 'scanning',
      progress_ratio: 0.0059,
      seconds_left: 168,
    });
    expect((await api('/api/storage/smart/sda')).body).toMatchObject({ disk: { disk_id: SDA } });
  });

  it('never woke a disk: every SMART read carried -n standby', () => {
    const calls = readFileSync(argsLog, 'utf8').trim().split('\n');
    const reads = calls.filter((c) => !/--scan/.test(c));
    expect(calls.some((c) => /--scan/.test(c))).toBe(true);
    expect(reads.length).toBeGreaterThanOrEqual(5);
    for (const call of reads) expect(call).toMatch(/(^| )-n standby( |$)/);
    expect(reads.some((c) => c.endsWith('/dev/sdb'))).toBe(true);
  });

  it('shows the inventory and the GPU on GET /api/hardware', async () => {
    const r = await api('/api/hardware');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      cpu: { model_name: 'Intel(R) Xeon(R) Gold 6230R CPU @ 2.10GHz', sockets: 2 },
      board: { product_name: 'X11DPi-NT' },
      memory: { slots: 4, slots_used: 2 },
      gpus: [{ id: H100, name: 'NVIDIA H100 80GB HBM3' }],
    });
    expect((await api('/api/hardware/gpu/0')).body).toMatchObject({ gpu: { id: H100 } });
  });
});
