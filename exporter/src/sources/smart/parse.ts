import { ok, type Result } from '../source.js';
import { commandFailed } from './exit-status.js';
import { hasDeviceData, identityOf, protocolOf } from './identity.js';
import { arr, at, extractJson, type Json, num, str } from './json.js';
import type { SmartctlReply } from './types.js';
import { valuesOf } from './values.js';

/** One entry of `smartctl --scan-open -j`. */
export interface ScanEntry {
  name: string;
  type?: string;
  protocol?: string;
  /** --scan-open could not open it (still listed: the per-device read reports why). */
  openError?: string;
}

/**
 * `smartctl --scan-open -j` / `--scan -j`: `{devices: [{name, info_name, type, protocol}]}`. With no
 * devices smartctl leaves the key out entirely (recorded with 7.3), which is an empty list.
 */
export function parseSmartctlScan(text: string): Result<ScanEntry[]> {
  const parsed = extractJson(text, 'smartctl --scan -j');
  if (!parsed.ok) return parsed;
  const entries: ScanEntry[] = [];
  for (const d of arr(parsed.value.json.devices)) {
    const name = str(at(d, 'name'));
    if (name === undefined) continue;
    entries.push({
      name,
      type: str(at(d, 'type')),
      protocol: str(at(d, 'protocol')),
      openError: str(at(d, 'open_error')),
    });
  }
  return ok(entries);
}

/**
 * "Device is in STANDBY mode, exit(2)": smartctl's reply to `-n standby` on a sleeping disk (a JSON
 * message in 7.x, plain text before JSON output existed, `power_mode` beside it in 7.5; "STANDBY
 * (OS)" when the kernel has runtime-suspended the disk). Exit status 2 alone is not enough: it also
 * means "open failed".
 */
const LOW_POWER = /Device is in ([A-Z_]+(?: \(OS\))?) mode/;

/**
 * One `smartctl -j -a -n standby` reply. `exitCode` is the process's status; the JSON's own
 * `exit_status` is used only when the process reported 0 (a wrapper that lost it). Only output that
 * is not JSON at all is an error; a failed or sleeping device is a reply of its own kind.
 */
export function parseSmartctlReply(text: string, exitCode: number): Result<SmartctlReply> {
  const parsed = extractJson(text, 'smartctl -j -a');
  if (!parsed.ok) {
    const sleeping = LOW_POWER.exec(text);
    if (!sleeping) return parsed;
    return ok({ kind: 'standby', powerMode: sleeping[1]!, exitStatus: exitCode, protocol: 'unknown' });
  }
  const { json, before } = parsed.value;
  const exitStatus = exitCode !== 0 ? exitCode : (integer(at(json, 'smartctl', 'exit_status')) ?? 0);
  const messages = messagesOf(json);

  const device = {
    protocol: protocolOf(at(json, 'device', 'protocol')),
    resolvedType: str(at(json, 'device', 'type')),
  };
  const sleeping = [before, ...messages.map((m) => m.text)].map((t) => LOW_POWER.exec(t)).find(Boolean);
  if (sleeping) return ok({ kind: 'standby', powerMode: sleeping[1]!, exitStatus, ...device });
  const powerMode = str(at(json, 'power_mode', 'name'));
  if (powerMode && !hasDeviceData(json) && /STANDBY|SLEEP/.test(powerMode))
    return ok({ kind: 'standby', powerMode, exitStatus, ...device });

  if (commandFailed(exitStatus) || !hasDeviceData(json)) {
    const error = messages.find((m) => m.severity === 'error') ?? messages[0];
    const message = error?.text ?? (commandFailed(exitStatus) ? '' : 'reply has no device data');
    return ok({ kind: 'failed', exitStatus, message: message || `smartctl exited ${exitStatus}` });
  }

  const identity = identityOf(json);
  return ok({
    kind: 'reading',
    identity,
    values: valuesOf(json, identity.kind),
    exitStatus,
    messages: messages.map((m) => m.text),
  });
}

function messagesOf(json: Json): { text: string; severity?: string }[] {
  const out: { text: string; severity?: string }[] = [];
  for (const m of arr(at(json, 'smartctl', 'messages'))) {
    const text = str(at(m, 'string'));
    if (text !== undefined) out.push({ text, severity: str(at(m, 'severity')) });
  }
  return out;
}

function integer(value: unknown): number | undefined {
  const n = num(value);
  return n !== undefined && Number.isInteger(n) && n >= 0 && n <= 255 ? n : undefined;
}
