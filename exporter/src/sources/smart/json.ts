import { fail, ok, type Result } from '../source.js';

/** Typed reads from parsed JSON: anything of the wrong type reads as undefined, never throws. */
export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function obj(value: unknown): Json | undefined {
  return isObject(value) ? value : undefined;
}

export function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** A non-negative count; smartctl prints some (gigabytes_processed, manufacture week) as strings. */
export function count(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : num(value);
  return n !== undefined && n >= 0 ? n : undefined;
}

export function str(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const s = value.trim();
  return s === '' ? undefined : s;
}

export function bool(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}

/** Follows a path of keys through nested objects. */
export function at(value: unknown, ...path: string[]): unknown {
  let v = value;
  for (const key of path) {
    if (!isObject(v)) return undefined;
    v = v[key];
  }
  return v;
}

/**
 * smartctl's JSON, tolerating text printed before it: smartctl before 7.3 can print lines such as
 * "  Pending defect count:" ahead of the object, and a wrapper may print a banner. `before` keeps
 * that text, since a power-mode message can be in it.
 */
export function extractJson(text: string, what: string): Result<{ json: Json; before: string }> {
  const whole = tryParse(text);
  if (whole) return ok({ json: whole, before: '' });
  const start = text.search(/^\s*\{/m);
  if (start > 0) {
    const tail = tryParse(text.slice(start));
    if (tail) return ok({ json: tail, before: text.slice(0, start) });
  }
  const sample = text.trim().slice(0, 80).replace(/\s+/g, ' ');
  return fail('parse', `${what}: not a JSON object${sample ? ` (starts "${sample}")` : ' (empty output)'}`);
}

function tryParse(text: string): Json | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
