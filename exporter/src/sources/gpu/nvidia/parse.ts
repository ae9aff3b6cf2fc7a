import { fail, ok, type Result, type SourceError } from '../../source.js';
import { emptyGpu, normalisePciAddress, type ClockEventReason, type Gpu, type GpuProcess } from '../types.js';
import { fieldKey, type FieldKey } from './fields.js';

/** `--query-compute-apps` fields; the free-text process name goes last, like `name` in `--query-gpu`. */
export const COMPUTE_APPS_FIELDS = ['gpu_uuid', 'pid', 'used_gpu_memory', 'process_name'] as const;

const MIB = 1024 * 1024;

/**
 * `nvidia-smi --help-query-gpu`: every accepted field name, aliases included. Entries are lines holding
 * only quoted names (`"clocks_event_reasons.active" or "clocks_throttle_reasons.active"`); the
 * description lines that follow never start with a quote.
 */
export function parseHelpQueryGpu(text: string): Result<Set<string>> {
  const names = new Set<string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!/^"[^"]+"(?:\s+or\s+"[^"]+")*$/.test(line)) continue;
    for (const m of line.matchAll(/"([^"]+)"/g)) if (m[1]) names.add(m[1]);
  }
  if (names.size === 0) return fail('parse', 'nvidia-smi --help-query-gpu: no field names found');
  return ok(names);
}

/** The field a `Field "x" is not a valid field to query.` reply names, if that is the reply. */
export function rejectedQueryField(text: string): string | undefined {
  return /Field "([^"]+)" is not a valid field to query/.exec(text)?.[1];
}

/** An nvidia-smi too old for `nounits` (or any unknown `--format` modifier). */
export function isFormatRejected(text: string): boolean {
  return /Format modifier is not recognized/i.test(text);
}

/**
 * What a failed nvidia-smi run means. Not installed (127 from a wrapper) or no NVIDIA GPU visible
 * (all passed through to guests with vfio-pci: "No devices were found") is `absent`; a driver that
 * does not answer is an `exit` error with nvidia-smi's own words, which is worth an alert.
 */
export function nvidiaSmiFailure(stdout: string, stderr: string, exitCode: number): SourceError | undefined {
  const text = `${stdout}\n${stderr}`;
  if (exitCode === 127) return { kind: 'absent', message: 'nvidia-smi: not installed (exit 127)' };
  const driver = /NVIDIA-SMI has failed[^\n]*/.exec(text)?.[0];
  if (driver) return { kind: 'exit', message: driver.trim() };
  if (/No devices were found/i.test(text))
    return { kind: 'absent', message: 'nvidia-smi: no devices were found' };
  if (exitCode === 0) return undefined;
  const reason = firstLine(stderr) || firstLine(stdout);
  return { kind: 'exit', message: `nvidia-smi exited ${exitCode}${reason ? `: ${reason}` : ''}` };
}

/** Field names from a `--format=csv` header: `memory.used [MiB]` → `memory.used`. */
export function fieldsFromHeader(line: string): string[] {
  return splitCsvLine(line).map((h) => h.replace(/\s*\[[^\]]*\]\s*$/, '').trim());
}

/**
 * Rows of `--query-gpu=<fields> --format=csv,noheader[,nounits]`, one GPU per line. Values may carry
 * units (an nvidia-smi that ignores `nounits`); `[N/A]`, `[Not Supported]`, `N/A`, empty and other
 * bracketed notes are unknown. Lines that do not split into the right number of columns (nvidia-smi
 * prints "Unable to determine the device handle for GPU…" in place of a GPU that fell off the bus) are
 * skipped; only when no line is a GPU is it an error.
 */
export function parseQueryGpuCsv(text: string, fields: readonly string[]): Result<Gpu[]> {
  const keys = fields.map(fieldKey);
  const gpus: Gpu[] = [];
  let firstBad: string | undefined;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const cells = splitRow(line, fields.length, keys.indexOf('name'));
    const row = new Map<FieldKey, string>();
    if (cells) keys.forEach((k, i) => k && row.set(k, cells[i] ?? ''));
    const gpu = cells && buildGpu(row);
    if (gpu) gpus.push(gpu);
    else firstBad ??= line.trim();
  }
  if (gpus.length === 0 && firstBad !== undefined)
    return fail('parse', `nvidia-smi --query-gpu: unexpected line: ${firstBad.slice(0, 200)}`);
  return ok(gpus);
}

