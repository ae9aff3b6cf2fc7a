import { fail, ok, type Result } from '../source.js';
import { finishVdevs, vdevTypeOf, type VdevDraft } from './config.js';
import type { ScanFunction, ScanState, VdevClass, ZpoolScan, ZpoolStatusPool } from './types.js';
import { parseCtime, parseSize, processLocalTime, type WallClockToEpoch } from './units.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Pool keys that hold vdevs, in the order `zpool status` prints them. */
const CLASS_KEYS: Array<[string, VdevClass]> = [
  ['vdevs', 'normal'],
  ['dedup', 'dedup'],
  ['special', 'special'],
  ['logs', 'logs'],
  ['l2cache', 'cache'],
  ['spares', 'spares'],
];

/**
 * `zpool status -j [--json-int]` (OpenZFS 2.3+): `{output_version, pools: {<name>: {name, state,
 * scan_stats, vdevs: {<pool>: {vdevs: {...}}}, dedup, special, logs, l2cache, spares, error_count}}}`.
 * Numbers are strings (`"8.29G"`, dates in local time) unless `--json-int` was given; both are read.
 */
export function parseZpoolStatusJson(
  text: string,
  toEpoch: WallClockToEpoch = processLocalTime,
): Result<ZpoolStatusPool[]> {
  if (text.trim() === '') return ok([]);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return fail('parse', `zpool status -j: invalid JSON (${(err as Error).message})`);
  }
  if (!isObj(json)) return fail('parse', 'zpool status -j: top level is not an object');
  if (json.pools === undefined) return ok([]);
  if (!isObj(json.pools)) return fail('parse', 'zpool status -j: "pools" is not an object');
  const pools: ZpoolStatusPool[] = [];
  for (const [key, raw] of Object.entries(json.pools)) {
    if (isObj(raw)) pools.push(readPool(key, raw, toEpoch));
  }
  return ok(pools);
}

function readPool(key: string, p: Obj, toEpoch: WallClockToEpoch): ZpoolStatusPool {
  const drafts: VdevDraft[] = [];
  for (const [k, klass] of CLASS_KEYS) {
    const group = p[k];
    if (!isObj(group)) continue;
    // The main tree starts at the root vdev (depth 0); class groups list top-level vdevs (depth 1).
    const depth = klass === 'normal' ? 0 : 1;
    for (const [name, v] of Object.entries(group)) if (isObj(v)) addVdev(drafts, name, v, klass, depth);
  }
  const state = (str(p.state) ?? 'UNKNOWN').toUpperCase();
  // The man page example leaves the root vdev without a state; it is the pool's.
  const root = drafts[0];
  if (root?.type === 'root' && root.state === 'UNKNOWN') root.state = state;
  const pool: ZpoolStatusPool = {
    name: str(p.name) ?? key,
    state,
    scans: isObj(p.scan_stats) ? [readScan(p.scan_stats, toEpoch)] : [],
    vdevs: finishVdevs(drafts),
  };
  // `status` holds an internal reason code (OK, FAULTED_DEV_R, ...), kept only when it is not OK.
  const status = str(p.status);
  if (status !== undefined && status !== 'OK') pool.status = status;
  const action = str(p.action);
  if (action !== undefined) pool.action = action;
  const see = str(p.moreinfo) ?? str(p.msgid);
  if (see !== undefined) pool.see = see;
  const errors = num(p.error_count);
  if (errors !== undefined) pool.dataErrors = errors;
  return pool;
}

