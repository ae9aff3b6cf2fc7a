import { fail, ok, type Result } from '../source.js';
import { finishVdevs, parseConfigLines } from './config.js';
import { parseScanEntry } from './scan.js';
import type { ZpoolListEntry, ZpoolPool, ZpoolScan, ZpoolStatusPool } from './types.js';
import { parseSize, processLocalTime, type WallClockToEpoch } from './units.js';

export { parseZpoolStatusJson } from './json.js';

export interface ParseOptions {
  /** How the printed local times become epoch seconds (default: this process's time zone). */
  toEpoch?: WallClockToEpoch;
}

/** The columns the source asks `zpool list -Hp -o` for, in order. */
export const LIST_COLUMNS = ['name', 'size', 'allocated', 'free', 'fragmentation', 'dedupratio', 'health'];

/** zpool prints this (on stderr, exit 0) when no pool is imported. */
export const NO_POOLS = /no pools available/i;

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;

/**
 * `zpool list -Hp -o <columns>`: one tab-separated line per pool. With `-p` sizes are exact bytes,
 * fragmentation a bare percent (older releases kept the `%`) and dedupratio `1.00` (older: `1.00x`);
 * an UNAVAIL pool prints `-` for everything it cannot know.
 */
export function parseZpoolList(
  text: string,
  columns: readonly string[] = LIST_COLUMNS,
): Result<ZpoolListEntry[]> {
  const entries: ZpoolListEntry[] = [];
  const lines = text.split('\n').filter((l) => l.trim() !== '' && !NO_POOLS.test(l));
  for (const line of lines) {
    let cells = line.split('\t');
    if (cells.length !== columns.length) cells = line.trim().split(/\s+/);
    if (cells.length !== columns.length) continue;
    const cell = (name: string) => {
      const i = columns.indexOf(name);
      return i < 0 ? undefined : cells[i]?.trim();
    };
    const name = cell('name');
    if (!name) continue;
    entries.push(
      dropUndefined({
        name,
        health: (cell('health') ?? '').toUpperCase(),
        sizeBytes: bytes(cell('size')),
        allocatedBytes: bytes(cell('allocated') ?? cell('alloc')),
        freeBytes: bytes(cell('free')),
        fragmentationRatio: percentRatio(cell('fragmentation') ?? cell('frag')),
        dedupRatio: multiplier(cell('dedupratio') ?? cell('dedup')),
      }),
    );
  }
  if (entries.length === 0 && lines.length > 0) {
    return fail('parse', `zpool list: no line with the ${columns.length} expected columns`);
  }
  return ok(entries);
}

const bytes = (s: string | undefined) => (s === undefined || !/^\d/.test(s) ? undefined : parseSize(s));

function percentRatio(s: string | undefined): number | undefined {
  const m = /^(\d+(?:\.\d+)?)%?$/.exec(s ?? '');
  return m ? Number(m[1]) / 100 : undefined;
}

function multiplier(s: string | undefined): number | undefined {
  const m = /^(\d+(?:\.\d+)?)x?$/.exec(s ?? '');
  return m ? Number(m[1]) : undefined;
}

const HEADER_KEYS = new Set([
  'pool',
  'id',
  'state',
  'status',
  'action',
  'see',
  'scan',
  'scrub',
  'remove',
  'checkpoint',
  'expand',
  'comment',
  'dedup',
  'config',
  'errors',
]);

/**
 * `zpool status -p` for all pools: per pool a header (`pool:`, `state:`, multi-line `status:` and
 * `action:`, `see:`, one or more `scan:` entries), the `config:` vdev tree and the `errors:` line.
 * Header keys are right-aligned to column 7; continuation lines are indented (a tab, or spaces where
 * the output was copied through a terminal). Colour codes are ignored. Output cut short yields the
 * pools and fields read so far.
 */
export function parseZpoolStatus(text: string, options: ParseOptions = {}): Result<ZpoolStatusPool[]> {
  const toEpoch = options.toEpoch ?? processLocalTime;
  const lines = text.replace(ANSI, '').replace(/\r/g, '').split('\n');
  const starts = lines.flatMap((l, i) => (/^\s{0,3}pool:\s*\S/.test(l) ? [i] : []));
  if (starts.length === 0) {
    if (text.trim() === '' || NO_POOLS.test(text)) return ok([]);
    return fail('parse', `zpool status: no "pool:" line in ${JSON.stringify(text.trim().slice(0, 80))}`);
  }
  const pools = starts.map((start, n) => parsePoolBlock(lines.slice(start, starts[n + 1]), toEpoch));
  return ok(pools);
}

