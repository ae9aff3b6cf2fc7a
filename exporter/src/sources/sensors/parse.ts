import { fail, ok, type Result } from '../source.js';
import { trustedCelsius } from '../hwmon/parse.js';
import {
  ALARM_KINDS,
  type FanSensor,
  type SensorAlarms,
  type SensorChip,
  type SensorChipsSnapshot,
  type TemperatureSensor,
} from '../hwmon/types.js';

/**
 * Two known ways lm-sensors 3.6 writes invalid JSON, both reproduced with Debian 12's 3.6.0 (see
 * fixtures): a chip whose features are all ignored keeps the comma after "Adapter"
 * (lm-sensors#513, fixed upstream by #305/#514), and a value that reads as NaN/inf is printed bare by
 * printf ("nan", "-nan", "inf"). Only applied when plain JSON.parse has failed.
 */
export function repairSensorsJson(text: string): string {
  return text.replace(/:(\s*)[-+]?(?:nan|inf(?:inity)?)\b/gi, ':$1null').replace(/,(\s*[}\]])/g, '$1');
}

/**
 * `sensors -j`: `{chip: {"Adapter": "...", "<label>": {"temp1_input": 41.0, "temp1_crit": 100.0}}}`.
 * Features with `tempN_*` keys are temperatures, `fanN_*` fans; voltages, power, current and
 * intrusion features are skipped. A feature lm-sensors could not read is `{}` and is skipped too.
 * Alarm and fault subfeatures (1.000/0.000) are kept; implausible temperatures are dropped by the
 * same rule as hwmon's (trustedCelsius).
 */
export function parseSensorsJson(text: string): Result<SensorChipsSnapshot> {
  const json = parseLenient(text);
  if (!json.ok) return json;
  if (!isObject(json.value)) return fail('parse', 'sensors -j: top level is not an object');

  const chips: SensorChip[] = [];
  for (const [chip, features] of Object.entries(json.value)) {
    if (!isObject(features)) continue;
    const temperatures: TemperatureSensor[] = [];
    const fans: FanSensor[] = [];
    for (const [sensor, values] of Object.entries(features)) {
      if (!isObject(values)) continue; // "Adapter": "PCI adapter"
      const temp = subfeatures(values, 'temp');
      if (temp) {
        const alarms = alarmsOf(temp);
        temperatures.push({
          sensor,
          celsius: trustedCelsius(temp.get('input'), alarms?.fault),
          criticalCelsius: temp.get('crit'),
          maxCelsius: temp.get('max'),
          ...(alarms && { alarms }),
        });
        continue;
      }
      const fan = subfeatures(values, 'fan');
      if (fan) {
        const alarms = alarmsOf(fan);
        fans.push({ sensor, rpm: fan.get('input'), ...(alarms && { alarms }) });
      }
    }
    chips.push({ chip, temperatures, fans });
  }
  return ok({ chips });
}

function parseLenient(text: string): Result<unknown> {
  try {
    return ok(JSON.parse(text));
  } catch {
    try {
      return ok(JSON.parse(repairSensorsJson(text)));
    } catch (err) {
      return fail('parse', `sensors -j: invalid JSON (${(err as Error).message})`);
    }
  }
}

/** `{temp3_input: 41, temp3_crit: 100}` → {input: 41, crit: 100}; undefined when no key is `<kind>N_...`. */
function subfeatures(values: Record<string, unknown>, kind: 'temp' | 'fan'): Map<string, number> | undefined {
  const pattern = new RegExp(`^${kind}\\d+_(\\w+)$`);
  const found = new Map<string, number>();
  let any = false;
  for (const [key, value] of Object.entries(values)) {
    const attr = pattern.exec(key)?.[1];
    if (attr === undefined) continue;
    any = true;
    if (typeof value === 'number' && Number.isFinite(value)) found.set(attr, value);
  }
  return any ? found : undefined;
}

function alarmsOf(values: ReadonlyMap<string, number>): SensorAlarms | undefined {
  const alarms: SensorAlarms = {};
  let any = false;
  for (const kind of ALARM_KINDS) {
    const value = values.get(kind);
    if (value !== 0 && value !== 1) continue;
    alarms[kind] = value === 1;
    any = true;
  }
  return any ? alarms : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
