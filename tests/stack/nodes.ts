import { chmodSync, copyFileSync, cpSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { fakeBin, startCli, tempDir, type CliRun } from '../support.js';

/** Host tools on each node's PATH and the stand-in (tests/fake-bin) that answers for it. */
const STAND_INS: Record<string, string> = {
  smartctl: 'stack-smartctl',
  zpool: 'stack-zpool',
  pvesh: 'stack-pvesh',
  sensors: 'stack-sensors',
  ipmitool: 'ipmitool-supermicro',
  systemctl: 'systemctl-recorded',
  'apt-get': 'apt-get-recorded',
  'fail2ban-client': 'stack-fail2ban-client',
};

/** Short cadences so the whole stack settles in seconds; the names are proxmon's source names. */
const INTERVALS: Record<string, number> = {
  smart: 2,
  zpool: 2,
  nvidia: 5,
  ipmi: 5,
  sensors: 5,
  ups: 2,
  fail2ban: 5,
  pve: 5,
  'pve-tasks': 5,
  'pve-backups': 5,
  services: 10,
  apt: 30,
};

/**
 * Every source, with a deadline far above its usual one: three exporters, Prometheus, Alertmanager
 * and upsd share what may be a loaded 2-core machine, where a 3 s /proc read can time out.
 */
const SOURCES = Object.fromEntries(
  [
    ...['cpu', 'loadavg', 'memory', 'pressure', 'vmstat', 'filefd', 'softirqs', 'softnet', 'schedstat'],
    ...['ksm', 'diskstats', 'network', 'netstat', 'sockstat', 'conntrack', 'hwmon', 'filesystems', 'latency'],
    ...['hostinfo', 'intelgpu', 'inventory', ...Object.keys(INTERVALS)],
  ].map((name) => [
    name,
    { timeout_seconds: 30, ...(INTERVALS[name] ? { interval_seconds: INTERVALS[name] } : {}) },
  ]),
);

export interface NodeSpec {
  /** PVE node name: stack-pvesh answers as this node, and the scrape target carries it as `node`. */
  name: string;
  /** The zpool-recorded scenario to start with (a folder under tests/fake-bin/fixtures/zpool). */
  zpool: string;
  /** A folder under tests/fake-bin/fixtures/stack laid over the recorded SMART replies, if any. */
  smartctlOverlay?: string;
  /** nvidia-smi answers as the recorded H100 host. */
  gpu?: boolean;
  /** NUT servers to read UPSes from. */
  ups?: Array<{ host: string; port: number; username: string; password: string }>;
  /** Extra top-level config (notifications, ...). */
  config?: Record<string, unknown>;
}

export interface StackNode extends CliRun {
  name: string;
  url: string;
  /** Switches a stand-in's input while the exporter runs (read at every call). */
  setZpoolScenario(scenario: string): void;
  setSmartctlOverlay(overlay: string): void;
}

/**
 * /proc as the exporter sees it: the real /proc's entries (processes left out but pid 1, whose
 * mounts the filesystems source reads), plus a recorded ZFS ARC (spl/kstat/zfs/arcstats) that this
 * machine, without ZFS, lacks.
 */
function procfsWithZfs(dir: string): string {
  const root = join(dir, 'proc');
  mkdirSync(join(root, 'spl/kstat/zfs'), { recursive: true });
  for (const entry of readdirSync('/proc')) {
    if ((/^\d+$/.test(entry) && entry !== '1') || entry === 'spl') continue;
    symlinkSync(join('/proc', entry), join(root, entry));
  }
  copyFileSync(
    join(fakeBin, 'fixtures/stack/proc-spl-kstat-zfs-arcstats.txt'),
    join(root, 'spl/kstat/zfs/arcstats'),
  );
  return root;
}

/**
 * / as the exporter sees it: the real root's entries, and an etc/ with the real /etc's entries plus
 * pve/nodes/<node> holding the recorded node's guest configs, as the cluster filesystem shows them on
 * a PVE node (the pve source reads `onboot` there in pvesh mode).
 */
function rootfsWithPve(dir: string, node: string): string {
  const root = join(dir, 'root');
  mkdirSync(join(root, 'etc'), { recursive: true });
  for (const entry of readdirSync('/')) if (entry !== 'etc') symlinkSync(join('/', entry), join(root, entry));
  for (const entry of readdirSync('/etc'))
    if (entry !== 'pve') symlinkSync(join('/etc', entry), join(root, 'etc', entry));
  cpSync(join(fakeBin, 'fixtures/pve/rootfs/etc/pve/nodes/pve'), join(root, 'etc/pve/nodes', node), {
    recursive: true,
  });
  return root;
}

/** Starts one exporter as the built CLI (`node exporter/dist/cli.js`), with its stand-ins on PATH. */
export async function startNode(spec: NodeSpec): Promise<StackNode> {
  const dir = tempDir(`stack-${spec.name}`);
  const bin = join(dir, 'bin');
  const state = join(dir, 'state');
  mkdirSync(bin);
  mkdirSync(state);
  const tools = { ...STAND_INS, ...(spec.gpu ? { 'nvidia-smi': 'nvidia-smi-h100' } : {}) };
  for (const [tool, standIn] of Object.entries(tools)) {
    // A wrapper, not a symlink: the recorded stand-ins find their fixtures beside their own path.
    writeFileSync(join(bin, tool), `#!/bin/sh\nexec '${join(fakeBin, standIn)}' "$@"\n`);
    chmodSync(join(bin, tool), 0o755);
  }
  const setZpoolScenario = (s: string) => writeFileSync(join(state, 'zpool-scenario'), s);
  const setSmartctlOverlay = (s: string) => writeFileSync(join(state, 'smartctl-overlay'), s);
  setZpoolScenario(spec.zpool);
  if (spec.smartctlOverlay) setSmartctlOverlay(spec.smartctlOverlay);

  const config = join(dir, 'proxmon.yaml');
  writeFileSync(
    config,
    stringify({
      sources: SOURCES,
      // A value survives ten missed collections (not three) before it is dropped as stale.
      stale_after_intervals: 10,
      // The first health cycle soon after start (not 30 s), without a system journal to read here.
      health: { first_run_delay_seconds: 2, journal: { enabled: false } },
      ...(spec.ups ? { ups: { servers: spec.ups } } : {}),
      ...spec.config,
    }),
  );
  const run = await startCli({
    PATH: `${bin}:${process.env.PATH ?? ''}`,
    PROXMON_CONFIG: config,
    PROXMON_PROCFS: procfsWithZfs(dir),
    PROXMON_ROOTFS: rootfsWithPve(dir, spec.name),
    STACK_STATE_DIR: state,
    STACK_PVE_NODE: spec.name,
  });
  return { ...run, name: spec.name, setZpoolScenario, setSmartctlOverlay };
}