function addVdev(
  drafts: VdevDraft[],
  key: string,
  v: Obj,
  klass: VdevClass,
  depth: number,
  parentIndex?: number,
): void {
  const name = str(v.name) ?? key;
  const children = isObj(v.vdevs) ? Object.entries(v.vdevs).filter(([, c]) => isObj(c)) : [];
  const draft: VdevDraft = {
    name,
    depth,
    class: klass,
    type: str(v.vdev_type) ?? (depth === 0 && klass === 'normal' ? 'root' : vdevTypeOf(name)),
    leaf: children.length === 0,
    state: normaliseState(str(v.state)),
  };
  const counters = {
    readErrors: v.read_errors,
    writeErrors: v.write_errors,
    checksumErrors: v.checksum_errors,
  };
  for (const [field, value] of Object.entries(counters)) {
    const n = num(value);
    if (n !== undefined) draft[field as keyof typeof counters] = n;
  }
  for (const field of ['path', 'devid'] as const) {
    const s = str(v[field]);
    if (s !== undefined) draft[field] = s;
  }
  const was = str(v.was);
  if (was !== undefined) draft.wasPath = was;
  if (parentIndex !== undefined) draft.parentIndex = parentIndex;
  const index = drafts.length;
  drafts.push(draft);
  for (const [childKey, child] of children) addVdev(drafts, childKey, child as Obj, klass, depth + 1, index);
}

/** The JSON of early 2.3 builds (and the man page example) says HEALTHY where the text says ONLINE. */
function normaliseState(s: string | undefined): string {
  const upper = (s ?? 'UNKNOWN').toUpperCase();
  return upper === 'HEALTHY' ? 'ONLINE' : upper;
}

const FUNCTIONS: Record<string, ScanFunction> = {
  SCRUB: 'scrub',
  RESILVER: 'resilver',
  ERRORSCRUB: 'errorscrub',
};
const STATES: Record<string, ScanState> = {
  NONE: 'none',
  SCANNING: 'scanning',
  ERRORSCRUBBING: 'scanning',
  FINISHED: 'finished',
  CANCELED: 'canceled',
};

/** `scan_stats`: the pool_scan_stat_t fields; progress as `zpool status` computes it, issued / (examine - skipped). */
function readScan(s: Obj, toEpoch: WallClockToEpoch): ZpoolScan {
  const fn = FUNCTIONS[(str(s.function) ?? '').toUpperCase()];
  const state = fn === undefined ? 'none' : (STATES[(str(s.state) ?? '').toUpperCase()] ?? 'unknown');
  const time = (v: unknown) =>
    typeof v === 'number' ? v : v === undefined ? undefined : dateOrEpoch(v, toEpoch);
  const pause = time(s.scrub_pause);
  const scan: ZpoolScan = {
    function: fn,
    state,
    paused: state === 'scanning' && pause !== undefined && pause > 0,
    text: JSON.stringify(s),
  };
  if (state === 'none') return scan;
  const set = <K extends keyof ZpoolScan>(k: K, v: ZpoolScan[K] | undefined) => {
    if (v !== undefined) scan[k] = v;
  };
  set('startTime', time(s.start_time));
  if (state !== 'scanning') set('endTime', time(s.end_time));
  if (scan.paused) set('pausedSince', pause);
  set('errors', num(s.errors));
  set('processedBytes', num(s.processed));
  if (scan.startTime !== undefined && scan.endTime !== undefined)
    set('durationSeconds', scan.endTime - scan.startTime);
  const total = num(s.to_examine);
  const skipped = num(s.skipped) ?? 0;
  const issued = num(s.issued);
  if (state === 'scanning') {
    set('scannedBytes', num(s.examined));
    set('issuedBytes', issued);
    set('totalBytes', total);
    if (issued !== undefined && total !== undefined && total - skipped > 0)
      set('progressRatio', Math.min(1, issued / (total - skipped)));
  }
  return scan;
}

function dateOrEpoch(v: unknown, toEpoch: WallClockToEpoch): number | undefined {
  if (typeof v !== 'string' || v === '-' || v === '') return undefined;
  if (/^\d+$/.test(v)) return Number(v);
  return parseCtime(v, toEpoch);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** A count or byte value: a number (`--json-int`), or a string such as "0", "8.29G". */
function num(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string') return parseSize(v);
  return undefined;
}
