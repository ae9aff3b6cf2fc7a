import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Sampler } from '../../exporter/src/health/samples.js';
import { recordSamples, SAMPLE_KEEP_SECONDS } from '../../exporter/src/health/sampling.js';
import {
  parseClusterResources,
  parseClusterStatus,
  parseNodeStatus,
  parseNodeStorage,
  parseVersion,
} from '../../exporter/src/pve-model/index.js';
import { syntheticClusterResources } from '../../exporter/src/pve-model/synthetic.js';
import { SnapshotCache } from '../../exporter/src/snapshots.js';
import { parseAptSimulation } from '../../exporter/src/sources/apt/parse.js';
import { cpuUsageRatio } from '../../exporter/src/sources/cpu/usage.js';
import { parseProcStat } from '../../exporter/src/sources/cpu/parse.js';
import { parseMounts, parseStatfs } from '../../exporter/src/sources/filesystems/parse.js';
import {
  DEFAULT_FS_TYPES_EXCLUDE,
  DEFAULT_MOUNT_POINTS_EXCLUDE,
  selectMounts,
} from '../../exporter/src/sources/filesystems/select.js';
import type { HostInfo } from '../../exporter/src/sources/hostinfo/index.js';
import { parseUptime } from '../../exporter/src/sources/hostinfo/parse.js';
import { createMemorySource } from '../../exporter/src/sources/memory/index.js';
import { createNetworkSource } from '../../exporter/src/sources/network/index.js';
import type { PveSnapshot } from '../../exporter/src/sources/pve/index.js';
import { parseSystemctlShow } from '../../exporter/src/sources/services/parse.js';
import {
  assessDisk,
  DEFAULT_TEMPERATURE_THRESHOLDS,
  parseSmartctlReply,
  type DiskState,
  type SmartSnapshot,
} from '../../exporter/src/sources/smart/index.js';
import type { Result } from '../../exporter/src/sources/source.js';
import { parseZpoolStatus } from '../../exporter/src/sources/zpool/parse.js';
import { utcTime } from '../../exporter/src/sources/zpool/units.js';
import { sourceContext } from '../../exporter/src/test-support/source-context.js';

export const HOST_GUESTS = 1000;
export const HOST_DISKS = 100;

const SRC = new URL('../../exporter/src/', import.meta.url);
const text = (path: string) => readFileSync(new URL(path, SRC), 'utf8');
const json = (path: string): unknown => JSON.parse(text(path));
const dir = (path: string) => fileURLToPath(new URL(path, SRC));

function value<T>(what: string, r: Result<T>): T {
  if (!r.ok) throw new Error(`${what}: ${r.error.message}`);
  return r.value;
}

/**
 * The last values of every source the health checks read, as a large standalone PVE node would have
 * them, each taken through its source's parser (or the source itself, over a recorded /proc or /sys
 * tree): 1000 guests, 100 disks (8 failing, 4 more with logged errors), a degraded and an unavailable
 * pool, and a sampler holding the 3 h of CPU and memory history that a running proxmon keeps.
 */
export async function largeHost(now: number): Promise<{ snapshots: SnapshotCache; samples: Sampler }> {
  const fresh: Record<string, unknown> = {
    pve: pve(),
    smart: smart(now),
    zpool: {
      format: 'text',
      pools: ['zpool-status-healthy-3pools.txt', 'zpool-status-degraded-and-unavail.txt'].flatMap((f) =>
        value(f, parseZpoolStatus(text(`sources/zpool/fixtures/${f}`), { toEpoch: utcTime })),
      ),
    },
    filesystems: filesystems(),
    network: await collected('network', createNetworkSource(), {
      procfs: dir('sources/network/fixtures/host-pve-constructed/proc'),
      sysfs: dir('sources/network/fixtures/host-pve-constructed/sys'),
    }),
    memory: await collected('memory', createMemorySource(), {
      procfs: dir('sources/memory/fixtures/root-pve-zfs-host/proc'),
    }),
    cpu: cpu(),
    services: value(
      'services',
      parseSystemctlShow(
        text('sources/services/fixtures/systemctl-show-pve-pvestatd-failed-constructed.txt'),
        ['pveproxy', 'pvedaemon', 'pvestatd', 'pve-cluster', 'corosync'],
      ),
    ),
    apt: value(
      'apt',
      parseAptSimulation(text('sources/apt/fixtures/apt-get-s-dist-upgrade-debian12-128-upgrades.txt')),
    ),
    hostinfo: {
      hostname: 'pve1',
      kernel: text('sources/hostinfo/fixtures/proc-sys-kernel-osrelease.txt').trim(),
      os: 'Debian GNU/Linux 12 (bookworm)',
      pveVersion: '9.2.2',
      uptimeSeconds: value('uptime', parseUptime(text('sources/hostinfo/fixtures/proc-uptime.txt'))),
    } satisfies HostInfo,
  };
  const snapshots = new SnapshotCache(() => now);
  for (const [name, v] of Object.entries(fresh)) {
    // Fresh for the whole bench: the warm cycle runs 5 minutes of clock later.
    snapshots.register(name, 3_600_000);
    snapshots.recordSuccess(name, v, 0.01);
  }
  const samples = new Sampler(SAMPLE_KEEP_SECONDS);
  for (let t = now - SAMPLE_KEEP_SECONDS * 1000; t <= now; t += 5000) {
    recordSamples(samples, 'cpu', snapshots, t);
    recordSamples(samples, 'memory', snapshots, t);
  }
  return { snapshots, samples };
}

