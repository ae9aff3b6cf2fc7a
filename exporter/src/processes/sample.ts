import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseMeminfo } from '../sources/memory/parse.js';
import { CPU_MODES, parseProcStat, USER_HZ, type CpuTimes } from '../sources/cpu/parse.js';
import type { ReadText } from '../sources/read.js';
import { fail, ok, type Result } from '../sources/source.js';
import {
  parseCmdline,
  parsePasswd,
  parsePidStat,
  parsePidStatus,
  redactArgs,
  type PidStat,
  type PidStatus,
} from './parse.js';

export type ListDir = (path: string) => Promise<Result<string[]>>;

/** Where and how /proc is read; every part is injectable so tests run on a recorded tree. */
export interface ProcReader {
  procfs: string;
  /** /etc/passwd is read from here, for user names. */
  rootfs: string;
  readText: ReadText;
  listDir: ListDir;
}

export const listDir: ListDir = async (path) => {
  try {
    return ok(await readdir(path));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return fail('absent', `${path}: not present`);
    return fail('io', `${path}: ${(err as Error).message}`);
  }
};

export interface ProcessInfo {
  pid: number;
  ppid: number;
  name: string;
  state: string;
  uid: number | undefined;
  user: string | undefined;
  /** Share of the whole host's CPU time (all CPUs) over the sample window, 0-1. */
  cpuRatio: number | undefined;
  residentBytes: number | undefined;
  swapBytes: number | undefined;
  /** Resident memory over MemTotal. */
  memoryRatio: number | undefined;
  virtualBytes: number;
  threads: number;
  priority: number;
  nice: number;
  cpuSecondsTotal: number;
  /** Unix seconds; undefined when /proc/stat gave no boot time. */
  startedAt: number | undefined;
}

export interface ProcessSample {
  /** Seconds of wall time the window spanned, from the CPU time that passed on all CPUs. */
  windowSeconds: number | undefined;
  cpus: number;
  memoryTotalBytes: number | undefined;
  processes: ProcessInfo[];
}

interface Snapshot {
  total: CpuTimes;
  cpus: number;
  bootTimeSeconds: number | undefined;
  stats: Map<number, PidStat>;
}

const PID_DIR = /^[1-9]\d{0,9}$/;
/** Files read at once; a host with thousands of processes must not run out of descriptors. */
const READ_BATCH = 64;

export const cpuSeconds = (t: CpuTimes): number =>
  CPU_MODES.reduce((sum, mode) => sum + (t.seconds[mode] ?? 0), 0);

/** Reads `items` through `read` at most READ_BATCH at a time, in order. */
async function batched<T, R>(items: readonly T[], read: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += READ_BATCH)
    out.push(...(await Promise.all(items.slice(i, i + READ_BATCH).map(read))));
  return out;
}

async function readCpu(reader: ProcReader): Promise<Result<Omit<Snapshot, 'stats'>>> {
  const text = await reader.readText(join(reader.procfs, 'stat'));
  if (!text.ok) return text;
  const parsed = parseProcStat(text.value);
  if (!parsed.ok) return parsed;
  const { total, cpuCount, bootTimeSeconds } = parsed.value;
  return ok({ total, cpus: cpuCount, bootTimeSeconds });
}

/** A process that exits while it is read is simply not there: only readable stats are kept. */
async function readSnapshot(reader: ProcReader, only?: readonly number[]): Promise<Result<Snapshot>> {
  const cpu = await readCpu(reader);
  if (!cpu.ok) return cpu;
  let pids: number[];
  if (only) pids = [...only];
  else {
    const names = await reader.listDir(reader.procfs);
    if (!names.ok) return names;
    pids = names.value.filter((n) => PID_DIR.test(n)).map(Number);
  }
  const stats = new Map<number, PidStat>();
  const read = await batched(pids, async (pid) => {
    const text = await reader.readText(join(reader.procfs, String(pid), 'stat'));
    return text.ok ? parsePidStat(text.value) : text;
  });
  for (const r of read) if (r.ok) stats.set(r.value.pid, r.value);
  return ok({ ...cpu.value, stats });
}