interface Field {
  key: string;
  lines: string[];
}

function parsePoolBlock(lines: readonly string[], toEpoch: WallClockToEpoch): ZpoolStatusPool {
  const fields: Field[] = [];
  const configLines: string[] = [];
  const errorLines: string[] = [];
  let mode: 'header' | 'config' | 'errors' = 'header';
  let current: Field | undefined;

  for (const line of lines) {
    const key = /^ {0,3}([a-z]+):(?:[ \t](.*))?$/.exec(line);
    const known = key && HEADER_KEYS.has(key[1] ?? '') ? (key[1] ?? '') : undefined;
    if (known === 'errors') {
      mode = 'errors';
      errorLines.push(`errors: ${key?.[2] ?? ''}`);
      continue;
    }
    if (mode === 'config') {
      configLines.push(line);
      continue;
    }
    if (mode === 'errors') {
      errorLines.push(line);
      continue;
    }
    if (known === 'config') {
      mode = 'config';
      continue;
    }
    if (known !== undefined) {
      current = { key: known, lines: [key?.[2] ?? ''] };
      fields.push(current);
    } else if (line.trim() === '') {
      current = undefined;
    } else if (/^\s/.test(line) && current) {
      current.lines.push(line);
    }
  }

  const first = (k: string) => fields.find((f) => f.key === k);
  const prose = (k: string) => {
    const f = first(k);
    return f ? f.lines.join(' ').replace(/\s+/g, ' ').trim() || undefined : undefined;
  };
  // pool, state and see are one line; status and action wrap onto indented lines.
  const single = (k: string) => first(k)?.lines[0]?.trim() || undefined;
  const vdevs = finishVdevs(parseConfigLines(configLines));
  const scans: ZpoolScan[] = fields
    .filter((f) => f.key === 'scan' || f.key === 'scrub')
    .map((f) => parseScanEntry(f.lines, toEpoch));
  const pool: ZpoolStatusPool = {
    name: single('pool') ?? '',
    state: (single('state') ?? vdevs[0]?.state ?? 'UNKNOWN').toUpperCase(),
    scans,
    vdevs,
  };
  for (const k of ['status', 'action'] as const) {
    const v = prose(k);
    if (v !== undefined) pool[k] = v;
  }
  const see = single('see');
  if (see !== undefined) pool.see = see;
  Object.assign(pool, readErrors(errorLines));
  return pool;
}

/**
 * `errors: No known data errors`, `errors: N data errors, use '-v' for a list`, or (with -v)
 * `errors: Permanent errors have been detected in the following files:` and the list, whose entries
 * are counted. A line such as `List of errors unavailable: permission denied` says nothing countable.
 */
function readErrors(lines: readonly string[]): Pick<ZpoolStatusPool, 'dataErrors' | 'errorsText'> {
  if (lines.length === 0) return {};
  const values = lines.filter((l) => l.startsWith('errors:')).map((l) => l.slice(7).trim());
  const out: Pick<ZpoolStatusPool, 'dataErrors' | 'errorsText'> = { errorsText: values.join('\n') };
  for (const v of values) {
    const n = /^(\d+) data errors?\b/.exec(v);
    if (n) return { ...out, dataErrors: Number(n[1]) };
    if (/^No known data errors/i.test(v)) return { ...out, dataErrors: 0 };
  }
  if (values.some((v) => /^Permanent errors have been detected/i.test(v))) {
    const listed = lines.filter((l) => l.trim() !== '' && !l.startsWith('errors:')).length;
    if (listed > 0) return { ...out, dataErrors: listed };
  }
  return out;
}

/** Status pools with the sizes from `zpool list` added; a pool only in the list keeps its health. */
export function mergePools(status: readonly ZpoolStatusPool[], list: readonly ZpoolListEntry[]): ZpoolPool[] {
  const byName = new Map(list.map((e) => [e.name, e]));
  const pools: ZpoolPool[] = status.map((p) => {
    const e = byName.get(p.name);
    if (!e) return { ...p };
    const { name: _n, health: _h, ...sizes } = e;
    return { ...p, ...sizes };
  });
  const seen = new Set(status.map((p) => p.name));
  for (const { health, ...sizes } of list) {
    if (!seen.has(sizes.name)) pools.push({ ...sizes, state: health, scans: [], vdevs: [] });
  }
  return pools;
}

function dropUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as Array<keyof T>) if (o[k] === undefined) delete o[k];
  return o;
}
