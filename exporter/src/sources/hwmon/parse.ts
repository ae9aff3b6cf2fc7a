import type { FanSensor, SensorChip, TemperatureSensor } from './types.js';

/** hwmon temperatures are integers in millidegrees Celsius. */
export function parseMilliCelsius(text: string | undefined): number | undefined {
  const value = text?.trim();
  return value !== undefined && /^-?\d+$/.test(value) ? Number(value) / 1000 : undefined;
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
  temperatures: { index: number; input?: string; label?: string; crit?: string; max?: string }[];
  fans: { index: number; input?: string; label?: string }[];
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
  const temperatures: TemperatureSensor[] = raw.temperatures.map((t) => ({
    sensor: name(t.label, `temp${t.index}`),
    celsius: parseMilliCelsius(t.input),
    criticalCelsius: parseMilliCelsius(t.crit),
    maxCelsius: parseMilliCelsius(t.max),
  }));
  const fans: FanSensor[] = raw.fans.map((f) => ({
    sensor: name(f.label, `fan${f.index}`),
    rpm: parseRpm(f.input),
  }));
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
