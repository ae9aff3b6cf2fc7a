import { z } from 'zod';
import { fail, ok, type Result } from '../sources/source.js';

/**
 * REST bodies wrap the payload in `{"data": ...}`; `pvesh --output-format json` prints it bare.
 * Both reach the parsers, so unwrap once here.
 */
export function unwrapData(input: unknown): unknown {
  if (input !== null && typeof input === 'object' && !Array.isArray(input) && 'data' in input) {
    return (input as { data: unknown }).data;
  }
  return input;
}

/** PVE prints some numbers as strings (qemu config, loadavg, cpuinfo.mhz); accept both, never invent a 0. */
export function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** A string field; anything else is unknown. */
export function toText(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** PVE booleans are 0/1 (sometimes "0"/"1"). */
export function toBool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  const n = toNumber(v);
  if (n === 0) return false;
  if (n === 1) return true;
  return undefined;
}

/** Lenient field schemas: a wrong type becomes undefined instead of rejecting the whole entry. */
// `.optional()` last: zod 4 rejects a missing key whose transform yields undefined otherwise.
export const num = z.unknown().transform(toNumber).optional();
export const bool = z.unknown().transform(toBool).optional();
export const str = z.unknown().transform(toText).optional();

/** Comma-separated lists (storage `content`), empty items dropped. */
export function splitList(v: string | undefined): string[] {
  return v === undefined
    ? []
    : v
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
}

/** Rows of a list payload; entries that are not objects are skipped, the payload itself must be an array. */
export function rowsOf(input: unknown, what: string): Result<unknown[]> {
  const data = unwrapData(input);
  if (!Array.isArray(data)) return fail('parse', `${what}: expected an array, got ${describe(data)}`);
  return ok(data);
}

export function objectOf(input: unknown, what: string): Result<object> {
  const data = unwrapData(input);
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return fail('parse', `${what}: expected an object, got ${describe(data)}`);
  }
  return ok(data);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}
