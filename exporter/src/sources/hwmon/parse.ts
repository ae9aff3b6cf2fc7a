import {
  ALARM_KINDS,
  type AlarmKind,
  type FanSensor,
  type SensorAlarms,
  type SensorChip,
  type TemperatureSensor,
} from './types.js';

/** hwmon temperatures are integers in millidegrees Celsius. */
export function parseMilliCelsius(text: string | undefined): number | undefined {
  const value = text?.trim();
  return value !== undefined && /^-?\d+$/.test(value) ? Number(value) / 1000 : undefined;
}

/**
 * Readings outside -55…125 °C, the rated range of hwmon sensor chips (LM75-class sensors, Super I/O
 * diode inputs), are dropped: unconnected inputs read their register's saturated values (-128, +127,
 * 127.5 on the 8/9-bit registers most chips use), and -273.15 is a placeholder. So is a reading whose
 * input reports `fault` 1, which the kernel ABI defines as "should not be trusted" (open diode).
 * Floating inputs that read inside the range (an ASRock nct6798's AUXTINs at 108-120 °C, see the
 * sensors fixtures) cannot be told from a hot part by value: they keep their reading and ALARM flag,
 * and an `ignore` line in /etc/sensors.d hides them from the sensors source.
 */
export const PLAUSIBLE_CELSIUS = { min: -55, max: 125 } as const;

export function trustedCelsius(celsius: number | undefined, fault: boolean | undefined): number | undefined {
  if (celsius === undefined || fault === true) return undefined;
  return celsius >= PLAUSIBLE_CELSIUS.min && celsius <= PLAUSIBLE_CELSIUS.max ? celsius : undefined;
}

/** An alarm or fault attribute: "0" or "1". */
export function parseAlarmFlag(text: string | undefined): boolean | undefined {
  const value = text?.trim();
  return value === '0' ? false : value === '1' ? true : undefined;
}

/** The flags that read as 0/1; undefined when there are none. */
export function parseAlarms(texts: Partial<Record<AlarmKind, string>> | undefined): SensorAlarms | undefined {
  const alarms: SensorAlarms = {};
  let any = false;
  for (const kind of ALARM_KINDS) {
    const flag = parseAlarmFlag(texts?.[kind]);
    if (flag === undefined) continue;
    alarms[kind] = flag;
    any = true;
  }
  return any ? alarms : undefined;
}

export function parseRpm(text: string | undefined): number | undefined {
  const value = text?.trim();
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}

