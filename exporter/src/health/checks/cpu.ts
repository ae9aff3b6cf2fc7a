import { CPU_SOURCE, type CpuSnapshot } from '../../sources/cpu/index.js';
import type { CategoryCheck, CategoryEvaluation, CheckRow, ResourceKind } from '../check.js';
import { cpuTemperatureCelsius, cpuUsagePercent } from '../measures.js';
import { sustained, type Sample, type SampleHistory, type SeriesName } from '../samples.js';
import { sourceState } from './source-state.js';

export interface HysteresisLimits {
  warning: number;
  critical: number;
  /** Once raised, the alert holds (as WARNING) until the series drops below this. */
  recovery: number;
  /** The level must hold for most of this window to count. */
  seconds: number;
}

export interface SustainedLevel {
  status: 'OK' | 'WARNING' | 'CRITICAL';
  /** The level is a warning held above the recovery threshold, not a sustained high. */
  held: boolean;
}

/** A held alert clears once half the samples of this recent window are below the recovery level. */
const RECOVERY_SECONDS = 120;
/** History replayed to learn whether an alert was raised earlier and is still held. */
const REPLAY_WINDOWS = 3;

/**
 * The level of a series with hysteresis, as a pure function of its history: the history is replayed
 * sample by sample through the same state machine, so no state is kept between cycles. CRITICAL or
 * WARNING when sustained for the window (see `sustained`); an alert then holds as WARNING until the
 * series recovers below `recovery`. Undefined when the window has no samples (unknown).
 */
export function sustainedLevel(
  samples: SampleHistory,
  series: SeriesName,
  limits: HysteresisLimits,
  now: number,
): SustainedLevel | undefined {
  const windowMs = limits.seconds * 1000;
  const history = samples.window(series, limits.seconds * REPLAY_WINDOWS, now);
  if (!history.some((s) => s.t > now - windowMs)) return undefined;
  let level: SustainedLevel = { status: 'OK', held: false };
  let from = 0;
  const step = (end: number, at: number) => {
    while (from < end && history[from]!.t <= at - windowMs) from++;
    const window = history.slice(from, end);
    const opts = { seconds: limits.seconds, now: at };
    if (sustained(window, limits.critical, opts)) level = { status: 'CRITICAL', held: false };
    else if (sustained(window, limits.warning, opts)) level = { status: 'WARNING', held: false };
    else if (level.status !== 'OK' && !recovered(window, limits.recovery, at))
      level = { status: 'WARNING', held: true };
    else level = { status: 'OK', held: false };
  };
  for (let i = 0; i < history.length; i++) step(i + 1, history[i]!.t);
  step(history.length, now);
  return level;
}

function recovered(window: readonly Sample[], recovery: number, at: number): boolean {
  const recent = window.filter((s) => s.t > at - RECOVERY_SECONDS * 1000);
  if (recent.length === 0) return true;
  return recent.filter((s) => s.v < recovery).length * 2 >= recent.length;
}

/** The row and finding for a sustained series; host-wide, so the error key is the check name. */
export function sustainedRow(
  evaluation: CategoryEvaluation,
  check: string,
  what: string,
  unit: string,
  current: number,
  level: SustainedLevel | undefined,
  limits: HysteresisLimits,
): void {
  const value = round(current);
  const now = `${what} ${value}${unit}`;
  let reason: string;
  if (!level) reason = `${now}; no samples yet to judge a sustained level`;
  else if (level.status === 'CRITICAL')
    reason = `${now}; at or above ${limits.critical}${unit} (critical) for most of ${limits.seconds} s`;
  else if (level.held) reason = `${now}; was high, alert held until it drops below ${limits.recovery}${unit}`;
  else if (level.status === 'WARNING')
    reason = `${now}; at or above ${limits.warning}${unit} (warning) for most of ${limits.seconds} s`;
  else reason = `${now}; below ${limits.warning}${unit} (warning) over ${limits.seconds} s`;
  addRow(
    evaluation,
    { check, status: level?.status ?? 'OK', reason, value },
    { key: check, details: { value, ...limits, held: level?.held ?? false } },
  );
}

const round = (v: number) => Math.round(v * 10) / 10;

