import type { ScanFunction, ScanState, ZpoolScan } from './types.js';
import { parseCtime, parseDecimal, parseDuration, parseSize, type WallClockToEpoch } from './units.js';

interface Kind {
  function?: ScanFunction;
  state: ScanState;
  paused?: boolean;
}

/**
 * The leading phrase of a scan entry, in every form zpool_main.c has printed: OpenZFS 2.x
 * (`scrub repaired`, `resilvered`, `... in progress since`, `scrub paused since`, `... canceled on`,
 * rebuilds as `resilver(ed) (draid1-0)`), the 2.2+ error scrub under `scrub:`, and the Solaris/ZoL
 * 0.6 `scrub: scrub completed after`, `scrub stopped after` and `in progress for` forms.
 */
const KINDS: Array<[RegExp, Kind]> = [
  [/^none requested\b/, { state: 'none' }],
  [/^scrubbed \d+ error blocks\b/, { function: 'errorscrub', state: 'finished' }],
  [/^error scrub in progress\b/, { function: 'errorscrub', state: 'scanning' }],
  [/^error scrub paused\b/, { function: 'errorscrub', state: 'scanning', paused: true }],
  [/^error scrub canceled\b/, { function: 'errorscrub', state: 'canceled' }],
  [/^scrub repaired\b/, { function: 'scrub', state: 'finished' }],
  [/^resilvered\b/, { function: 'resilver', state: 'finished' }],
  [/^(scrub|resilver) completed\b/, { state: 'finished' }],
  [/^(scrub|resilver)(?: \([^)]*\))? (?:canceled|stopped)\b/, { state: 'canceled' }],
  [/^(scrub|resilver)(?: \([^)]*\))? in progress\b/, { state: 'scanning' }],
  [/^scrub paused since\b/, { function: 'scrub', state: 'scanning', paused: true }],
];

/** What a scan entry says it is, or `unknown` for a line this parser was not built for. */
function kindOf(first: string): Kind {
  for (const [re, kind] of KINDS) {
    const m = re.exec(first);
    if (!m) continue;
    const fn = m[1] === 'scrub' || m[1] === 'resilver' ? m[1] : kind.function;
    return { ...kind, function: fn };
  }
  return { state: 'unknown' };
}

const capture = (re: RegExp, text: string): string | undefined => re.exec(text)?.[1];

/**
 * One `scan:` (or `scrub:`) entry: its first line and the indented lines that follow it. An entry in
 * no form known here is `unknown`; fields that cannot be read stay undefined.
 */
export function parseScanEntry(lines: readonly string[], toEpoch: WallClockToEpoch): ZpoolScan {
  const trimmed = lines.map((l) => l.trim()).filter((l) => l !== '');
  const first = trimmed[0] ?? '';
  const kind = kindOf(first);
  const text = trimmed.join('\n');
  const date = (re: RegExp, within = text) => {
    const s = capture(re, within);
    return s === undefined ? undefined : parseCtime(s, toEpoch);
  };
  const size = (s: string | undefined) => (s === undefined ? undefined : parseSize(s));

  const scan: ZpoolScan = { function: kind.function, state: kind.state, paused: kind.paused ?? false, text };
  const vdev = capture(/^resilver(?:ed)? \(([^)]+)\)/, first);
  if (vdev !== undefined) scan.vdev = vdev;

  if (kind.state === 'finished' || kind.state === 'canceled') {
    scan.endTime = date(/ on (.+)$/, first);
    scan.errors = optionalNumber(capture(/ with (\d+) errors/, first));
    scan.durationSeconds = duration(capture(/ (?:in|after) (.+?) with \d+ errors/, first));
    scan.processedBytes = size(capture(/^(?:scrub repaired|resilvered)(?: \([^)]*\))? (\S+) in /, first));
  }
  if (kind.state === 'scanning') {
    scan.startTime = date(/(?:in progress since|started on) ([^\n]+)$/m);
    if (kind.paused) scan.pausedSince = date(/paused since ([^\n]+)$/m);
    readProgress(text, scan);
  }
  return stripUndefined(scan);
}

/** The progress lines of a running scan, in the 2.2+, 0.8-2.1 and 0.6/0.7 layouts. */
function readProgress(text: string, scan: ZpoolScan): void {
  const modern = /(\S+) \/ (\S+) scanned(?: at (\S+)\/s)?, (\S+) \/ (\S+) issued(?: at (\S+)\/s)?/.exec(text);
  const v08 = /(\S+) scanned(?: at (\S+)\/s)?, (\S+) issued(?: at (\S+)\/s)?, (\S+) total/.exec(text);
  const v07 = /(\S+) scanned out of (\S+) at (\S+)\/s/.exec(text);
  const s = (x: string | undefined) => (x === undefined ? undefined : parseSize(x));
  if (modern) {
    scan.scannedBytes = s(modern[1]);
    scan.totalBytes = s(modern[2]);
    scan.scanRateBytesPerSecond = s(modern[3]);
    scan.issuedBytes = s(modern[4]);
    scan.issueRateBytesPerSecond = s(modern[6]);
  } else if (v08) {
    scan.scannedBytes = s(v08[1]);
    scan.scanRateBytesPerSecond = s(v08[2]);
    scan.issuedBytes = s(v08[3]);
    scan.issueRateBytesPerSecond = s(v08[4]);
    scan.totalBytes = s(v08[5]);
  } else if (v07) {
    scan.scannedBytes = s(v07[1]);
    scan.totalBytes = s(v07[2]);
    scan.scanRateBytesPerSecond = s(v07[3]);
  }
  scan.processedBytes = s(capture(/(\S+) (?:repaired|resilvered),/, text));
  const percent = parseDecimal(capture(/([\d.,]+)% done/, text) ?? '');
  // A scrub of a pool written to meanwhile can pass 100% ("100,09% done", openzfs#8611).
  if (percent !== undefined) scan.progressRatio = Math.min(1, Number((percent / 100).toFixed(6)));
  scan.secondsLeft = duration(capture(/,\s*([^,\n]*?)\s+to go/, text));
}

function duration(text: string | undefined): number | undefined {
  return text === undefined ? undefined : parseDuration(text);
}

function optionalNumber(text: string | undefined): number | undefined {
  return text === undefined ? undefined : Number(text);
}

function stripUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as Array<keyof T>) if (o[k] === undefined) delete o[k];
  return o;
}
