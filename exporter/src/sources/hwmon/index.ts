import { basename, join } from 'node:path';
import { fail, ok, type Source, type SourceContext } from '../source.js';
import { nodeDirReader, type DirReader } from './dir-reader.js';
import {
  assignChipNames,
  buildSensorChip,
  listSensorInputs,
  lmSensorsChipName,
  type DeviceLink,
  type RawHwmonChip,
} from './parse.js';
import { ALARM_KINDS, type AlarmKind, type SensorChipsSnapshot } from './types.js';

export {
  ALARM_KINDS,
  type AlarmKind,
  type FanSensor,
  type SensorAlarms,
  type SensorChip,
  type SensorChipsSnapshot,
  type TemperatureSensor,
} from './types.js';
export { nodeDirReader, type DirReader } from './dir-reader.js';

interface FoundChip {
  index: number;
  prefix: string;
  lmName?: string;
  raw: Omit<RawHwmonChip, 'chip'>;
}

/** Temperatures and fans straight from /sys/class/hwmon; no hwmon class or no chips is `absent`. */
export function createHwmonSource(dirs: DirReader = nodeDirReader): Source<SensorChipsSnapshot> {
  return {
    name: 'hwmon',
    intervalSeconds: 10,
    timeoutSeconds: 5,
    async collect(ctx) {
      const root = join(ctx.paths.sysfs, 'class/hwmon');
      const entries = await dirs.listDir(root);
      if (!entries.ok) return entries;
      const indexes = entries.value
        .map((e) => /^hwmon(\d+)$/.exec(e)?.[1])
        .filter((n): n is string => n !== undefined)
        .map(Number)
        .sort((a, b) => a - b);

      const found = (
        await Promise.all(indexes.map((i) => readChip(ctx, dirs, join(root, `hwmon${i}`), i)))
      ).filter((c): c is FoundChip => c !== undefined);
      if (ctx.signal.aborted) return fail('timeout', 'hwmon: aborted while reading sysfs');
      if (found.length === 0) return fail('absent', `${root}: no hwmon chips`);

      const names = assignChipNames(found);
      return ok({ chips: found.map((c, i) => buildSensorChip({ chip: names[i] ?? c.prefix, ...c.raw })) });
    },
  };
}

async function readChip(
  ctx: SourceContext,
  dirs: DirReader,
  hwmonDir: string,
  index: number,
): Promise<FoundChip | undefined> {
  const listing = await dirs.listDir(hwmonDir);
  if (!listing.ok) return undefined;
  // Drivers from before Linux 3.x put the attributes on the parent device instead of hwmonN itself.
  let dir = hwmonDir;
  let files = listing.value;
  if (!files.includes('name') && files.includes('device')) {
    const parent = await dirs.listDir(join(hwmonDir, 'device'));
    if (parent.ok && parent.value.includes('name')) [dir, files] = [join(hwmonDir, 'device'), parent.value];
  }
  const read = async (file: string) => {
    if (!files.includes(file)) return undefined;
    const r = await ctx.readText(join(dir, file));
    return r.ok ? r.value : undefined;
  };

  const prefix = (await read('name'))?.trim();
  if (!prefix) return undefined; // libsensors ignores chips without a name, so do we
  const inputs = listSensorInputs(files);
  // Only the flags this input has: `read` skips attributes missing from the listing.
  const alarms = async (prefix: string) => {
    const texts: Partial<Record<AlarmKind, string>> = {};
    await Promise.all(
      ALARM_KINDS.map(async (kind) => {
        const text = await read(`${prefix}_${kind}`);
        if (text !== undefined) texts[kind] = text;
      }),
    );
    return texts;
  };
  const [device, temperatures, fans] = await Promise.all([
    deviceLink(dirs, join(hwmonDir, 'device')),
    Promise.all(
      inputs.temperatures.map(async (n) => {
        const [input, label, crit, max] = await Promise.all(
          ['input', 'label', 'crit', 'max'].map((attr) => read(`temp${n}_${attr}`)),
        );
        return { index: n, input, label, crit, max, alarms: await alarms(`temp${n}`) };
      }),
    ),
    Promise.all(
      inputs.fans.map(async (n) => {
        const [input, label] = await Promise.all(['input', 'label'].map((attr) => read(`fan${n}_${attr}`)));
        return { index: n, input, label, alarms: await alarms(`fan${n}`) };
      }),
    ),
  ]);
  return { index, prefix, lmName: lmSensorsChipName(prefix, device), raw: { temperatures, fans } };
}

/**
 * The device behind a hwmon chip, as libsensors sees it. A thermal zone (acpitz) is a class device;
 * the bus device that names it (ACPI LNXTHERM) is the zone's own `device` link, when it has one.
 */
async function deviceLink(dirs: DirReader, link: string, followZone = true): Promise<DeviceLink | undefined> {
  const target = await dirs.readLink(link);
  if (!target.ok) return undefined;
  const subsystem = await dirs.readLink(join(link, 'subsystem'));
  const device: DeviceLink = { name: basename(target.value) };
  if (subsystem.ok) device.subsystem = basename(subsystem.value);
  if (device.subsystem === 'thermal' && followZone) return deviceLink(dirs, join(link, 'device'), false);
  return device;
}
