import { fail, ok, type Result } from '../source.js';

/**
 * Clock ticks per second for /proc/stat. The kernel converts its internal jiffies to USER_HZ before
 * printing, and USER_HZ is fixed at 100 on every Linux architecture as part of the userspace ABI
 * (sysconf(_SC_CLK_TCK) reports it; it does not follow CONFIG_HZ), so no syscall is needed.
 */
export const USER_HZ = 100;

/** The columns of a `cpu` line, in kernel order. guest/guest_nice come after these. */
export const CPU_MODES = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'] as const;
export type CpuMode = (typeof CPU_MODES)[number];

export interface CpuTimes {
  /** Seconds per mode; a mode the kernel does not print (old kernels lack steal) is absent. */
  seconds: Partial<Record<CpuMode, number>>;
  /** Time running guests (VMs). Already included in `user` / `nice`: never add it to them. */
  guestSeconds?: number;
  guestNiceSeconds?: number;
}

export interface CoreTimes extends CpuTimes {
  /** The N of `cpuN`, as printed. */
  cpu: string;
}

export interface CpuStat {
  /** The aggregate `cpu` line (summed over CPUs by the kernel). */
  total: CpuTimes;
  perCpu: CoreTimes[];
  /** Number of `cpuN` lines (online CPUs). */
  cpuCount: number;
  bootTimeSeconds?: number;
  contextSwitches?: number;
  /** First number of the `intr` line: interrupts serviced since boot, all sources. */
  interrupts?: number;
  /** `processes`: forks since boot. */
  forks?: number;
  procsRunning?: number;
  procsBlocked?: number;
}

const count = (token: string | undefined): number | undefined =>
  token !== undefined && /^\d{1,20}$/.test(token) ? Number(token) : undefined;

function parseTimes(tokens: readonly string[]): CpuTimes | undefined {
  const values = tokens.map(count);
  if (values.length < 4 || values.some((v) => v === undefined)) return undefined;
  const seconds: Partial<Record<CpuMode, number>> = {};
  CPU_MODES.forEach((mode, i) => {
    const v = values[i];
    if (v !== undefined) seconds[mode] = v / USER_HZ;
  });
  const times: CpuTimes = { seconds };
  if (values[8] !== undefined) times.guestSeconds = values[8] / USER_HZ;
  if (values[9] !== undefined) times.guestNiceSeconds = values[9] / USER_HZ;
  return times;
}

/** Parses /proc/stat. Fails only without a well-formed aggregate `cpu` line; other lines are optional. */
export function parseProcStat(text: string): Result<CpuStat> {
  let total: CpuTimes | undefined;
  const perCpu: CoreTimes[] = [];
  const stat: Omit<CpuStat, 'total' | 'perCpu' | 'cpuCount'> = {};
  for (const line of text.split('\n')) {
    const [key, ...rest] = line.trim().split(/\s+/);
    if (!key) continue;
    if (key === 'cpu') {
      total = parseTimes(rest);
      if (!total) return fail('parse', `/proc/stat: malformed aggregate cpu line: ${line.slice(0, 80)}`);
    } else if (/^cpu\d+$/.test(key)) {
      const times = parseTimes(rest);
      if (times) perCpu.push({ cpu: key.slice(3), ...times });
    } else if (key === 'btime') stat.bootTimeSeconds = count(rest[0]);
    else if (key === 'ctxt') stat.contextSwitches = count(rest[0]);
    else if (key === 'intr') stat.interrupts = count(rest[0]);
    else if (key === 'processes') stat.forks = count(rest[0]);
    else if (key === 'procs_running') stat.procsRunning = count(rest[0]);
    else if (key === 'procs_blocked') stat.procsBlocked = count(rest[0]);
  }
  if (!total) return fail('parse', '/proc/stat: no aggregate cpu line');
  return ok({ total, perCpu, cpuCount: perCpu.length, ...stat });
}
