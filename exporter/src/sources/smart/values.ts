import type { DiskKind, SmartAttribute, SmartValues } from './types.js';
import { arr, at, bool, count, type Json, num, obj, str } from './json.js';

/** ATA attributes whose normalized value is the percentage of rated life left (vendor names). */
const LIFE_LEFT_ATTRIBUTES = [
  'Media_Wearout_Indicator',
  'Wear_Leveling_Count',
  'SSD_Life_Left',
  'Percent_Lifetime_Remain',
  'Remaining_Lifetime_Perc',
  'Percent_Life_Remaining',
];

/** Values from one `smartctl -j -a` reply: ATA, NVMe and SCSI keys, each only where present. */
export function valuesOf(json: Json, kind: DiskKind): SmartValues {
  const attributes = attributesOf(json);
  const byId = new Map(attributes.map((a) => [a.id, a]));
  const raw = (id: number) => byId.get(id)?.raw;
  const nvme = obj(json.nvme_smart_health_information_log);
  const percent = (v: unknown) => {
    const n = count(v);
    return n === undefined ? undefined : n / 100;
  };

  return {
    smartPassed: bool(at(json, 'smart_status', 'passed')),
    temperatureCelsius: temperatureOf(json, nvme, byId),
    temperatureLimitCelsius: vendorLimit(json),
    powerOnSeconds: powerOnSecondsOf(json, nvme, attributes),
    powerCycles:
      count(json.power_cycle_count) ??
      count(nvme?.power_cycles) ??
      count(at(json, 'scsi_start_stop_cycle_counter', 'accumulated_start_stop_cycles')) ??
      raw(12),
    reallocatedSectors: raw(5) ?? count(json.scsi_grown_defect_list),
    pendingSectors: raw(197) ?? count(at(json, 'scsi_pending_defects', 'count')),
    offlineUncorrectableSectors: raw(198),
    crcErrors: raw(199),
    mediaErrors: count(nvme?.media_errors) ?? scsiUncorrected(json),
    wearRatio:
      percent(nvme?.percentage_used) ??
      percent(json.scsi_percentage_used_endurance_indicator) ??
      percent(deviceStatistic(json, 'Percentage Used Endurance Indicator')) ??
      (kind === 'ssd' ? wearFromLifeLeft(attributes) : undefined),
    availableSpareRatio: percent(nvme?.available_spare),
    availableSpareThresholdRatio: percent(nvme?.available_spare_threshold),
    criticalWarning: count(nvme?.critical_warning),
    errorLogCount:
      count(at(json, 'ata_smart_error_log', 'extended', 'count')) ??
      count(at(json, 'ata_smart_error_log', 'summary', 'count')) ??
      count(nvme?.num_err_log_entries),
    selfTestErrors: selfTestErrorsOf(json),
    attributes,
  };
}

function attributesOf(json: Json): SmartAttribute[] {
  const rows: SmartAttribute[] = [];
  for (const row of arr(at(json, 'ata_smart_attributes', 'table'))) {
    const id = num(at(row, 'id'));
    const name = str(at(row, 'name'));
    if (id === undefined || !Number.isInteger(id) || name === undefined) continue;
    const rawString = str(at(row, 'raw', 'string'));
    rows.push({
      id,
      name,
      value: num(at(row, 'value')),
      worst: num(at(row, 'worst')),
      threshold: num(at(row, 'thresh')),
      raw: leadingNumber(rawString) ?? count(at(row, 'raw', 'value')),
      rawString,
      prefailure: bool(at(row, 'flags', 'prefailure')) ?? false,
      whenFailed: str(at(row, 'when_failed')),
    });
  }
  return rows;
}

/**
 * Vendors pack several fields into one raw value (194: "36 (Min/Max 24/57)" is raw 176094511130);
 * the raw string's first number is the meaningful one.
 */
function leadingNumber(s: string | undefined): number | undefined {
  const m = s === undefined ? null : /^\s*(\d+)/.exec(s);
  return m ? Number(m[1]) : undefined;
}

