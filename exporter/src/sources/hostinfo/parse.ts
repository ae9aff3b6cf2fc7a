import { fail, ok, type Result } from '../source.js';

/**
 * Parses os-release(5): KEY=value lines in shell syntax, with single or double quotes and backslash
 * escapes; comments, blank and malformed lines are skipped.
 */
export function parseOsRelease(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m) fields[m[1] as string] = unquoteShell(m[2] as string);
  }
  return fields;
}

/** The name to show for the OS: PRETTY_NAME, which the spec defaults to "Linux". */
export function osPrettyName(osRelease: Record<string, string>): string {
  return osRelease.PRETTY_NAME ?? 'Linux';
}

// In double quotes a backslash escapes only $ " \ and backtick and is kept before anything else;
// outside quotes it escapes any character; in single quotes nothing is special.
const DOUBLE_QUOTE_ESCAPABLE = '$"\\`';

function unquoteShell(value: string): string {
  let out = '';
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < value.length; i++) {
    const c = value[i] as string;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else out += c;
    } else if (c === '\\' && i + 1 < value.length) {
      const next = value[i + 1] as string;
      if (quote === '"' && !DOUBLE_QUOTE_ESCAPABLE.includes(next)) {
        out += c;
      } else {
        out += next;
        i++;
      }
    } else if (c === quote) {
      quote = undefined;
    } else if (quote === undefined && (c === '"' || c === "'")) {
      quote = c;
    } else {
      out += c;
    }
  }
  return out;
}

/** /proc/uptime: "<seconds since boot> <idle seconds summed over CPUs>". */
export function parseUptime(text: string): Result<number> {
  const first = text.trim().split(/\s+/)[0] ?? '';
  const seconds = /^\d+(\.\d+)?$/.test(first) ? Number(first) : NaN;
  if (!Number.isFinite(seconds))
    return fail('parse', `uptime: expected seconds, got ${JSON.stringify(first.slice(0, 40))}`);
  return ok(seconds);
}

export interface PveVersion {
  /** pve-manager's version, e.g. "8.2.4". */
  version: string;
  /** The build's git commit, e.g. "faa83925c9641325". */
  commit?: string;
  /** Only in `pveversion` output, not in the API's node status field. */
  runningKernel?: string;
}

/**
 * Parses `pveversion` ("pve-manager/8.2.4/faa83925c9641325 (running kernel: 6.8.8-2-pve)") or the
 * API's `pveversion` field ("pve-manager/9.2.2/b9984c6d90a4bd80").
 */
export function parsePveVersion(text: string): Result<PveVersion> {
  const m = /pve-manager\/([0-9][^\s/]*)(?:\/([0-9a-f]+))?(?:\s+\(running kernel: ([^)\s]+)\))?/.exec(text);
  if (!m) return fail('parse', `pveversion: no pve-manager version in ${JSON.stringify(text.slice(0, 80))}`);
  const parsed: PveVersion = { version: m[1] as string };
  if (m[2]) parsed.commit = m[2];
  if (m[3]) parsed.runningKernel = m[3];
  return ok(parsed);
}
