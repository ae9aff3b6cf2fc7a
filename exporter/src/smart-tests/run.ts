import type { Exec } from '../sources/exec.js';
import type { DiskState, SmartSnapshot } from '../sources/smart/types.js';
import { fail, ok, type Result } from '../sources/source.js';
import { parseSelfTestLog, parseSelfTestStart } from './parse.js';
import type { SelfTestLogReply, SelfTestStart, SelfTestType } from './types.js';

/** `-t` only sends the command: the drive answers at once, the test runs on its own. */
export const START_TIMEOUT_MS = 30_000;
export const LOG_TIMEOUT_MS = 20_000;

/** The disk as smartctl is told about it: path and `-d` type, both from the SMART round, never a request. */
export interface TestTarget {
  diskId: string;
  device: string;
  type?: string;
}

export const targetOf = (d: DiskState): TestTarget => ({
  diskId: d.diskId,
  device: d.identity.device,
  // A configured type (megaraid,N) or the one smartctl resolved (usbjmicron behind a USB bridge).
  type: d.identity.deviceType ?? d.identity.resolvedType,
});

const typeArgs = (t: TestTarget) => (t.type ? ['-d', t.type] : []);

/** `sda`, `/dev/sda` and `nvme0` name the same device as `/dev/sda` and `/dev/nvme0`. */
const devicePath = (name: string) => (name.startsWith('/') ? name : `/dev/${name}`);

/**
 * A disk of the latest SMART round by disk_id, else by device name. Only disks smartctl read this
 * round qualify: a removed disk has no device to test.
 */
export function findDisk(smart: SmartSnapshot | undefined, key: string): DiskState | undefined {
  const disks = smart?.disks ?? [];
  const path = devicePath(key);
  return disks.find((d) => d.diskId === key) ?? disks.find((d) => d.identity.device === path);
}

export async function startSelfTest(
  exec: Exec,
  target: TestTarget,
  type: SelfTestType,
  signal?: AbortSignal,
): Promise<Result<SelfTestStart>> {
  const run = await exec('smartctl', ['-t', type, ...typeArgs(target), target.device], {
    timeoutMs: START_TIMEOUT_MS,
    signal,
  });
  if (!run.ok) return run;
  if (run.value.exitCode === 127) return fail('absent', 'smartctl: not installed');
  return ok(parseSelfTestStart(run.value.stdout + run.value.stderr, run.value.exitCode));
}

/** `wake: false` passes `-n standby`, so reading results never spins a sleeping disk up. */
export async function readSelfTestLog(
  exec: Exec,
  target: TestTarget,
  wake: boolean,
  signal?: AbortSignal,
): Promise<Result<SelfTestLogReply>> {
  const args = [
    '-j',
    '-l',
    'selftest',
    ...(wake ? [] : ['-n', 'standby']),
    ...typeArgs(target),
    target.device,
  ];
  const run = await exec('smartctl', args, { timeoutMs: LOG_TIMEOUT_MS, signal });
  if (!run.ok) return run;
  if (run.value.exitCode === 127) return fail('absent', 'smartctl: not installed');
  return parseSelfTestLog(run.value.stdout, run.value.exitCode);
}