/** A reading from a sensor that is really there: 0 means no sensor, and disks don't run at 150 °C. */
function plausibleTemperature(t: number | undefined): number | undefined {
  return t !== undefined && t > 0 && t < 150 ? t : undefined;
}

/**
 * The temperature the vendor says the disk must not reach: SCSI drive trip point, ATA SCT limit,
 * NVMe critical composite threshold. Below 50 °C it is firmware nonsense, not a limit.
 */
function vendorLimit(json: Json): number | undefined {
  const limit =
    num(at(json, 'temperature', 'drive_trip')) ??
    num(at(json, 'temperature', 'critical_limit_max')) ??
    num(at(json, 'temperature', 'limit_max')) ??
    num(at(json, 'nvme_composite_temperature_threshold', 'critical'));
  return limit !== undefined && limit >= 50 && limit < 150 ? limit : undefined;
}

function temperatureOf(json: Json, nvme: Json | undefined, byId: Map<number, SmartAttribute>) {
  return (
    plausibleTemperature(num(at(json, 'temperature', 'current'))) ??
    plausibleTemperature(num(nvme?.temperature)) ??
    plausibleTemperature(byId.get(194)?.raw) ??
    plausibleTemperature(byId.get(190)?.raw)
  );
}

function powerOnSecondsOf(json: Json, nvme: Json | undefined, attributes: SmartAttribute[]) {
  const hours = count(at(json, 'power_on_time', 'hours'));
  if (hours !== undefined) return hours * 3600 + (count(at(json, 'power_on_time', 'minutes')) ?? 0) * 60;
  const nvmeHours = count(nvme?.power_on_hours);
  if (nvmeHours !== undefined) return nvmeHours * 3600;
  const attr = attributes.find((a) => a.id === 9);
  if (!attr) return undefined;
  // Some drives print "12345h+06m+07.123s"; the unit otherwise follows the attribute's name.
  const hms = /^\s*(\d+)h(?:\+(\d+)m)?(?:\+(\d+(?:\.\d+)?)s)?/.exec(attr.rawString ?? '');
  if (hms) return Number(hms[1]) * 3600 + Number(hms[2] ?? 0) * 60 + Number(hms[3] ?? 0);
  if (attr.raw === undefined) return undefined;
  if (/half_minutes/i.test(attr.name)) return attr.raw * 30;
  if (/minutes/i.test(attr.name)) return attr.raw * 60;
  if (/seconds/i.test(attr.name)) return attr.raw;
  return attr.raw * 3600;
}

function scsiUncorrected(json: Json): number | undefined {
  const log = obj(json.scsi_error_counter_log);
  if (!log) return undefined;
  const counts = ['read', 'write', 'verify']
    .map((op) => count(at(log, op, 'total_uncorrected_errors')))
    .filter((n): n is number => n !== undefined);
  return counts.length ? counts.reduce((a, b) => a + b, 0) : undefined;
}

/** A value from `ata_device_statistics` (present with -x or -l devstat). */
function deviceStatistic(json: Json, name: string): unknown {
  for (const page of arr(at(json, 'ata_device_statistics', 'pages')))
    for (const row of arr(at(page, 'table')))
      if (str(at(row, 'name')) === name && bool(at(row, 'flags', 'valid')) !== false) return at(row, 'value');
  return undefined;
}

/** Only normalized values up to 100 count: some vendors start these at 200 or 253. */
function wearFromLifeLeft(attributes: SmartAttribute[]): number | undefined {
  for (const name of LIFE_LEFT_ATTRIBUTES) {
    const left = attributes.find((a) => a.name === name)?.value;
    if (left !== undefined && left >= 0 && left <= 100) return (100 - left) / 100;
  }
  return undefined;
}

function selfTestErrorsOf(json: Json): number | undefined {
  const log =
    obj(at(json, 'ata_smart_self_test_log', 'extended')) ??
    obj(at(json, 'ata_smart_self_test_log', 'standard'));
  const total = count(log?.error_count_total);
  if (total === undefined) return undefined;
  return Math.max(0, total - (count(log?.error_count_outdated) ?? 0));
}
