import { APT_SOURCE, type AptSnapshot, type AptUpgrade } from '../../sources/apt/index.js';
import { HOSTINFO_SOURCE, type HostInfo } from '../../sources/hostinfo/index.js';
import { PVE_SOURCE, type PveSnapshot } from '../../sources/pve/index.js';
import type { CategoryCheck, CheckRow, HealthInputs } from '../check.js';
import type { Finding, Severity } from '../finding.js';
import { freshValue, sourceState } from './source-state.js';

const DAY_MS = 86_400_000;
const LIST_MAX = 5;

/** Kernel and firmware packages: an upgrade needs a reboot to take effect. */
const KERNEL = /^(?:linux-image|pve-kernel|proxmox-kernel)\b|firmware/;
/** Proxmox's own stack (kernels excluded above). */
const PVE_PACKAGE = /^(?:pve-|proxmox-|libpve|pbs-|pmg-|ceph|corosync)|^(?:qemu-server|lxc-pve)$/;

/** `libc6:i386` → `libc6`. */
const baseName = (pkg: string) => pkg.replace(/:[^:]+$/, '');

/**
 * Pending upgrades from the `apt` source (a daily `apt-get -s dist-upgrade`) and the last upgrade time:
 * - `security_updates`: INFO while security updates are pending, WARNING once one has been pending for
 *   `updates.security_age_warning_days` (from `extras.securityPendingSince`);
 * - `system_age`: days since the last upgrade, WARNING/CRITICAL at `updates.system_age_{warning,critical}_days`;
 * - `kernel_pve`: kernel/firmware updates, INFO, saying when one is the running kernel's branch;
 * - `pending_updates`: the count, and Proxmox packages among them as INFO `pve_updates`;
 * - `pve_version`: pve-manager's version, INFO when a newer one is pending.
 */
export const checkUpdates: CategoryCheck = (inputs) => {
  const apt = sourceState<AptSnapshot>(inputs.snapshots, APT_SOURCE);
  const lastUpgradeAt = inputs.extras.lastUpgradeAt;
  if (apt.kind !== 'fresh' && lastUpgradeAt === undefined) {
    if (apt.kind === 'absent')
      return { category: 'updates', rows: [], findings: [], skipped: `no apt on this host: ${apt.reason}` };
    return { category: 'updates', rows: [], findings: [], unknown: `${apt.reason}; no apt history either` };
  }

  const out = new Collector();
  if (apt.kind === 'fresh') {
    securityRow(out, apt.value, inputs);
    pendingRow(out, apt.value);
    kernelRow(out, apt.value, freshValue(sourceState<HostInfo>(inputs.snapshots, HOSTINFO_SOURCE)));
  } else {
    for (const check of ['security_updates', 'pending_updates', 'kernel_pve'])
      out.row({ check, status: 'UNKNOWN', reason: apt.reason });
  }
  systemAgeRow(out, lastUpgradeAt, inputs);
  pveVersionRow(out, apt.kind === 'fresh' ? apt.value : undefined, inputs);
  return { category: 'updates', rows: out.rows, findings: out.findings };
};

class Collector {
  rows: CheckRow[] = [];
  findings: Finding[] = [];
  row(row: CheckRow): void {
    this.rows.push(row);
  }
  problem(
    check: string,
    errorKey: string,
    severity: Severity,
    reason: string,
    details: Record<string, unknown>,
    value?: number,
  ): void {
    this.rows.push({ check, status: severity, reason, errorKey, ...(value !== undefined && { value }) });
    this.findings.push({ errorKey, category: 'updates', check, severity, reason, details });
  }
}

function securityRow(out: Collector, apt: AptSnapshot, inputs: HealthInputs): void {
  const security = apt.upgrades.filter((u) => u.security);
  if (security.length === 0) {
    out.row({ check: 'security_updates', status: 'OK', reason: 'No security updates pending', value: 0 });
    return;
  }
  const warnDays = inputs.thresholds.updates.security_age_warning_days;
  const since = inputs.extras.securityPendingSince;
  let oldest: { pkg: string; at: number } | undefined;
  for (const u of security) {
    const at = since?.get(u.package) ?? since?.get(baseName(u.package));
    if (at !== undefined && (oldest === undefined || at < oldest.at)) oldest = { pkg: u.package, at };
  }
  const ageDays =
    oldest === undefined ? undefined : Math.max(0, Math.floor((inputs.now - oldest.at) / DAY_MS));
  const severity: Severity = ageDays !== undefined && ageDays >= warnDays ? 'WARNING' : 'INFO';
  const age =
    oldest === undefined || ageDays === undefined
      ? `not known how long they have been pending (warns after ${warnDays} days)`
      : `the oldest, ${oldest.pkg}, has been pending ${days(ageDays)} (warns after ${warnDays} days)`;
  const reason = `${count(security.length, 'security update')} pending (${list(security)}); ${age}`;
  out.problem(
    'security_updates',
    'security_updates',
    severity,
    reason,
    {
      packages: security.map((u) => u.package),
      ...(oldest !== undefined && { oldestPackage: oldest.pkg, pendingSince: oldest.at }),
    },
    security.length,
  );
}