async function collected<T>(
  name: string,
  source: { collect: (ctx: ReturnType<typeof sourceContext>) => Promise<Result<T>> },
  paths: { procfs?: string; sysfs?: string },
): Promise<T> {
  return value(name, await source.collect(sourceContext({ paths })));
}

/** All guests on this node (scope node), from the synthetic `/cluster/resources` of one node. */
function pve(): PveSnapshot {
  const model = 'pve-model/fixtures/';
  return {
    mode: 'pvesh',
    scope: 'node',
    node: 'pve1',
    version: value('version', parseVersion(json(`${model}pve92-version-real.json`))),
    cluster: value('cluster', parseClusterStatus(json(`${model}pve92-cluster-status-standalone-real.json`))),
    nodeStatus: value('node status', parseNodeStatus(json(`${model}pve92-node-status-real-trimmed.json`))),
    guests: value('resources', parseClusterResources(syntheticClusterResources(HOST_GUESTS, 1))).guests,
    storages: value('storage', parseNodeStorage(json(`${model}node-storage.json`))),
  };
}

/** Recorded smartctl replies and how many of the 100 disks are cloned from each. */
const SMART_MIX: ReadonlyArray<readonly [file: string, disks: number]> = [
  ['smartctl-x-sata-ssd-samsung860.json', 30],
  ['smartctl-a-nvme-smartctl74.json', 30],
  ['smartctl-a-sas-smartctl74.json', 20],
  ['smartctl-a-sas-smartctl67.json', 8],
  ['smartctl-a-sata-hdd-errorlog-exit64.json', 4],
  ['smartctl-x-nvme-media-errors.json', 3],
  ['smartctl-a-nvme-critical-warning-failed.json', 3],
  ['smartctl-a-sata-hdd-failing-usbjmicron-exit216.json', 2],
];

/** Real parsed disks, cloned under distinct serials and device paths, as the source would list them. */
function smart(now: number): SmartSnapshot {
  const disks: DiskState[] = [];
  for (const [file, count] of SMART_MIX) {
    const reply = text(`sources/smart/fixtures/${file}`);
    const exitCode = Number(/"exit_status":\s*(\d+)/.exec(reply)?.[1] ?? 0);
    const parsed = value(file, parseSmartctlReply(reply, exitCode));
    if (parsed.kind !== 'reading') throw new Error(`${file}: not a reading`);
    for (let i = 0; i < count; i++) {
      const n = disks.length;
      const serial = `BENCH${String(n).padStart(4, '0')}`;
      const nvme = parsed.identity.protocol === 'nvme';
      const identity = {
        ...parsed.identity,
        diskId: serial,
        serial,
        wwn: undefined,
        device: nvme ? `/dev/nvme${n}n1` : `/dev/sd${deviceLetters(n)}`,
      };
      disks.push({
        diskId: serial,
        identity,
        values: parsed.values,
        exitStatus: parsed.exitStatus,
        readAt: now,
        standby: false,
        health: assessDisk(identity, parsed.values, parsed.exitStatus, DEFAULT_TEMPERATURE_THRESHOLDS),
        messages: parsed.messages,
      });
    }
  }
  return { disks, unreadable: [] };
}

/** sda … sdz, sdaa … (the kernel's naming). */
function deviceLetters(n: number): string {
  const a = 'abcdefghijklmnopqrstuvwxyz';
  return n < 26 ? a[n]! : a[Math.floor(n / 26) - 1]! + a[n % 26]!;
}

/** The PVE 8 mount table (ZFS, NFS) through the source's default selection, each as the recorded root. */
function filesystems() {
  const mounts = value(
    'mounts',
    parseMounts(text('sources/filesystems/fixtures/proc-mounts-pve8-zfs-nfs-constructed.txt')),
  );
  const stats = value('statfs', parseStatfs(text('sources/filesystems/fixtures/stat-f-ext4-root.txt')));
  const selected = selectMounts(mounts, {
    fsTypesExclude: DEFAULT_FS_TYPES_EXCLUDE,
    mountPointsExclude: DEFAULT_MOUNT_POINTS_EXCLUDE,
  });
  return { filesystems: selected.map((m) => ({ ...m, ...stats, deviceError: false, stuck: false })) };
}

/** Two recorded /proc/stat samples: the source's usage over the window between them. */
function cpu() {
  const stat = (f: string) => value(f, parseProcStat(text(`sources/cpu/fixtures/${f}`)));
  const before = stat('proc-stat-debian12-vm-2cpu.txt');
  const after = stat('proc-stat-debian12-vm-2cpu-later.txt');
  return { ...after, usageRatio: cpuUsageRatio(before.total, after.total) };
}