/** CPU ticks a process used in the window; all of them when it was not there at the start. */
function ticksInWindow(before: PidStat | undefined, after: PidStat): number {
  const now = after.userTicks + after.systemTicks;
  // A reused pid is a different process: compare start times.
  if (!before || before.startTicks !== after.startTicks) return now;
  return Math.max(0, now - before.userTicks - before.systemTicks);
}

async function readUsers(reader: ProcReader): Promise<Map<number, string>> {
  const text = await reader.readText(join(reader.rootfs, 'etc', 'passwd'));
  return text.ok ? parsePasswd(text.value) : new Map();
}

async function readMemTotal(reader: ProcReader): Promise<number | undefined> {
  const text = await reader.readText(join(reader.procfs, 'meminfo'));
  const parsed = text.ok ? parseMeminfo(text.value) : undefined;
  return parsed?.ok ? parsed.value.totalBytes : undefined;
}

export interface SampleOptions {
  /** How long CPU time is measured over. */
  windowMs: number;
  sleep: (ms: number) => Promise<void>;
  /** Only these pids (one process's detail); default every process. */
  pids?: readonly number[];
}

/**
 * Two reads of /proc `windowMs` apart. CPU shares are measured against the CPU time the whole host
 * spent in the same window (from /proc/stat), so no clock or CLK_TCK guess enters the ratio.
 */
export async function sampleProcesses(
  reader: ProcReader,
  options: SampleOptions,
): Promise<Result<ProcessSample>> {
  const first = await readSnapshot(reader, options.pids);
  if (!first.ok) return first;
  await options.sleep(options.windowMs);
  const second = await readSnapshot(reader, options.pids);
  if (!second.ok) return second;
  const [users, memTotal] = await Promise.all([readUsers(reader), readMemTotal(reader)]);

  const before = first.value;
  const after = second.value;
  const elapsed = cpuSeconds(after.total) - cpuSeconds(before.total);
  const window = elapsed > 0 ? elapsed : undefined;
  const stats = [...after.stats.values()];
  const statuses = await batched(stats, async (s): Promise<PidStatus | undefined> => {
    const text = await reader.readText(join(reader.procfs, String(s.pid), 'status'));
    return text.ok ? parsePidStatus(text.value) : undefined;
  });

  const processes = stats.map((s, i): ProcessInfo => {
    const status = statuses[i];
    const used = ticksInWindow(before.stats.get(s.pid), s) / USER_HZ;
    const resident = status?.residentBytes;
    return {
      pid: s.pid,
      ppid: s.ppid,
      name: status?.name ?? s.comm,
      state: s.state,
      uid: status?.uid,
      user: status?.uid === undefined ? undefined : users.get(status.uid),
      cpuRatio: window === undefined ? undefined : Math.min(1, used / window),
      residentBytes: resident,
      swapBytes: status?.swapBytes,
      memoryRatio: resident !== undefined && memTotal ? resident / memTotal : undefined,
      virtualBytes: status?.virtualBytes ?? s.virtualBytes,
      threads: status?.threads ?? s.threads,
      priority: s.priority,
      nice: s.nice,
      cpuSecondsTotal: (s.userTicks + s.systemTicks) / USER_HZ,
      startedAt:
        after.bootTimeSeconds === undefined ? undefined : after.bootTimeSeconds + s.startTicks / USER_HZ,
    };
  });
  return ok({
    windowSeconds: window === undefined || after.cpus === 0 ? undefined : window / after.cpus,
    cpus: after.cpus,
    memoryTotalBytes: memTotal,
    processes,
  });
}

/** Command lines of a few processes, credential values hidden; kernel threads have none. */
export async function readCommands(
  reader: ProcReader,
  pids: readonly number[],
): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>();
  const read = await batched(pids, (pid) => reader.readText(join(reader.procfs, String(pid), 'cmdline')));
  pids.forEach((pid, i) => {
    const r = read[i];
    if (r?.ok) out.set(pid, redactArgs(parseCmdline(r.value)));
  });
  return out;
}

/** Open file descriptors, or undefined when /proc/<pid>/fd cannot be listed (another user's process). */
export async function countOpenFiles(reader: ProcReader, pid: number): Promise<number | undefined> {
  const r = await reader.listDir(join(reader.procfs, String(pid), 'fd'));
  return r.ok ? r.value.length : undefined;
}
