import type { Registry } from 'prom-client';
import type { SnapshotReader } from '../snapshots.js';
import {
  SMART_SOURCE,
  type DiskState,
  type SmartAttribute,
  type SmartSnapshot,
} from '../sources/smart/index.js';
import { snapshotGauge } from './define.js';

/** Per-attribute series: ~20 per ATA disk, so opt-in (`attributes: true`). */
export const attributeMetricNames = [
  'proxmon_disk_smart_attribute_value',
  'proxmon_disk_smart_attribute_worst',
  'proxmon_disk_smart_attribute_threshold',
  'proxmon_disk_smart_attribute_raw',
] as const;

export const metricNames = [
  'proxmon_disk_info',
  'proxmon_disk_smart_passed',
  'proxmon_disk_standby',
  'proxmon_disk_temperature_celsius',
  'proxmon_disk_power_on_seconds',
  'proxmon_disk_power_cycles',
  'proxmon_disk_reallocated_sectors',
  'proxmon_disk_pending_sectors',
  'proxmon_disk_offline_uncorrectable_sectors',
  'proxmon_disk_crc_errors',
  'proxmon_disk_media_errors',
  'proxmon_disk_wear_ratio',
  'proxmon_disk_available_spare_ratio',
  'proxmon_disk_critical_warning',
  'proxmon_disk_smartctl_exit_status',
  'proxmon_disk_health_severity',
  'proxmon_disk_smart_read_timestamp_seconds',
  ...attributeMetricNames,
] as const;

export interface SmartMetricsOptions {
  /** Export every ATA attribute (value, worst, threshold, raw) per disk. */
  attributes?: boolean;
}

type Name = (typeof metricNames)[number];

export function registerSmartMetrics(
  registry: Registry,
  snapshots: SnapshotReader,
  options: SmartMetricsOptions = {},
): void {
  const disks = () => snapshots.latest<SmartSnapshot>(SMART_SOURCE)?.disks ?? [];
  const gauge = (name: Name, help: string, pick: (d: DiskState) => number | boolean | undefined) =>
    snapshotGauge(registry, { name, help, labelNames: ['disk_id'] }, (emit) => {
      for (const d of disks()) {
        const v = pick(d);
        emit({ disk_id: d.diskId }, typeof v === 'boolean' ? Number(v) : v);
      }
    });

  snapshotGauge(
    registry,
    {
      name: 'proxmon_disk_info',
      help: 'Disk identity (1); disk_id is the WWN (as in /dev/disk/by-id/wwn-…), else the serial',
      labelNames: ['disk_id', 'device', 'model', 'serial', 'firmware', 'protocol', 'type'],
    },
    (emit) => {
      for (const { diskId, identity: i } of disks())
        emit(
          {
            disk_id: diskId,
            device: i.device,
            model: i.model ?? '',
            serial: i.serial ?? '',
            firmware: i.firmware ?? '',
            protocol: i.protocol,
            type: i.kind,
          },
          1,
        );
    },
  );
  gauge(
    'proxmon_disk_smart_passed',
    'SMART overall-health self-assessment: 1 passed, 0 failed',
    (d) => d.values.smartPassed,
  );
  gauge(
    'proxmon_disk_standby',
    '1 when the disk was asleep at the last read and was not woken (its other values are from its last read)',
    (d) => d.standby,
  );
  gauge(
    'proxmon_disk_temperature_celsius',
    'Disk temperature; absent while the disk sleeps or its read failed',
    (d) => d.values.temperatureCelsius,
  );
  gauge('proxmon_disk_power_on_seconds', 'Power-on time the disk reports', (d) => d.values.powerOnSeconds);
  gauge(
    'proxmon_disk_power_cycles',
    'Power cycles (start/stop cycles for SCSI)',
    (d) => d.values.powerCycles,
  );
  gauge(
    'proxmon_disk_reallocated_sectors',
    'Reallocated sectors (ATA 5; SCSI grown defect list)',
    (d) => d.values.reallocatedSectors,
  );
  gauge(
    'proxmon_disk_pending_sectors',
    'Sectors waiting to be remapped (ATA 197; SCSI pending defects)',
    (d) => d.values.pendingSectors,
  );
  gauge(
    'proxmon_disk_offline_uncorrectable_sectors',
    'Sectors found uncorrectable by offline scan (ATA 198)',
    (d) => d.values.offlineUncorrectableSectors,
  );
  gauge(
    'proxmon_disk_crc_errors',
    'Interface CRC errors (ATA 199): cable or backplane',
    (d) => d.values.crcErrors,
  );
  gauge(
    'proxmon_disk_media_errors',
    'NVMe media and data integrity errors; SCSI uncorrected read/write/verify errors',
    (d) => d.values.mediaErrors,
  );
  gauge(
    'proxmon_disk_wear_ratio',
    'Share of rated endurance used (NVMe percentage_used, SSD life attributes); may pass 1',
    (d) => d.values.wearRatio,
  );
  gauge('proxmon_disk_available_spare_ratio', 'NVMe available spare', (d) => d.values.availableSpareRatio);
  gauge(
    'proxmon_disk_critical_warning',
    'NVMe critical warning bit field (0 none)',
    (d) => d.values.criticalWarning,
  );
  gauge(
    'proxmon_disk_smartctl_exit_status',
    'smartctl exit status bitmask of the read the values come from (bit 3 failing, 6 error log, 7 self-test errors)',
    (d) => d.exitStatus,
  );
  gauge(
    'proxmon_disk_health_severity',
    'Disk verdict from SMART: 0 OK, 1 INFO, 2 WARNING, 3 CRITICAL',
    (d) => d.health.severity,
  );
  gauge(
    'proxmon_disk_smart_read_timestamp_seconds',
    'When the values were read (a sleeping disk keeps those of its last read)',
    (d) => (d.readAt === undefined ? undefined : d.readAt / 1000),
  );

  if (!options.attributes) return;
  const attribute = (name: Name, help: string, pick: (a: SmartAttribute) => number | undefined) =>
    snapshotGauge(registry, { name, help, labelNames: ['disk_id', 'id', 'name'] }, (emit) => {
      for (const d of disks())
        for (const a of d.values.attributes) emit({ disk_id: d.diskId, id: a.id, name: a.name }, pick(a));
    });
  attribute('proxmon_disk_smart_attribute_value', 'ATA attribute normalized value', (a) => a.value);
  attribute('proxmon_disk_smart_attribute_worst', 'ATA attribute worst normalized value', (a) => a.worst);
  attribute('proxmon_disk_smart_attribute_threshold', 'ATA attribute failure threshold', (a) => a.threshold);
  attribute(
    'proxmon_disk_smart_attribute_raw',
    "ATA attribute raw value (the raw string's first number)",
    (a) => a.raw,
  );
}
