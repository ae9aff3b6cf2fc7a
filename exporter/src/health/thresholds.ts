import { z } from 'zod';

/** One tunable: its default, unit and allowed range. Every one of them is read by a check. */
export interface ThresholdSpec {
  default: number;
  unit: '%' | '°C' | 'ms' | 's' | 'count' | 'days' | 'ratio';
  min: number;
  max: number;
  description: string;
}

const pct = (d: number, description: string): ThresholdSpec => ({
  default: d,
  unit: '%',
  min: 1,
  max: 100,
  description,
});
const celsius = (d: number, description: string): ThresholdSpec => ({
  default: d,
  unit: '°C',
  min: 20,
  max: 150,
  description,
});
const seconds = (d: number, description: string, max = 3600): ThresholdSpec => ({
  default: d,
  unit: 's',
  min: 0,
  max,
  description,
});
const count = (d: number, description: string, max = 100_000): ThresholdSpec => ({
  default: d,
  unit: 'count',
  min: 1,
  max,
  description,
});
const days = (d: number, description: string): ThresholdSpec => ({
  default: d,
  unit: 'days',
  min: 1,
  max: 3650,
  description,
});

/**
 * The threshold tree: section → key → spec. Pairs named `<x>_warning`/`<x>_critical` must keep
 * critical ≥ warning; `<x>_recovery` must stay below its warning (hysteresis).
 */
export const THRESHOLDS = {
  cpu: {
    usage_warning: pct(85, 'CPU usage that warns when sustained'),
    usage_critical: pct(95, 'CPU usage that is critical when sustained'),
    usage_recovery: pct(75, 'CPU usage below which a CPU warning clears'),
    sustained_seconds: seconds(300, 'how long usage must stay high (most samples in this window)'),
    temperature_warning: celsius(80, 'hottest CPU sensor that warns when sustained'),
    temperature_critical: celsius(90, 'hottest CPU sensor that is critical when sustained'),
    temperature_recovery: celsius(75, 'CPU temperature below which a temperature alert clears'),
    temperature_sustained_seconds: seconds(180, 'how long the CPU must stay hot'),
  },
  memory: {
    usage_warning: pct(85, 'RAM in use (ZFS ARC counted as free) that warns when sustained'),
    usage_critical: pct(95, 'RAM in use that is critical when sustained'),
    usage_recovery: pct(80, 'RAM usage below which a memory alert clears'),
    sustained_seconds: seconds(300, 'how long memory must stay high'),
    swap_warning: pct(20, 'swap in use, as a share of RAM, that warns'),
    swap_critical: pct(50, 'swap in use, as a share of RAM, that is critical'),
  },
  storage: {
    pve_storage_warning: pct(85, 'PVE storage usage that warns'),
    pve_storage_critical: pct(95, 'PVE storage usage that is critical'),
    zfs_pool_warning: pct(85, 'ZFS pool capacity that warns'),
    zfs_pool_critical: pct(95, 'ZFS pool capacity that is critical'),
    lxc_rootfs_warning: pct(85, 'container root disk usage that warns'),
    lxc_rootfs_critical: pct(95, 'container root disk usage that is critical'),
  },
  disks: {
    filesystem_warning: pct(85, 'host filesystem usage that warns'),
    filesystem_critical: pct(95, 'host filesystem usage that is critical'),
    hdd_temperature_warning: celsius(60, 'HDD temperature that warns'),
    hdd_temperature_critical: celsius(65, 'HDD temperature that is critical'),
    ssd_temperature_warning: celsius(70, 'SATA SSD temperature that warns'),
    ssd_temperature_critical: celsius(75, 'SATA SSD temperature that is critical'),
    nvme_temperature_warning: celsius(80, 'NVMe temperature that warns'),
    nvme_temperature_critical: celsius(85, 'NVMe temperature that is critical'),
    reallocated_sectors_warning: count(1, 'reallocated or pending sectors that warn'),
    reallocated_sectors_critical: count(10, 'reallocated or pending sectors that are critical'),
    wear_warning: pct(80, 'SSD/NVMe wear (life used) that warns'),
    wear_critical: pct(95, 'SSD/NVMe wear (life used) that is critical'),
  },
  network: {
    latency_warning_ms: {
      default: 100,
      unit: 'ms',
      min: 1,
      max: 10_000,
      description: 'gateway latency that warns',
    },
    latency_critical_ms: {
      default: 300,
      unit: 'ms',
      min: 1,
      max: 10_000,
      description: 'gateway latency that is critical',
    },
    packet_loss_warning: pct(20, 'packet loss that warns'),
    packet_loss_critical: pct(100, 'packet loss that is critical'),
  },
  logs: {
    cascade_count: count(15, 'the same error pattern this often in 5 minutes is a cascade'),
    spike_count: count(5, 'errors in 5 minutes needed for a spike'),
    spike_factor: {
      default: 4,
      unit: 'ratio',
      min: 1,
      max: 100,
      description: 'spike: times the previous 5 minutes',
    },
    persistent_count: count(3, 'occurrences of a pattern that make it persistent'),
    persistent_seconds: seconds(900, 'time span a persistent pattern must cover', 86_400),
  },
  updates: {
    security_age_warning_days: days(360, 'days a security update may stay pending before it warns'),
    system_age_warning_days: days(365, 'days since the last upgrade that warn'),
    system_age_critical_days: days(548, 'days since the last upgrade that are critical'),
  },
  security: {
    failed_logins_warning: count(50, 'authentication failures in 24 h that warn'),
    certificate_warning_days: days(30, 'days before the node certificate expires that warn'),
    uptime_warning_days: days(365, 'uptime that warns when there was also no upgrade for as long'),
  },
} satisfies Record<string, Record<string, ThresholdSpec>>;

