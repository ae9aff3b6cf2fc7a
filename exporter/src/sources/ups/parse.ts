import { fail, ok, type Result } from '../source.js';

/**
 * The NUT network protocol (networkupstools.org developer guide, "Network protocol information"):
 * line-based, words separated by spaces, multi-word values in double quotes with `\"` and `\\`
 * escaped. A LIST reply is `BEGIN LIST <what>`, one row per item, `END LIST <what>`; any request can
 * instead be answered by one `ERR <code> [extra]` line (UNKNOWN-UPS, DATA-STALE, ACCESS-DENIED, ...).
 */

/** Splits one protocol line into words; undefined when a quote is left open (a truncated line). */
export function splitNutWords(line: string): string[] | undefined {
  const words: string[] = [];
  let i = 0;
  while (i < line.length) {
    if (line[i] === ' ' || line[i] === '\t') {
      i++;
      continue;
    }
    let word = '';
    if (line[i] === '"') {
      i++;
      let closed = false;
      while (i < line.length) {
        const c = line[i++];
        if (c === '\\' && i < line.length) word += line[i++];
        else if (c === '"') {
          closed = true;
          break;
        } else word += c;
      }
      if (!closed) return undefined;
    } else {
      while (i < line.length && line[i] !== ' ' && line[i] !== '\t') word += line[i++];
    }
    words.push(word);
  }
  return words;
}

/** A word as the protocol wants it: quoted, with quotes and backslashes escaped. */
export function quoteNutWord(word: string): string {
  return `"${word.replace(/[\\"]/g, '\\$&')}"`;
}

export interface NutError {
  /** The ERR code (DATA-STALE, UNKNOWN-UPS, ...), or PROTOCOL for a reply that makes no sense. */
  code: string;
  message: string;
}

export type NutReply<T> = { ok: true; value: T } | { ok: false; error: NutError };

const protocolError = (message: string): { ok: false; error: NutError } => ({
  ok: false,
  error: { code: 'PROTOCOL', message },
});

/** `ERR DATA-STALE` → {code: DATA-STALE}; undefined for any other line. */
export function parseNutErr(line: string): NutError | undefined {
  const words = splitNutWords(line);
  if (words?.[0] !== 'ERR') return undefined;
  const code = words[1] ?? 'UNKNOWN';
  return { code, message: `ERR ${words.slice(1).join(' ')}`.trim() };
}

/**
 * The rows of a reply to `LIST <what...>` (e.g. ['VAR', 'ups1']), each without its leading `what`
 * words: `VAR ups1 battery.charge "100"` → ['battery.charge', '100']. Undefined while the reply is
 * incomplete (no END line or ERR yet), so a reader can call it as lines arrive.
 */
export function parseListReply(
  lines: readonly string[],
  what: readonly string[],
): NutReply<string[][]> | undefined {
  const begin = ['BEGIN', 'LIST', ...what].join(' ');
  const end = ['END', 'LIST', ...what].join(' ');
  const first = lines[0];
  if (first === undefined) return undefined;
  const err = parseNutErr(first);
  if (err) return { ok: false, error: err };
  if (splitNutWords(first)?.join(' ') !== begin) return protocolError(`expected "${begin}", got "${first}"`);

  const rows: string[][] = [];
  for (const line of lines.slice(1)) {
    const words = splitNutWords(line);
    if (words === undefined) return protocolError(`unterminated quote in "${line}"`);
    if (words.join(' ') === end) return { ok: true, value: rows };
    const rowErr = parseNutErr(line);
    if (rowErr) return { ok: false, error: rowErr };
    // LIST UPS rows start with "UPS", LIST VAR <ups> rows with "VAR <ups>".
    if (!what.every((w, i) => words[i] === w)) return protocolError(`unexpected line "${line}" in ${begin}`);
    rows.push(words.slice(what.length));
  }
  return undefined;
}

export interface NutUps {
  name: string;
  description?: string;
}

