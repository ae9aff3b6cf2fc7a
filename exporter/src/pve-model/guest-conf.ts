import { fail, ok, type Result } from '../sources/source.js';
import { objectOf } from './common.js';
import { parsePveBool } from './qemu-config.js';

/**
 * A guest's config as key → value, as `/nodes/{node}/{qemu|lxc}/{vmid}/config` answers or as the
 * file in /etc/pve holds it (every value a string there). A null prototype: keys come from a file.
 */
export type GuestConfig = Readonly<Record<string, unknown>>;

// `key: value`; LXC's raw `lxc.*` keys may also be written `key = value`.
const OPTION = /^([a-z][a-z0-9_-]*):\s*(.*)$/;
const RAW_LXC = /^(lxc\.[A-Za-z0-9_.-]+)\s*[:=]\s*(.*)$/;

/** PVE stores the description as `#` lines, percent-encoded where a byte is not printable. */
function decodeComment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * The current config from a guest's file in the cluster filesystem (`nodes/<node>/qemu-server/<vmid>.conf`
 * or `nodes/<node>/lxc/<vmid>.conf`): the `key: value` lines before the first `[section]` line, which
 * starts a snapshot, pending changes or cloud-init state. `#` lines are the description; a line PVE
 * would not accept is skipped (PVE warns and goes on too). Text with no option at all is a parse error.
 */
export function parseGuestConf(text: string): Result<GuestConfig> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  const description: string[] = [];
  let options = 0;
  let skipped = 0;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line.startsWith('[')) break;
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      description.push(decodeComment(line.slice(1)));
      continue;
    }
    const m = OPTION.exec(line) ?? RAW_LXC.exec(line);
    if (!m) {
      skipped++;
      continue;
    }
    out[m[1]!] = m[2]!.trimEnd();
    options++;
  }
  if (options === 0 && skipped > 0)
    return fail('parse', `guest config: no "key: value" line in ${skipped} lines`);
  if (description.length > 0 && out.description === undefined) out.description = description.join('\n');
  return ok(out);
}

/** A config as the API (or pvesh) answers it: an object, possibly REST-wrapped. */
export function parseGuestConfigReply(input: unknown): Result<GuestConfig> {
  const obj = objectOf(input, 'guest config');
  return obj.ok ? ok(obj.value as GuestConfig) : obj;
}

/**
 * Whether the guest starts when its node boots. A config without `onboot` does not (PVE's default);
 * undefined only for a value PVE would not have written.
 */
export function guestOnboot(config: GuestConfig): boolean | undefined {
  const v = config.onboot;
  return v === undefined ? false : parsePveBool(v);
}
