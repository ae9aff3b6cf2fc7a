import { fail, ok, type Result } from '../source.js';

export const PRESSURE_RESOURCES = ['cpu', 'memory', 'io'] as const;
export type PressureResource = (typeof PRESSURE_RESOURCES)[number];

export interface PressureLine {
  /** Cumulative stall time since boot (the kernel prints microseconds). */
  totalSeconds: number;
  /** Share of wall time stalled over the last 10, 60 and 300 s (the kernel prints percent). */
  avg10Ratio?: number;
  avg60Ratio?: number;
  avg300Ratio?: number;
}

export interface PressureStats {
  /** At least one task waited on the resource. */
  some: PressureLine;
  /** All non-idle tasks waited at once. Missing for cpu before Linux 5.13. */
  full?: PressureLine;
}

const FIELD = /^(avg10|avg60|avg300|total)=(\d{1,20}(?:\.\d{1,12})?)$/;

function parseLine(tokens: readonly string[]): PressureLine | undefined {
  const values: Partial<Record<string, string>> = {};
  for (const token of tokens) {
    const m = FIELD.exec(token);
    if (m?.[1] && m[2]) values[m[1]] = m[2];
  }
  if (values.total === undefined) return undefined;
  // Shifting the decimal point in the text keeps 6.56 % exactly 0.0656 (6.56 / 100 is not).
  const ratio = (v: string | undefined) => (v === undefined ? undefined : Number(`${v}e-2`));
  return {
    totalSeconds: Number(`${values.total}e-6`),
    avg10Ratio: ratio(values.avg10),
    avg60Ratio: ratio(values.avg60),
    avg300Ratio: ratio(values.avg300),
  };
}

/** Parses one /proc/pressure/<resource> file: `some avg10=… avg60=… avg300=… total=<µs>` (+ `full …`). */
export function parsePressure(text: string): Result<PressureStats> {
  let some: PressureLine | undefined;
  let full: PressureLine | undefined;
  for (const line of text.split('\n')) {
    const [kind, ...rest] = line.trim().split(/\s+/);
    if (kind === 'some') some = parseLine(rest);
    else if (kind === 'full') full = parseLine(rest);
  }
  if (!some)
    return fail('parse', `pressure: no well-formed "some" line in ${JSON.stringify(text.slice(0, 80))}`);
  return ok(full ? { some, full } : { some });
}