/** Rows of `--query-compute-apps=<fields> --format=csv,noheader[,nounits]` (an empty reply: no processes). */
export function parseComputeAppsCsv(
  text: string,
  fields: readonly string[] = COMPUTE_APPS_FIELDS,
): Result<GpuProcess[]> {
  const at = (name: string) =>
    fields.findIndex((f) => f === name || (name === 'used_gpu_memory' && f === 'used_memory'));
  const [gpuAt, pidAt, memAt, nameAt] = ['gpu_uuid', 'pid', 'used_gpu_memory', 'process_name'].map(at);
  const processes: GpuProcess[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const cells = splitRow(line, fields.length, nameAt ?? -1);
    const gpu = cells && value(cells[gpuAt ?? -1]);
    const pid = cells && integer(cells[pidAt ?? -1]);
    if (!cells || gpu === undefined || pid === undefined)
      return fail('parse', `nvidia-smi --query-compute-apps: unexpected line: ${line.trim().slice(0, 200)}`);
    processes.push({
      gpu,
      pid,
      name: value(cells[nameAt ?? -1]) ?? '',
      usedMemoryBytes: bytesFromMib(cells[memAt ?? -1]),
    });
  }
  return ok(processes);
}

function buildGpu(row: Map<FieldKey, string>): Gpu | undefined {
  const text = (k: FieldKey) => value(row.get(k));
  const num = (k: FieldKey) => number(row.get(k));
  const id = text('uuid') ?? text('pciBus');
  if (id === undefined) return undefined;
  const pci = text('pciBus');
  return {
    ...emptyGpu(id, 'nvidia'),
    index: integer(row.get('index')),
    name: text('name'),
    driver: text('driver'),
    pciBus: pci === undefined ? undefined : normalisePciAddress(pci),
    utilizationRatio: ratio(num('utilizationGpu')),
    memoryUtilizationRatio: ratio(num('utilizationMemory')),
    memoryUsedBytes: bytesFromMib(row.get('memoryUsed')),
    memoryTotalBytes: bytesFromMib(row.get('memoryTotal')),
    temperatureCelsius: num('temperatureGpu'),
    memoryTemperatureCelsius: num('temperatureMemory'),
    // power.draw is the 1 s average on Ampere and later; some drivers leave it N/A and fill the new ones.
    powerWatts: num('powerDraw') ?? num('powerDrawAverage') ?? num('powerDrawInstant'),
    powerLimitWatts: num('powerLimitEnforced') ?? num('powerLimit'),
    fanRatio: ratio(num('fanSpeed')),
    encoderUtilizationRatio: ratio(num('utilizationEncoder')),
    decoderUtilizationRatio: ratio(num('utilizationDecoder')),
    encoderSessions: num('encoderSessions'),
    performanceState: pstate(text('pstate')),
    clocksHertz: defined({
      graphics: hertz(num('clockGraphics')),
      sm: hertz(num('clockSm')),
      memory: hertz(num('clockMemory')),
      video: hertz(num('clockVideo')),
    }),
    maxClocksHertz: defined({
      graphics: hertz(num('maxClockGraphics')),
      sm: hertz(num('maxClockSm')),
      memory: hertz(num('maxClockMemory')),
    }),
    eccErrors: defined({ corrected: num('eccCorrected'), uncorrected: num('eccUncorrected') }),
    clockEventReasons: decodeReasons(text('eventReasonsSupported'), text('eventReasonsActive')),
    clockEventSeconds: defined({
      sw_power_cap: seconds(num('eventSwPowerCapMicros')),
      sync_boost: seconds(num('eventSyncBoostMicros')),
      sw_thermal_slowdown: seconds(num('eventSwThermalMicros')),
      hw_thermal_slowdown: seconds(num('eventHwThermalMicros')),
      hw_power_brake_slowdown: seconds(num('eventHwPowerBrakeMicros')),
    }),
    pcie: defined({
      generation: num('pcieGeneration'),
      maxGeneration: num('pcieMaxGeneration'),
      width: num('pcieWidth'),
      maxWidth: num('pcieMaxWidth'),
    }),
    remappedRows: defined({
      correctable: num('remappedCorrectable'),
      uncorrectable: num('remappedUncorrectable'),
      pending: yesNo(text('remappedPending')),
      failure: yesNo(text('remappedFailure')),
    }),
    retiredPages: defined({
      singleBitEcc: num('retiredSingleBit'),
      doubleBitEcc: num('retiredDoubleBit'),
      pending: yesNo(text('retiredPending')),
    }),
  };
}

