import type { VdevClass, ZpoolVdev } from './types.js';
import { parseSize } from './units.js';

/** A vdev before labels are made unique; `parentIndex` points into the same list. */
export type VdevDraft = Omit<ZpoolVdev, 'label' | 'parent'> & { parentIndex?: number };

const SECTIONS: Record<string, VdevClass> = {
  logs: 'logs',
  cache: 'cache',
  spares: 'spares',
  special: 'special',
  dedup: 'dedup',
};

const STATE_WORDS = 'ONLINE|DEGRADED|FAULTED|OFFLINE|REMOVED|UNAVAIL|AVAIL|INUSE|SPLIT|UNKNOWN|SUSPENDED';
const VDEV_LINE = new RegExp(`^(.+?)\\s+(${STATE_WORDS})(?:\\s+(.*))?$`);
const COUNT = /^\d+(?:[.,]\d+)?[KMGTPE]?$/;

/** Columns as printed: a tab counts to the next multiple of 8, as in a terminal. */
function indentOf(line: string): number {
  let col = 0;
  for (const ch of line) {
    if (ch === '\t') col = (Math.floor(col / 8) + 1) * 8;
    else if (ch === ' ') col++;
    else break;
  }
  return col;
}

/** What a vdev is, from the name zpool gives it (`mirror-0`, `raidz2-1`, `draid1:7d:8c:0s-0`, ...). */
export function vdevTypeOf(name: string): string {
  const top = /^(mirror|raidz|draid|replacing|spare|indirect)(?:\d)?(?::[^\s-]*)?-\d+$/.exec(name);
  if (top) return top[1] ?? 'disk';
  if (/^draid\d-\d+-\d+$/.test(name)) return 'dspare';
  if (name.startsWith('/') && !name.startsWith('/dev/')) return 'file';
  return 'disk';
}

/**
 * The vdev tree under `config:`: a `NAME STATE READ WRITE CKSUM` header, one line per vdev indented two
 * columns per level (the root pool vdev first), then optional `dedup`, `special`, `logs`, `cache` and
 * `spares` sections. Spares have no counters and print AVAIL or INUSE. Counters are exact with `-p`,
 * else rounded with K/M suffixes. Lines that are not vdevs (a truncated one, `-c` script output) are
 * skipped.
 */
export function parseConfigLines(lines: readonly string[]): VdevDraft[] {
  const drafts: VdevDraft[] = [];
  let base: number | undefined;
  let counters = 3;
  let klass: VdevClass = 'normal';
  const stack: number[] = []; // index of the last vdev seen at each depth

  for (const line of lines) {
    const content = line.trim();
    if (content === '') continue;
    if (/^NAME\s+STATE\b/.test(content)) {
      base = indentOf(line);
      counters = content.split(/\s+/).filter((c) => /^(READ|WRITE|CKSUM|SLOW)$/.test(c)).length;
      continue;
    }
    base ??= indentOf(line);
    const depth = Math.max(0, Math.round((indentOf(line) - base) / 2));
    const section = SECTIONS[content];
    if (section !== undefined && depth === 0) {
      klass = section;
      stack.length = 0;
      continue;
    }
    const m = VDEV_LINE.exec(content);
    if (!m) continue;
    const [name, state, rest] = [m[1] ?? '', m[2] ?? '', m[3] ?? ''];
    const parsed = readCounters(rest, state === 'AVAIL' || state === 'INUSE' ? 0 : counters);
    stack.length = depth;
    const parentIndex = depth > 0 ? stack[depth - 1] : undefined;
    const draft: VdevDraft = {
      name,
      depth,
      class: klass,
      type: klass === 'normal' && depth === 0 ? 'root' : vdevTypeOf(name),
      leaf: true,
      state,
      ...parsed,
    };
    if (parentIndex !== undefined) {
      draft.parentIndex = parentIndex;
      const parent = drafts[parentIndex];
      if (parent) parent.leaf = false;
    }
    stack[depth] = drafts.length;
    drafts.push(draft);
  }
  return drafts;
}

function readCounters(
  rest: string,
  columns: number,
): Pick<ZpoolVdev, 'readErrors' | 'writeErrors' | 'checksumErrors' | 'note' | 'wasPath'> {
  const values: number[] = [];
  let remaining = rest.trim();
  while (values.length < columns) {
    const token = /^(\S+)\s*/.exec(remaining);
    if (!token || !COUNT.test(token[1] ?? '')) break;
    values.push(parseSize(token[1] ?? '') ?? NaN);
    remaining = remaining.slice(token[0].length);
  }
  const out: Pick<ZpoolVdev, 'readErrors' | 'writeErrors' | 'checksumErrors' | 'note' | 'wasPath'> = {};
  if (values[0] !== undefined) out.readErrors = values[0];
  if (values[1] !== undefined) out.writeErrors = values[1];
  if (values[2] !== undefined) out.checksumErrors = values[2];
  const note = remaining.trim();
  if (note !== '') {
    out.note = note;
    const was = /^was (\S+)/.exec(note);
    if (was) out.wasPath = was[1];
  }
  return out;
}

/**
 * Gives each vdev a label unique within its pool. A name normally appears once; the exception is a
 * hot spare in use, listed both inside its `spare-N` vdev and under `spares` (and, after some faults,
 * in two `spare-N` vdevs, openzfs#16398). The `spares`/`cache` entry keeps the bare name, so its
 * series stay the same whether the spare is AVAIL or INUSE; other repeats become `<parent>/<name>`
 * (`spare-1/sdc`), and any repeat still left gets `#2`, `#3`.
 */
export function finishVdevs(drafts: readonly VdevDraft[]): ZpoolVdev[] {
  const count = new Map<string, number>();
  for (const d of drafts) count.set(d.name, (count.get(d.name) ?? 0) + 1);
  const labels: string[] = [];
  const used = new Set<string>();
  drafts.forEach((d, i) => {
    let label = d.name;
    const repeated = (count.get(d.name) ?? 0) > 1;
    if (repeated && d.class !== 'spares' && d.class !== 'cache') {
      const parent = d.parentIndex === undefined ? d.class : labels[d.parentIndex];
      label = `${parent}/${d.name}`;
    }
    const wanted = label;
    for (let n = 2; used.has(label); n++) label = `${wanted}#${n}`;
    used.add(label);
    labels[i] = label;
  });
  return drafts.map(({ parentIndex, ...d }, i) => {
    const vdev: ZpoolVdev = { ...d, label: labels[i] ?? d.name };
    if (parentIndex !== undefined) vdev.parent = labels[parentIndex];
    return vdev;
  });
}
