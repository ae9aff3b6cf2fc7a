import { readFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { SnapshotCache } from '../snapshots.js';
import type { Exec } from '../sources/exec.js';
import { ok } from '../sources/source.js';
import { createZpoolSource, type ZpoolSnapshot } from '../sources/zpool/index.js';
import { utcTime } from '../sources/zpool/units.js';
import { sourceContext } from '../test-support/source-context.js';
import { metricNames, registerZfsMetrics } from './zfs.js';

const fixture = (file: string) =>
  readFileSync(new URL(`../sources/zpool/fixtures/${file}`, import.meta.url), 'utf8');

/** Runs the zpool source against recorded outputs (text unless `json` is given), times read as UTC. */
async function snapshot(input: { status?: string; json?: string; list?: string }): Promise<ZpoolSnapshot> {
  const exec: Exec = async (_tool, args) => {
    if (args[0] === 'list') return ok({ stdout: input.list ?? '', stderr: '', exitCode: 0, durationMs: 1 });
    if (args.includes('-j'))
      return input.json === undefined
        ? ok({ stdout: '', stderr: "invalid option 'j'\n", exitCode: 2, durationMs: 1 })
        : ok({ stdout: input.json, stderr: '', exitCode: 0, durationMs: 1 });
    return ok({ stdout: input.status ?? '', stderr: '', exitCode: 0, durationMs: 1 });
  };
  const r = await createZpoolSource({ toEpoch: utcTime }).collect(sourceContext({ exec }));
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

async function render(value: ZpoolSnapshot | undefined): Promise<string[]> {
  const cache = new SnapshotCache(() => 0);
  cache.register('zpool', 180_000);
  if (value) cache.recordSuccess('zpool', value, 0.01);
  const registry = new Registry();
  registerZfsMetrics(registry, cache);
  expect((await registry.getMetricsAsJSON()).map((m) => m.name)).toEqual([...metricNames]);
  return (await registry.metrics()).split('\n').filter((l) => l !== '' && !l.startsWith('#'));
}

const POOL_STATES = ['online', 'degraded', 'faulted', 'offline', 'removed', 'unavail', 'suspended'];
const VDEV_STATES = ['online', 'degraded', 'faulted', 'offline', 'removed', 'unavail', 'avail', 'inuse'];

/** The full state set of a pool or vdev, with 1 on `state`. */
const poolState = (pool: string, state: string) =>
  POOL_STATES.map((s) => `proxmon_zfs_pool_state{pool="${pool}",state="${s}"} ${s === state ? 1 : 0}`);
const vdevState = (pool: string, vdev: string, state: string) =>
  VDEV_STATES.map(
    (s) => `proxmon_zfs_vdev_state{pool="${pool}",vdev="${vdev}",state="${s}"} ${s === state ? 1 : 0}`,
  );
const vdevErrors = (pool: string, vdev: string, [r, w, c]: [number, number, number]) => [
  `proxmon_zfs_vdev_errors{pool="${pool}",vdev="${vdev}",type="read"} ${r}`,
  `proxmon_zfs_vdev_errors{pool="${pool}",vdev="${vdev}",type="write"} ${w}`,
  `proxmon_zfs_vdev_errors{pool="${pool}",vdev="${vdev}",type="checksum"} ${c}`,
];
const scanning = (pool: string, scrub: 0 | 1, resilver: 0 | 1) => [
  `proxmon_zfs_pool_scan_in_progress{pool="${pool}",function="scrub"} ${scrub}`,
  `proxmon_zfs_pool_scan_in_progress{pool="${pool}",function="resilver"} ${resilver}`,
];

interface Case {
  name: string;
  input: () => Promise<ZpoolSnapshot>;
  /** Lines that must all be rendered. */
  lines: string[];
  /** `metric{pool="x"` prefixes that must render no series (unknown, not 0). */
  absent?: string[];
  /** Exact number of series per metric. */
  counts?: Record<string, number>;
}

const cases: Case[] = [
  {
    name: 'a degraded pool with three hot spares in use',
    input: () => snapshot({ status: fixture('zpool-status-degraded-spares-inuse.txt') }),
    lines: [
      ...poolState('mypool', 'degraded'),
      ...scanning('mypool', 0, 0),
      'proxmon_zfs_pool_scan_paused{pool="mypool"} 0',
      ...vdevState('mypool', 'mirror-0', 'degraded'),
      ...vdevState('mypool', 'spare-1', 'faulted'),
      ...vdevState('mypool', 'B0', 'faulted'),
      ...vdevErrors('mypool', 'B0', [0, 294, 0]),
      ...vdevErrors('mypool', 'B1', [0, 101, 0]),
      ...vdevState('mypool', 'spare-0/B14', 'online'),
      ...vdevErrors('mypool', 'spare-0/B14', [0, 0, 0]),
      ...vdevState('mypool', 'B14', 'inuse'),
      ...vdevState('mypool', 'B16', 'inuse'),
    ],
    absent: [
      'proxmon_zfs_vdev_errors{pool="mypool",vdev="B14",',
      'proxmon_zfs_pool_errors{pool="mypool"',
      'proxmon_zfs_pool_size_bytes{pool="mypool"',
      'proxmon_zfs_pool_scan_progress_ratio{pool="mypool"',
      'proxmon_zfs_pool_last_scrub_timestamp_seconds{pool="mypool"',
    ],
    counts: { proxmon_zfs_vdev_state: 18 * 8, proxmon_zfs_vdev_errors: 15 * 3, proxmon_zfs_vdev_info: 0 },
  },
  {
    name: 'a resilver in progress on PVE 8 (replacing a missing disk)',
    input: () =>
      snapshot({
        status: fixture('zpool-status-v-pve8-resilver-in-progress-replacing.txt'),
        list: 'rpool\t996432412672\t7226282476\t989206130196\t0\t1.00\tDEGRADED\n',
      }),
    lines: [
      ...poolState('rpool', 'degraded'),
      'proxmon_zfs_pool_size_bytes{pool="rpool"} 996432412672',
      'proxmon_zfs_pool_allocated_bytes{pool="rpool"} 7226282476',
      'proxmon_zfs_pool_free_bytes{pool="rpool"} 989206130196',
      'proxmon_zfs_pool_fragmentation_ratio{pool="rpool"} 0',
      'proxmon_zfs_pool_dedup_ratio{pool="rpool"} 1',
      ...scanning('rpool', 0, 1),
      'proxmon_zfs_pool_scan_paused{pool="rpool"} 0',
      'proxmon_zfs_pool_scan_progress_ratio{pool="rpool"} 0.0059',
      `proxmon_zfs_pool_scan_repaired_bytes{pool="rpool"} ${Math.round(25.2 * 2 ** 20)}`,
      'proxmon_zfs_pool_errors{pool="rpool"} 0',
      ...vdevState('rpool', 'rpool', 'degraded'),
      ...vdevState('rpool', 'replacing-1', 'degraded'),
      ...vdevState('rpool', '12573010284538016996', 'unavail'),
      ...vdevErrors('rpool', '12573010284538016996', [0, 0, 0]),
      'proxmon_zfs_vdev_info{pool="rpool",vdev="ata-ST31000524AS_5VPD6EX2-part3",disk_id="5VPD6EX2"} 1',
      'proxmon_zfs_vdev_info{pool="rpool",vdev="12573010284538016996",disk_id="5VP07Z06"} 1',
      'proxmon_zfs_vdev_info{pool="rpool",vdev="ata-TOSHIBA_MQ01ABD100_96EOC9BST-part3",disk_id="96EOC9BST"} 1',
    ],
    absent: ['proxmon_zfs_pool_scan_errors{pool="rpool"', 'proxmon_zfs_pool_last_scrub_timestamp_seconds'],
    counts: { proxmon_zfs_vdev_state: 6 * 8, proxmon_zfs_vdev_errors: 6 * 3, proxmon_zfs_vdev_info: 3 },
  },
  {
    name: 'a DEGRADED and an UNAVAIL pool',
    input: () => snapshot({ status: fixture('zpool-status-degraded-and-unavail.txt') }),
    lines: [
      ...poolState('rpool', 'degraded'),
      ...poolState('zpool', 'unavail'),
      ...scanning('rpool', 0, 0),
      ...scanning('zpool', 0, 0),
      'proxmon_zfs_pool_scan_errors{pool="rpool"} 0',
      `proxmon_zfs_pool_scan_repaired_bytes{pool="rpool"} ${Math.round(1.41 * 2 ** 20)}`,
      'proxmon_zfs_pool_errors{pool="rpool"} 0',
      ...vdevState('zpool', 'zpool', 'unavail'),
      ...vdevState('zpool', 'raidz1-0', 'unavail'),
      ...vdevState('zpool', 'c2t1d0p2', 'online'),
      ...vdevState('zpool', 'c4d1p2', 'unavail'),
      ...vdevState('rpool', 'c4d1s0', 'unavail'),
    ],
    absent: [
      'proxmon_zfs_pool_errors{pool="zpool"',
      'proxmon_zfs_pool_scan_errors{pool="zpool"',
      'proxmon_zfs_pool_last_scrub_timestamp_seconds',
    ],
    counts: { proxmon_zfs_pool_state: 14, proxmon_zfs_vdev_state: 10 * 8 },
  },
  {
    name: 'a scrub in progress on PVE 8',
    input: () => snapshot({ status: fixture('zpool-status-v-pve8-scrub-in-progress.txt') }),
    lines: [
      ...poolState('rpool', 'online'),
      ...scanning('rpool', 1, 0),
      'proxmon_zfs_pool_scan_paused{pool="rpool"} 0',
      'proxmon_zfs_pool_scan_progress_ratio{pool="rpool"} 0.2763',
      'proxmon_zfs_pool_scan_repaired_bytes{pool="rpool"} 0',
    ],
    absent: ['proxmon_zfs_pool_last_scrub_timestamp_seconds'],
  },
  {
    name: 'a finished scrub that found 1 error, and data errors',
    input: () => snapshot({ status: fixture('zpool-status-scrub-1-error-data-corruption.txt') }),
    lines: [
      ...scanning('jeremy', 0, 0),
      'proxmon_zfs_pool_scan_errors{pool="jeremy"} 1',
      'proxmon_zfs_pool_last_scrub_timestamp_seconds{pool="jeremy"} 1707080065',
      'proxmon_zfs_pool_errors{pool="jeremy"} 1',
    ],
    absent: ['proxmon_zfs_pool_scan_progress_ratio'],
  },
  {
    name: 'OpenZFS 2.3 JSON: scrub end times, WWN disk ids, dRAID',
    input: () =>
      snapshot({
        json: fixture('zpool-status-j-json-int-pve-4pools.json'),
        list: 'zpool-hdd\t15994458210304\t214695936\t15994243514368\t0\t1.00\tONLINE\n',
      }),
    lines: [
      ...poolState('zpool-hdd', 'online'),
      'proxmon_zfs_pool_size_bytes{pool="zpool-hdd"} 15994458210304',
      ...scanning('rpool', 0, 0),
      'proxmon_zfs_pool_scan_repaired_bytes{pool="rpool"} 293425152',
      'proxmon_zfs_pool_last_scrub_timestamp_seconds{pool="zpool-hdd"} 1764050414',
      'proxmon_zfs_pool_last_scrub_timestamp_seconds{pool="zpool-ssd"} 1764055279',
      ...vdevState('zpool-hdd', 'draid1:7d:8c:0s-0', 'online'),
      'proxmon_zfs_vdev_info{pool="zpool-hdd",vdev="wwn-0x5000cca222cfba91",disk_id="0x5000cca222cfba91"} 1',
      'proxmon_zfs_vdev_info{pool="zpool-nvme",vdev="nvme-nvme.144d-533158584e594147393030323535-53414d53554e47204d5a5650563531324844474c2d3030303030-00000001",disk_id="S1XXNYAG900255"} 1',
    ],
    absent: [
      'proxmon_zfs_pool_last_scrub_timestamp_seconds{pool="rpool"',
      'proxmon_zfs_pool_size_bytes{pool="rpool"',
    ],
    counts: { proxmon_zfs_pool_state: 4 * 7, proxmon_zfs_vdev_info: 2 + 8 + 1 + 8 },
  },
  {
    name: 'a scan line in a form not known here: no scan state rather than a guess',
    input: () =>
      snapshot({ status: '  pool: tank\n state: ONLINE\n  scan: defragmenting since yesterday\nconfig:\n' }),
    lines: [...poolState('tank', 'online')],
    absent: ['proxmon_zfs_pool_scan_in_progress{pool="tank"', 'proxmon_zfs_pool_scan_paused{pool="tank"'],
  },
];

describe('zfs metrics', () => {
  it.each(cases)('renders $name', async ({ input, lines, absent = [], counts = {} }) => {
    const rendered = await render(await input());
    expect(rendered).toEqual(expect.arrayContaining(lines));
    for (const prefix of absent) expect(rendered.filter((l) => l.startsWith(prefix))).toEqual([]);
    for (const [metric, n] of Object.entries(counts))
      expect(
        rendered.filter((l) => l.startsWith(`${metric}{`)),
        metric,
      ).toHaveLength(n);
  });

  it('renders a paused scrub exactly', async () => {
    expect(await render(await snapshot({ status: fixture('zpool-status-scrub-paused.txt') }))).toEqual([
      ...poolState('tank1', 'online'),
      ...scanning('tank1', 1, 0),
      'proxmon_zfs_pool_scan_paused{pool="tank1"} 1',
      'proxmon_zfs_pool_scan_progress_ratio{pool="tank1"} 0',
      'proxmon_zfs_pool_scan_repaired_bytes{pool="tank1"} 0',
    ]);
  });

  it('renders nothing without a fresh snapshot, and nothing for a host without pools', async () => {
    expect(await render(undefined)).toEqual([]);
    expect(await render({ format: 'text', pools: [] })).toEqual([]);
  });
});
