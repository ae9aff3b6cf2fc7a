import { fail, ok, type Result } from '../source.js';

/**
 * `ipmitool sensor` (same as `sensor list`): one line per SDR sensor,
 * `name | reading | unit | status | lnr | lcr | lnc | unc | ucr | unr`. It is chosen over
 * `sdr elist` because it also prints the thresholds and a threshold status per sensor. Formats seen
 * (ipmitool 1.8.x lib/ipmi_sensor.c): readings "%.3f" or "na"; discrete sensors print the raw state as
 * "0x1" with unit "discrete" and a "0x0100" state word where the status goes; status is ok, nc, cr,
 * nr, or na when there is no reading; `sdr elist`-style lnc/ucr/... and `-v` long names
 * ("Upper Critical") are accepted too. Names are padded to 16 characters and may contain spaces.
 */

export type IpmiKind = 'temperature' | 'fan' | 'voltage' | 'power' | 'current' | 'other';
export type IpmiStatus = 'ok' | 'nc' | 'cr' | 'nr';

/**
 * Ordinal severity (METRICS.md: 0 OK, 1 INFO, 2 WARNING, 3 CRITICAL): non-critical is a warning;
 * critical and non-recoverable are both critical.
 */
export const IPMI_SEVERITY: Readonly<Record<IpmiStatus, number>> = { ok: 0, nc: 2, cr: 3, nr: 3 };

export interface IpmiThresholds {
  lowerNonRecoverable?: number;
  lowerCritical?: number;
  lowerNonCritical?: number;
  upperNonCritical?: number;
  upperCritical?: number;
  upperNonRecoverable?: number;
}

export interface IpmiSensor {
  /** The SDR name, trimmed; a repeated name gets " #2", " #3" (Dell BMCs repeat "Temp"). */
  sensor: string;
  kind: IpmiKind;
  /** The unit as ipmitool prints it ("degrees C", "RPM", "discrete", "" when there is no reading). */
  unit: string;
  /** Reading in base units (°F converted to °C); undefined for "na" and for discrete sensors. */
  value?: number;
  /** Threshold status; undefined without a reading ("na", "ns") and for discrete sensors. */
  status?: IpmiStatus;
  thresholds: IpmiThresholds;
}

export interface IpmiSnapshot {
  sensors: IpmiSensor[];
}

const THRESHOLD_KEYS = [
  'lowerNonRecoverable',
  'lowerCritical',
  'lowerNonCritical',
  'upperNonCritical',
  'upperCritical',
  'upperNonRecoverable',
] as const;

export function parseIpmitoolSensor(text: string): Result<IpmiSnapshot> {
  const sensors: IpmiSensor[] = [];
  const seen = new Map<string, number>();
  let rejected = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const fields = line.split('|').map((f) => f.trim());
    const name = fields[0];
    if (fields.length < 4 || !name) {
      rejected++;
      continue;
    }
    const count = (seen.get(name) ?? 0) + 1;
    seen.set(name, count);
    const unit = fields[2] ?? '';
    const { kind, convert } = unitKind(unit);
    const reading = parseReading(fields[1]);
    const thresholds: IpmiThresholds = {};
    THRESHOLD_KEYS.forEach((key, i) => {
      const t = parseReading(fields[4 + i]);
      if (t !== undefined) thresholds[key] = convert(t);
    });
    const status = reading === undefined ? undefined : parseStatus(fields[3] ?? '');
    sensors.push({
      sensor: count === 1 ? name : `${name} #${count}`,
      kind,
      unit,
      ...(reading !== undefined && { value: convert(reading) }),
      ...(status !== undefined && { status }),
      thresholds,
    });
  }
  if (sensors.length === 0 && rejected > 0)
    return fail(
      'parse',
      `ipmitool sensor: no "name | value | unit | status ..." lines (${rejected} other lines)`,
    );
  return ok({ sensors });
}

/** "29.000", "-57.000" → number; "na", "0x1" (discrete) and anything else → undefined. */
function parseReading(field: string | undefined): number | undefined {
  return field !== undefined && /^-?\d+(\.\d+)?$/.test(field) ? Number(field) : undefined;
}

function unitKind(unit: string): { kind: IpmiKind; convert: (v: number) => number } {
  const same = (v: number) => v;
  switch (unit.toLowerCase()) {
    case 'degrees c':
      return { kind: 'temperature', convert: same };
    case 'degrees f':
      return { kind: 'temperature', convert: (f) => Math.round(((f - 32) * 5000) / 9) / 1000 };
    case 'rpm':
      return { kind: 'fan', convert: same };
    case 'volts':
      return { kind: 'voltage', convert: same };
    case 'watts':
      return { kind: 'power', convert: same };
    case 'amps':
      return { kind: 'current', convert: same };
    default:
      return { kind: 'other', convert: same };
  }
}

function parseStatus(field: string): IpmiStatus | undefined {
  const s = field.toLowerCase();
  if (s === 'ok') return 'ok';
  if (/^(nc|lnc|unc)$|non-critical/.test(s)) return 'nc';
  if (/^(nr|lnr|unr)$|non-recoverable/.test(s)) return 'nr';
  if (/^(cr|lcr|ucr)$|critical/.test(s)) return 'cr';
  return undefined; // "na", "ns", a discrete state word like "0x0100"
}