export type ThresholdSection = keyof typeof THRESHOLDS;
/** Resolved values: the same tree with numbers. */
export type Thresholds = { [S in ThresholdSection]: { [K in keyof (typeof THRESHOLDS)[S]]: number } };

/** User overrides as stored: any subset of the tree. */
export type ThresholdOverrides = {
  [S in ThresholdSection]?: { [K in keyof (typeof THRESHOLDS)[S]]?: number };
};

export function defaultThresholds(): Thresholds {
  return resolveThresholds({});
}

/** Defaults with overrides applied; unknown keys are ignored (a removed threshold in an old database). */
export function resolveThresholds(overrides: ThresholdOverrides): Thresholds {
  const out: Record<string, Record<string, number>> = {};
  for (const [section, specs] of Object.entries(THRESHOLDS)) {
    const o = (overrides as Record<string, Record<string, number> | undefined>)[section] ?? {};
    out[section] = {};
    for (const [key, spec] of Object.entries(specs as Record<string, ThresholdSpec>)) {
      const v = o[key];
      out[section][key] = typeof v === 'number' && Number.isFinite(v) ? v : spec.default;
    }
  }
  return out as Thresholds;
}

/** A zod schema for a PUT body: known sections and keys only, each within its range. */
export const thresholdOverridesSchema = z.strictObject(
  Object.fromEntries(
    Object.entries(THRESHOLDS).map(([section, specs]) => [
      section,
      z
        .strictObject(
          Object.fromEntries(
            Object.entries(specs as Record<string, ThresholdSpec>).map(([key, spec]) => [
              key,
              z.number().min(spec.min).max(spec.max).optional(),
            ]),
          ),
        )
        .optional(),
    ]),
  ),
);

/** Pairs that must stay ordered once overrides are applied; returns the problems, empty when valid. */
export function checkThresholdOrder(t: Thresholds): string[] {
  const problems: string[] = [];
  for (const [section, values] of Object.entries(t) as Array<[string, Record<string, number>]>) {
    for (const [key, warning] of Object.entries(values)) {
      if (!key.endsWith('_warning') && !key.includes('_warning_')) continue;
      const criticalKey = key.replace('_warning', '_critical');
      const critical = values[criticalKey];
      if (critical !== undefined && critical < warning)
        problems.push(`${section}.${criticalKey} (${critical}) must be ≥ ${section}.${key} (${warning})`);
      const recoveryKey = key.replace('_warning', '_recovery');
      const recovery = values[recoveryKey];
      if (recovery !== undefined && recovery >= warning)
        problems.push(`${section}.${recoveryKey} (${recovery}) must be < ${section}.${key} (${warning})`);
    }
  }
  return problems;
}
