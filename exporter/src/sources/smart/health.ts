import { EXIT, hasBit } from './exit-status.js';
import type { DiskHealth, DiskIdentity, HealthReason, Severity, SmartValues } from './types.js';

export type TemperatureClass = 'hdd' | 'ssd' | 'nvme' | 'sas';

export interface TemperatureThreshold {
  warning: number;
  critical: number;
}

/** ProxMenux Monitor's disk temperature defaults (°C), per class of disk. */
export const DEFAULT_TEMPERATURE_THRESHOLDS: Readonly<Record<TemperatureClass, TemperatureThreshold>> = {
  hdd: { warning: 60, critical: 65 },
  ssd: { warning: 70, critical: 75 },
  nvme: { warning: 80, critical: 85 },
  sas: { warning: 55, critical: 65 },
};

/** Reallocated, pending and offline-uncorrectable sectors: any is a warning, more than this critical. */
const SECTORS_CRITICAL_ABOVE = 10;
const WEAR_WARNING = 0.9;
const WEAR_CRITICAL = 1;

const NVME_CRITICAL_WARNING_BITS = [
  'available spare below threshold',
  'temperature outside its limits',
  'NVM subsystem reliability degraded',
  'media placed in read-only mode',
  'volatile memory backup failed',
  'persistent memory region unreliable',
];
const NVME_TEMPERATURE_BIT = 1 << 1;

/** SAS/SCSI spinning disks have their own (lower) limits; an unknown ATA disk is judged as an HDD. */
export function temperatureClass(identity: Pick<DiskIdentity, 'protocol' | 'kind'>): TemperatureClass {
  if (identity.kind === 'nvme' || identity.protocol === 'nvme') return 'nvme';
  if (identity.kind === 'ssd') return 'ssd';
  if (identity.protocol === 'scsi') return 'sas';
  return 'hdd';
}

/**
 * The verdict on one disk: every finding with its own severity (0 OK, 1 INFO, 2 WARNING,
 * 3 CRITICAL), the worst of them overall. Pure: the same values always give the same verdict.
 */
export function assessDisk(
  identity: Pick<DiskIdentity, 'protocol' | 'kind'>,
  values: SmartValues,
  exitStatus: number,
  thresholds: Readonly<Record<TemperatureClass, TemperatureThreshold>> = DEFAULT_TEMPERATURE_THRESHOLDS,
): DiskHealth {
  const reasons: HealthReason[] = [];
  const add = (code: string, severity: Severity, message: string) =>
    reasons.push({ code, severity, message });
  const named = (when: string, prefailure?: boolean) =>
    values.attributes
      .filter((a) => a.whenFailed === when && (prefailure === undefined || a.prefailure === prefailure))
      .map((a) => a.name);

  if (values.smartPassed === false || hasBit(exitStatus, EXIT.DISK_FAILING))
    add('smart_failed', 3, 'SMART overall-health self-assessment: FAILED');
  const prefailNow = named('now', true);
  if (prefailNow.length || hasBit(exitStatus, EXIT.PREFAIL_BELOW_THRESHOLD))
    add('prefail_attribute_failing', 3, `pre-failure attribute at or below its threshold${list(prefailNow)}`);
  const oldAgeNow = named('now', false);
  if (oldAgeNow.length) add('attribute_failing', 2, `attribute at or below its threshold${list(oldAgeNow)}`);
  const failedBefore = named('past');
  if (failedBefore.length || hasBit(exitStatus, EXIT.PAST_BELOW_THRESHOLD))
    add(
      'attribute_failed_past',
      2,
      `attribute was at or below its threshold in the past${list(failedBefore)}`,
    );
  if ((values.selfTestErrors ?? 0) > 0 || hasBit(exitStatus, EXIT.SELF_TEST_ERRORS))
    add('self_test_failed', 2, `self-test log has failed tests${count(values.selfTestErrors)}`);

  sectors(add, 'reallocated_sectors', 'reallocated sectors', values.reallocatedSectors);
  sectors(add, 'pending_sectors', 'pending (unreadable) sectors', values.pendingSectors);
  sectors(add, 'offline_uncorrectable', 'offline uncorrectable sectors', values.offlineUncorrectableSectors);
  if ((values.mediaErrors ?? 0) > 0) add('media_errors', 2, `${values.mediaErrors} media errors`);

  const warning = values.criticalWarning ?? 0;
  if (warning > 0) {
    const flags = NVME_CRITICAL_WARNING_BITS.filter((_, bit) => warning & (1 << bit));
    add(
      'nvme_critical_warning',
      warning === NVME_TEMPERATURE_BIT ? 2 : 3,
      `NVMe critical warning 0x${warning.toString(16)}${flags.length ? `: ${flags.join(', ')}` : ''}`,
    );
  }
  const wear = values.wearRatio;
  if (wear !== undefined && wear >= WEAR_WARNING)
    add('wear', wear >= WEAR_CRITICAL ? 3 : 2, `${Math.round(wear * 100)}% of rated endurance used`);

  temperature(add, values, thresholds[temperatureClass(identity)]);

  // Findings that say more about a cable or a log than about the disk's health.
  if ((values.crcErrors ?? 0) > 0)
    add('crc_errors', 1, `${values.crcErrors} interface CRC errors (cable, backplane or controller)`);
  if (identity.protocol !== 'nvme' && ((values.errorLogCount ?? 0) > 0 || hasBit(exitStatus, EXIT.ERROR_LOG)))
    add('error_log', 1, `device error log has entries${count(values.errorLogCount)}`);
  if (hasBit(exitStatus, EXIT.COMMAND_FAILED))
    add('smart_command_failed', 1, 'a SMART command failed or returned a bad checksum');

  const severity = reasons.reduce<Severity>((worst, r) => (r.severity > worst ? r.severity : worst), 0);
  return { severity, reasons };
}

type Add = (code: string, severity: Severity, message: string) => void;

function sectors(add: Add, code: string, what: string, n: number | undefined) {
  if (n === undefined || n <= 0) return;
  add(code, n > SECTORS_CRITICAL_ABOVE ? 3 : 2, `${n} ${what}`);
}

function temperature(add: Add, values: SmartValues, limits: TemperatureThreshold) {
  const t = values.temperatureCelsius;
  if (t === undefined) return;
  const vendorLimit = values.temperatureLimitCelsius;
  if (t >= limits.critical || (vendorLimit !== undefined && t >= vendorLimit))
    add(
      'temperature',
      3,
      `temperature ${t} °C (critical at ${Math.min(limits.critical, vendorLimit ?? Infinity)} °C)`,
    );
  else if (t >= limits.warning)
    add('temperature', 2, `temperature ${t} °C (warning at ${limits.warning} °C)`);
}

const list = (names: string[]) => (names.length ? `: ${names.join(', ')}` : '');
const count = (n: number | undefined) => (n !== undefined && n > 0 ? ` (${n})` : '');