/** Indexes N of the `tempN_input` and `fanN_input` attributes in a hwmon directory listing, ascending. */
export function listSensorInputs(files: readonly string[]): { temperatures: number[]; fans: number[] } {
  const pick = (kind: string) =>
    files
      .map((f) => new RegExp(`^${kind}(\\d+)_input$`).exec(f)?.[1])
      .filter((n): n is string => n !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
  return { temperatures: pick('temp'), fans: pick('fan') };
}

/** The texts of one chip's attribute files (undefined where absent or unreadable). */
export interface RawHwmonChip {
  chip: string;
  temperatures: {
    index: number;
    input?: string;
    label?: string;
    crit?: string;
    max?: string;
    alarms?: Partial<Record<AlarmKind, string>>;
  }[];
  fans: { index: number; input?: string; label?: string; alarms?: Partial<Record<AlarmKind, string>> }[];
}

/** Labels fall back to the feature name as lm-sensors does; a repeated label gets the feature name added. */
export function buildSensorChip(raw: RawHwmonChip): SensorChip {
  const seen = new Set<string>();
  const name = (label: string | undefined, feature: string) => {
    const base = label?.trim() || feature;
    const unique = seen.has(base) ? `${base} (${feature})` : base;
    seen.add(unique);
    return unique;
  };
  const temperatures: TemperatureSensor[] = raw.temperatures.map((t) => {
    const alarms = parseAlarms(t.alarms);
    return {
      sensor: name(t.label, `temp${t.index}`),
      celsius: trustedCelsius(parseMilliCelsius(t.input), alarms?.fault),
      criticalCelsius: parseMilliCelsius(t.crit),
      maxCelsius: parseMilliCelsius(t.max),
      ...(alarms && { alarms }),
    };
  });
  const fans: FanSensor[] = raw.fans.map((f) => {
    const alarms = parseAlarms(f.alarms);
    return { sensor: name(f.label, `fan${f.index}`), rpm: parseRpm(f.input), ...(alarms && { alarms }) };
  });
  return { chip: raw.chip, temperatures, fans };
}

/** Basename of the hwmon device's `device` link and of that device's `subsystem` link. */
export interface DeviceLink {
  name: string;
  subsystem?: string;
}

/**
 * The chip name libsensors (3.6) would print, so hwmon and `sensors -j` label the same chip alike:
 * `<name>-isa-<addr %04x>` (platform devices: coretemp.0, nct6775.656), `-pci-<addr %04x>` with addr
 * (domain<<16)+(bus<<8)+(slot<<3)+fn, `-i2c-<bus>-<addr %02x>`, `-spi-<bus>-<cs>`, `-acpi-0`,
 * `-hid-<bus>-<id>`, `-scsi-<host>-<(channel<<8)+(id<<4)+lun>`, and `-virtual-0` when there is no
 * device. Undefined for any other bus; the caller then uses `<name>-hwmon<N>`.
 */
export function lmSensorsChipName(prefix: string, device: DeviceLink | undefined): string | undefined {
  if (device === undefined) return `${prefix}-virtual-0`;
  const { name, subsystem } = device;
  const on = (...subsystems: string[]) => subsystem === undefined || subsystems.includes(subsystem);
  let m: RegExpExecArray | null;

  if (on('i2c') && (m = /^(\d+)-([0-9a-f]+)$/i.exec(name))) {
    const bus = Number(m[1]);
    const addr = parseInt(m[2] ?? '', 16);
    return bus === 9191 ? `${prefix}-isa-${hex(addr, 4)}` : `${prefix}-i2c-${bus}-${hex(addr, 2)}`;
  }
  if (on('spi') && (m = /^spi(\d+)\.(\d+)$/.exec(name))) {
    return `${prefix}-spi-${Number(m[1])}-${hex(Number(m[2]), 1)}`;
  }
  if (on('pci') && (m = /^([0-9a-f]+):([0-9a-f]+):([0-9a-f]+)\.([0-9a-f]+)$/i.exec(name))) {
    const [domain, bus, slot, fn] = m.slice(1).map((x) => parseInt(x, 16)) as [
      number,
      number,
      number,
      number,
    ];
    return `${prefix}-pci-${hex(domain * 65536 + bus * 256 + slot * 8 + fn, 4)}`;
  }
  if (on('platform', 'of_platform')) {
    const id = /^[a-z0-9_]+\.(\d+)$/.exec(name)?.[1];
    return `${prefix}-isa-${hex(id === undefined ? 0 : Number(id), 4)}`;
  }
  if (subsystem === 'acpi') return `${prefix}-acpi-0`;
  if (subsystem === 'hid' && (m = /^([0-9a-f]+):([0-9a-f]+):([0-9a-f]+)\.([0-9a-f]+)$/i.exec(name))) {
    return `${prefix}-hid-${parseInt(m[1] ?? '', 16)}-${hex(parseInt(m[4] ?? '', 16), 1)}`;
  }
  if (subsystem === 'scsi' && (m = /^(\d+):(\d+):(\d+):([0-9a-f]+)$/i.exec(name))) {
    const addr = Number(m[2]) * 256 + Number(m[3]) * 16 + parseInt(m[4] ?? '', 16);
    return `${prefix}-scsi-${Number(m[1])}-${hex(addr, 1)}`;
  }
  return undefined;
}

/**
 * Final chip labels, in input order: the lm-sensors name where known and unique, else
 * `<name>-hwmon<N>` (unknown bus, or two chips that libsensors would name alike, e.g. two virtual
 * chips of one driver).
 */
export function assignChipNames(
  chips: readonly { prefix: string; index: number; lmName?: string }[],
): string[] {
  const counts = new Map<string, number>();
  for (const c of chips) if (c.lmName) counts.set(c.lmName, (counts.get(c.lmName) ?? 0) + 1);
  return chips.map((c) =>
    c.lmName && counts.get(c.lmName) === 1 ? c.lmName : `${c.prefix}-hwmon${c.index}`,
  );
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}