/** NVML's `nvmlClocksEventReason*` bits (nvml.h); the same bits under the old "throttle" names. */
const REASON_BITS: readonly [ClockEventReason, bigint][] = [
  ['gpu_idle', 0x1n],
  ['applications_clocks_setting', 0x2n],
  ['sw_power_cap', 0x4n],
  ['hw_slowdown', 0x8n],
  ['sync_boost', 0x10n],
  ['sw_thermal_slowdown', 0x20n],
  ['hw_thermal_slowdown', 0x40n],
  ['hw_power_brake_slowdown', 0x80n],
  ['display_clock_setting', 0x100n],
];

function decodeReasons(supported: string | undefined, active: string | undefined): Gpu['clockEventReasons'] {
  // Without the supported mask (a query that asked only for `active`), every known reason is listed.
  const s = bitmask(supported) ?? 0x1ffn;
  const a = bitmask(active);
  if (a === undefined) return [];
  return REASON_BITS.filter(([, bit]) => (s & bit) !== 0n).map(([reason, bit]) => ({
    reason,
    active: (a & bit) !== 0n,
  }));
}

function bitmask(cell: string | undefined): bigint | undefined {
  return cell !== undefined && /^0x[0-9a-f]+$/i.test(cell) ? BigInt(cell) : undefined;
}

/**
 * Splits a CSV row into `count` cells. nvidia-smi writes `a, b, c` without quoting, so a comma inside
 * the free-text column (at `freeAt`) would add cells: the surplus is joined back into that column.
 */
function splitRow(line: string, count: number, freeAt: number): string[] | undefined {
  const cells = splitCsvLine(line);
  if (cells.length === count) return cells;
  if (cells.length < count || freeAt < 0) return undefined;
  const surplus = cells.length - count;
  // Unquoted (the usual case): rejoin the raw pieces, so the text keeps its own spacing.
  const raw = line.split(',');
  const pieces = raw.length === cells.length ? raw : cells;
  const joiner = raw.length === cells.length ? ',' : ', ';
  return [
    ...cells.slice(0, freeAt),
    pieces
      .slice(freeAt, freeAt + surplus + 1)
      .join(joiner)
      .trim(),
    ...cells.slice(freeAt + surplus + 1),
  ];
}

/** Comma-separated cells, trimmed; a double-quoted cell may hold commas and `""` escapes. */
export function splitCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"' && cell.trim() === '') {
      quoted = true;
      cell = '';
    } else if (c === ',') {
      cells.push(cell.trim());
      cell = '';
    } else cell += c;
  }
  cells.push(cell.trim());
  return cells;
}

/** A cell's text, or undefined for the ways nvidia-smi says "no value". */
function value(cell: string | undefined): string | undefined {
  const v = cell?.trim().replace(/\r$/, '');
  if (v === undefined || v === '' || /^\[.*\]$/.test(v) || /^n\/?a$/i.test(v)) return undefined;
  if (/^(unknown error|err!|not supported)$/i.test(v)) return undefined;
  return v;
}

/** `132.43`, or `132.43 W` when units came back anyway; anything else is unknown. */
function numberWithUnit(cell: string | undefined): { n: number; unit: string } | undefined {
  const m = /^([-+]?\d+(?:\.\d+)?)\s*([A-Za-z%]*)$/.exec(value(cell) ?? '');
  if (!m) return undefined;
  const n = Number(m[1]);
  return Number.isFinite(n) ? { n, unit: m[2] ?? '' } : undefined;
}

function number(cell: string | undefined): number | undefined {
  return numberWithUnit(cell)?.n;
}

function integer(cell: string | undefined): number | undefined {
  const n = number(cell);
  return n !== undefined && Number.isInteger(n) ? n : undefined;
}

function bytesFromMib(cell: string | undefined): number | undefined {
  const v = numberWithUnit(cell);
  if (!v) return undefined;
  const scale: Record<string, number> = { KiB: 1024, GiB: 1024 * MIB, B: 1 };
  return v.n * (scale[v.unit] ?? MIB);
}

const ratio = (percent: number | undefined) => (percent === undefined ? undefined : percent / 100);
const hertz = (mhz: number | undefined) => (mhz === undefined ? undefined : mhz * 1e6);
const seconds = (micros: number | undefined) => (micros === undefined ? undefined : micros / 1e6);

function pstate(v: string | undefined): number | undefined {
  const m = /^P(\d{1,2})$/i.exec(v ?? '');
  return m ? Number(m[1]) : undefined;
}

function yesNo(v: string | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  if (/^yes$/i.test(v)) return true;
  if (/^no$/i.test(v)) return false;
  return undefined;
}

/** Drops undefined members, so a snapshot only carries what the card reported. */
function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0]?.trim() ?? '';
}