/** `UPS <name> "<description>"` rows. */
export function readUpsList(rows: readonly string[][]): Result<NutUps[]> {
  const upses: NutUps[] = [];
  for (const row of rows) {
    const [name, description] = row;
    if (!name) return fail('parse', 'LIST UPS: row without a UPS name');
    upses.push(description ? { name, description } : { name });
  }
  return ok(upses);
}

/** `VAR <ups> <name> "<value>"` rows as a name → value map. */
export function readVarList(rows: readonly string[][]): Result<Map<string, string>> {
  const vars = new Map<string, string>();
  for (const row of rows) {
    const [name, value] = row;
    if (!name || value === undefined) return fail('parse', `LIST VAR: malformed row "${row.join(' ')}"`);
    vars.set(name, value);
  }
  return ok(vars);
}

/** The `ups.status` flags exported as a state set (NUT's documented set, as nut_exporter uses). */
export const UPS_STATUS_FLAGS = [
  'OL',
  'OB',
  'LB',
  'HB',
  'RB',
  'CHRG',
  'DISCHRG',
  'BYPASS',
  'CAL',
  'OFF',
  'OVER',
  'TRIM',
  'BOOST',
  'FSD',
  'ALARM',
] as const;
export type UpsStatusFlag = (typeof UPS_STATUS_FLAGS)[number];

export interface UpsValues {
  model?: string;
  mfr?: string;
  serial?: string;
  driver?: string;
  /** Every flag in `ups.status`, known or not ("OB DISCHRG" → ['OB', 'DISCHRG']). */
  status?: string[];
  batteryChargeRatio?: number;
  loadRatio?: number;
  /**
   * `battery.runtime`. Some APC units saturate it at 65535 s (a 16-bit field); kept as is, since it
   * is a true lower bound and harmless for low-runtime alerts.
   */
  batteryRuntimeSeconds?: number;
  inputVolts?: number;
  outputVolts?: number;
  batteryVolts?: number;
  realpowerWatts?: number;
  realpowerNominalWatts?: number;
}

/**
 * The standard variables (NUT's docs/nut-names.txt) in base units. Identity prefers the `device.*`
 * names NUT 2.6+ drivers publish over the older `ups.*` ones (dummy-ups, for one, fills `ups.mfr`
 * with "Dummy Manufacturer" while `device.mfr` holds the real one); real power falls back to the
 * `output.*` names snmp-ups uses.
 */
export function readUpsValues(vars: ReadonlyMap<string, string>): UpsValues {
  const text = (...names: string[]) => {
    for (const n of names) {
      const v = vars.get(n)?.trim();
      if (v) return v;
    }
    return undefined;
  };
  const num = (...names: string[]) => {
    for (const n of names) {
      const v = parseNutNumber(vars.get(n));
      if (v !== undefined) return v;
    }
    return undefined;
  };
  const percent = (name: string) => {
    const v = num(name);
    // toFixed: 5.2 / 100 is 0.052000000000000005 in binary floating point.
    return v === undefined || v < 0 ? undefined : Number((v / 100).toFixed(12));
  };
  const status = vars.get('ups.status')?.trim();
  const runtime = num('battery.runtime');
  const values: UpsValues = {
    model: text('device.model', 'ups.model'),
    mfr: text('device.mfr', 'ups.mfr'),
    serial: text('device.serial', 'ups.serial'),
    driver: text('driver.name'),
    status: status === undefined ? undefined : status.split(/\s+/).filter(Boolean),
    batteryChargeRatio: percent('battery.charge'),
    loadRatio: percent('ups.load'),
    batteryRuntimeSeconds: runtime !== undefined && runtime >= 0 ? runtime : undefined,
    inputVolts: num('input.voltage'),
    outputVolts: num('output.voltage'),
    batteryVolts: num('battery.voltage'),
    realpowerWatts: num('ups.realpower', 'output.realpower'),
    realpowerNominalWatts: num('ups.realpower.nominal', 'output.realpower.nominal'),
  };
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as UpsValues;
}

/** NUT numbers are plain decimals ("230.0", "-1", "5.2"); anything else is not a number. */
export function parseNutNumber(value: string | undefined): number | undefined {
  const v = value?.trim();
  return v !== undefined && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : undefined;
}