function pendingRow(out: Collector, apt: AptSnapshot): void {
  const pve = apt.upgrades.filter(
    (u) => PVE_PACKAGE.test(baseName(u.package)) && !KERNEL.test(baseName(u.package)),
  );
  const held = apt.notUpgraded ? `; ${apt.notUpgraded} held back` : '';
  if (pve.length === 0) {
    out.row({
      check: 'pending_updates',
      status: 'OK',
      reason: `${count(apt.counts.all, 'upgrade')} pending, none from Proxmox${held}`,
      value: apt.counts.all,
    });
    return;
  }
  out.problem(
    'pending_updates',
    'pve_updates',
    'INFO',
    `${count(apt.counts.all, 'upgrade')} pending, ${pve.length} from Proxmox: ${list(pve, true)}${held}`,
    { packages: pve.map((u) => ({ package: u.package, from: u.from, to: u.to })), total: apt.counts.all },
    apt.counts.all,
  );
}

function kernelRow(out: Collector, apt: AptSnapshot, host: HostInfo | undefined): void {
  const kernels = apt.upgrades.filter((u) => KERNEL.test(baseName(u.package)));
  if (kernels.length === 0) {
    out.row({ check: 'kernel_pve', status: 'OK', reason: 'No kernel or firmware updates pending', value: 0 });
    return;
  }
  // 6.8.12-4-pve → 6.8: the branch a `proxmox-kernel-6.8` meta package follows.
  const running = host?.kernel;
  const branch = running === undefined ? undefined : /^(\d+\.\d+)/.exec(running)?.[1];
  const current = branch === undefined ? undefined : kernels.find((u) => u.package.includes(`-${branch}`));
  const note = current
    ? `; ${current.package} is the running kernel's branch (${running}): reboot after upgrading`
    : running
      ? `; running ${running}`
      : '';
  out.problem(
    'kernel_pve',
    'kernel_pve',
    'INFO',
    `${count(kernels.length, 'kernel/firmware update')} pending: ${list(kernels, true)}${note}`,
    {
      packages: kernels.map((u) => ({ package: u.package, from: u.from, to: u.to })),
      ...(running !== undefined && { runningKernel: running }),
      runningBranch: current !== undefined,
    },
    kernels.length,
  );
}

function systemAgeRow(out: Collector, lastUpgradeAt: number | undefined, inputs: HealthInputs): void {
  if (lastUpgradeAt === undefined) {
    out.row({ check: 'system_age', status: 'UNKNOWN', reason: 'No apt history (/var/log/apt/history.log)' });
    return;
  }
  const { system_age_warning_days: warn, system_age_critical_days: crit } = inputs.thresholds.updates;
  const age = Math.max(0, Math.floor((inputs.now - lastUpgradeAt) / DAY_MS));
  const limits = `warning at ${warn}, critical at ${crit} days`;
  if (age < warn) {
    out.row({
      check: 'system_age',
      status: 'OK',
      reason: `Last upgrade ${days(age)} ago (${limits})`,
      value: age,
    });
    return;
  }
  out.problem(
    'system_age',
    'system_age',
    age >= crit ? 'CRITICAL' : 'WARNING',
    `No package upgrade for ${days(age)} (${limits})`,
    { lastUpgradeAt, days: age },
    age,
  );
}

function pveVersionRow(out: Collector, apt: AptSnapshot | undefined, inputs: HealthInputs): void {
  const pve = freshValue(sourceState<PveSnapshot>(inputs.snapshots, PVE_SOURCE));
  const host = freshValue(sourceState<HostInfo>(inputs.snapshots, HOSTINFO_SOURCE));
  // `/version` is pve-manager's version; `pveversion` (hostinfo) where the API is not reachable.
  const installed = pve?.version.version ?? (host?.pveVersion || undefined);
  const manager = apt?.upgrades.find((u) => baseName(u.package) === 'pve-manager');
  if (manager) {
    const from = manager.from ?? installed ?? 'not installed';
    out.problem('pve_version', 'pve_version', 'INFO', `pve-manager ${from} → ${manager.to} is available`, {
      from,
      to: manager.to,
    });
    return;
  }
  if (installed === undefined) return; // not a PVE node: no row
  out.row({
    check: 'pve_version',
    status: apt ? 'OK' : 'UNKNOWN',
    reason: apt
      ? `pve-manager ${installed} is the newest available`
      : `pve-manager ${installed}; pending upgrades unknown`,
  });
}

const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
const days = (n: number) => (n === 1 ? '1 day' : `${n} days`);

function list(upgrades: readonly AptUpgrade[], versions = false): string {
  const shown = upgrades
    .slice(0, LIST_MAX)
    .map((u) => (versions ? `${u.package} ${u.from ?? 'new'} → ${u.to}` : u.package));
  return upgrades.length > LIST_MAX
    ? `${shown.join(', ')} and ${upgrades.length - LIST_MAX} more`
    : shown.join(', ');
}