/** What a non-OK row's finding is about: its stable key, the resource it names, extra details. */
export interface FindingSpec {
  key: string;
  resource?: { kind: ResourceKind; id: string };
  details?: Record<string, unknown>;
}

/**
 * Adds a row, and for an INFO/WARNING/CRITICAL row with a spec its finding (same reason, severity and
 * key; `details.resource` set for the store's cleanup). Shared by the host categories.
 */
export function addRow(evaluation: CategoryEvaluation, row: CheckRow, finding?: FindingSpec): void {
  const severity = row.status;
  if (finding && severity !== 'OK' && severity !== 'UNKNOWN') {
    row.errorKey = finding.key;
    const details = { ...finding.details, ...(finding.resource ? { resource: finding.resource } : {}) };
    evaluation.findings.push({
      errorKey: finding.key,
      category: evaluation.category,
      check: row.check,
      severity,
      reason: row.reason,
      details,
    });
  }
  evaluation.rows.push(row);
}

/** `value` against a warning/critical pair; reaching a threshold counts. */
export function levelOf(value: number, warning: number, critical: number): 'OK' | 'WARNING' | 'CRITICAL' {
  return value >= critical ? 'CRITICAL' : value >= warning ? 'WARNING' : 'OK';
}

/**
 * CPU usage and the hottest CPU sensor, both with hysteresis over the sampler's history (`cpu_usage`,
 * `cpu_temperature`). Temperature reaches CRITICAL too; a host without a CPU sensor gets an INFO row.
 */
export const checkCpu: CategoryCheck = (inputs) => {
  const { snapshots, thresholds, samples, now } = inputs;
  const t = thresholds.cpu;
  const evaluation: CategoryEvaluation = { category: 'cpu', rows: [], findings: [] };

  const usage = cpuUsagePercent(snapshots);
  const cpuSource = sourceState<CpuSnapshot>(snapshots, CPU_SOURCE);
  const cpuFresh = cpuSource.kind === 'fresh';
  const usageLimits = {
    warning: t.usage_warning,
    critical: t.usage_critical,
    recovery: t.usage_recovery,
    seconds: t.sustained_seconds,
  };
  const usageLevel = sustainedLevel(samples, 'cpu_usage', usageLimits, now);
  if (cpuSource.kind !== 'fresh')
    evaluation.rows.push({ check: 'cpu_usage', status: 'UNKNOWN', reason: cpuSource.reason });
  else if (usage === undefined && !usageLevel)
    evaluation.rows.push({
      check: 'cpu_usage',
      status: 'OK',
      reason: 'first /proc/stat sample taken; usage is known from the next one',
    });
  else {
    const current = usage ?? samples.window('cpu_usage', t.sustained_seconds, now).at(-1)!.v;
    sustainedRow(evaluation, 'cpu_usage', 'CPU usage', '%', current, usageLevel, usageLimits);
  }

  const temperature = cpuTemperatureCelsius(snapshots);
  const sensorStates = [sourceState(snapshots, 'sensors').kind, sourceState(snapshots, 'hwmon').kind];
  const tempLimits = {
    warning: t.temperature_warning,
    critical: t.temperature_critical,
    recovery: t.temperature_recovery,
    seconds: t.temperature_sustained_seconds,
  };
  if (temperature !== undefined) {
    const level = sustainedLevel(samples, 'cpu_temperature', tempLimits, now);
    sustainedRow(evaluation, 'cpu_temperature', 'hottest CPU sensor', ' °C', temperature, level, tempLimits);
  } else if (sensorStates.includes('fresh') || sensorStates.every((s) => s === 'absent'))
    evaluation.rows.push({
      check: 'cpu_temperature',
      status: 'INFO',
      reason: 'no CPU temperature sensor exposed (a VM, or the sensor driver/lm-sensors is not loaded)',
    });
  else
    evaluation.rows.push({
      check: 'cpu_temperature',
      status: 'UNKNOWN',
      reason: 'sensors and hwmon sources have no fresh value',
    });

  if (!cpuFresh && temperature === undefined && !sensorStates.includes('fresh'))
    return { ...evaluation, findings: [], unknown: 'cpu, sensors and hwmon sources have no fresh value' };
  return evaluation;
};
