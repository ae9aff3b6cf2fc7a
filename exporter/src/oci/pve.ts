import { parseVersion } from '../pve-model/index.js';
import { fail, ok, type Result } from '../sources/source.js';

/** OCI images as LXC templates (`oci-registry-pull`, OCI ostemplates) arrived in Proxmox VE 9.1. */
export const OCI_MIN_VERSION = [9, 1] as const;

/** Major and minor of `/version` (release "9.1", or the version "9.1.4"). */
export function pveRelease(input: unknown): Result<{ version: string; major: number; minor: number }> {
  const v = parseVersion(input);
  if (!v.ok) return v;
  const m = /^(\d+)\.(\d+)/.exec(v.value.release ?? v.value.version) ?? /^(\d+)\.(\d+)/.exec(v.value.version);
  if (!m) return fail('parse', `version: cannot read a release from ${JSON.stringify(v.value.version)}`);
  return ok({ version: v.value.version, major: Number(m[1]), minor: Number(m[2]) });
}

export const supportsOci = (r: { major: number; minor: number }): boolean =>
  r.major > OCI_MIN_VERSION[0] || (r.major === OCI_MIN_VERSION[0] && r.minor >= OCI_MIN_VERSION[1]);

/** What `GET /nodes/{node}/tasks/{upid}/status` says about a task. */
export interface TaskState {
  running: boolean;
  /** `OK`, `WARNINGS: n`, or the error PVE recorded; undefined while running. */
  exitStatus?: string;
}

export function parseTaskStatus(input: unknown): Result<TaskState> {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    return fail('parse', 'task status: not an object');
  const o = input as Record<string, unknown>;
  if (o.status === 'running') return ok({ running: true });
  if (o.status !== 'stopped') return fail('parse', `task status: unknown status ${JSON.stringify(o.status)}`);
  return ok({ running: false, exitStatus: typeof o.exitstatus === 'string' ? o.exitstatus : undefined });
}

/** A stopped task succeeded when PVE says OK (or only warned). */
export const taskSucceeded = (t: TaskState): boolean =>
  !t.running && t.exitStatus !== undefined && (t.exitStatus === 'OK' || t.exitStatus.startsWith('WARNINGS'));

/**
 * PVE's LXC `env` is one NUL-separated `NAME=value` list that replaces the whole environment (PATH
 * included), so new variables are merged into what the image brought rather than set alone.
 */
export function mergeEnv(current: unknown, add: Readonly<Record<string, string>>): string {
  const entries = new Map<string, string>();
  if (typeof current === 'string')
    for (const item of current.split('\0')) {
      const eq = item.indexOf('=');
      if (eq > 0) entries.set(item.slice(0, eq), item.slice(eq + 1));
    }
  for (const [k, v] of Object.entries(add)) entries.set(k, v);
  return [...entries].map(([k, v]) => `${k}=${v}`).join('\0');
}
