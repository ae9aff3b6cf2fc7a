import { fail, ok, type Result } from '../source.js';

/**
 * Versions whose `cpuN` line has the run queue's running time, waiting time and timeslice count as
 * fields 7, 8 and 9. 15 (Linux 2.6.30) dropped three sched_yield counters from the front of the line;
 * 16 and 17 changed only the `domainN` lines. Version 14 and older put them at fields 10-12, and
 * before 2.6.23 counted the times in jiffies, not nanoseconds: not worth guessing, so refused.
 */
export const SCHEDSTAT_VERSIONS: readonly number[] = [15, 16, 17];

export interface SchedstatTimes {
  /** Time tasks spent running on the CPU(s). */
  runningSeconds: number;
  /** Time runnable tasks spent waiting in the run queue for a CPU: the host side of guests' steal. */
  waitingSeconds: number;
  /** Tasks put on the CPU(s) (pcount). */
  timeslices: number;
}

export interface SchedstatCore extends SchedstatTimes {
  /** The N of `cpuN`, as printed. */
  cpu: string;
}

export interface Schedstat {
  version: number;
  /** Summed over the online CPUs listed. */
  total: SchedstatTimes;
  perCpu: SchedstatCore[];
}

const COUNT = /^\d{1,20}$/;
const NS_PER_SECOND = 1e9;

/**
 * Parses /proc/schedstat: `version N`, `timestamp N` (jiffies), then per online CPU one `cpuN` line
 * of counters followed by its `domainN` lines, which are skipped. Fields after the ninth are
 * ignored, so a kernel that appends counters still parses. Totals are summed exactly (BigInt) before
 * converting, since a busy host's nanoseconds pass 2^53. A malformed or repeated `cpuN` line fails
 * the whole parse rather than yielding a short sum, which would look like a counter reset.
 */
export function parseSchedstat(text: string): Result<Schedstat> {
  const lines = text.split('\n');
  const versionLine = lines.find((l) => l.startsWith('version'));
  if (versionLine === undefined) {
    return fail('parse', `/proc/schedstat: no version line, got ${JSON.stringify(text.slice(0, 60))}`);
  }
  const version = /^version (\d{1,6})\s*$/.exec(versionLine)?.[1];
  if (version === undefined || !SCHEDSTAT_VERSIONS.includes(Number(version))) {
    return fail(
      'parse',
      `/proc/schedstat: unsupported ${JSON.stringify(versionLine.slice(0, 40))} (known: ${SCHEDSTAT_VERSIONS.join(', ')})`,
    );
  }

  const perCpu: SchedstatCore[] = [];
  const seen = new Set<string>();
  let runningNs = 0n;
  let waitingNs = 0n;
  let timeslices = 0n;
  for (const line of lines) {
    const [key, ...fields] = line.trim().split(/\s+/);
    if (key === undefined || !/^cpu\d/.test(key)) continue;
    const cpu = key.slice(3);
    if (!/^\d{1,6}$/.test(cpu) || fields.length < 9 || !fields.every((f) => COUNT.test(f))) {
      return fail('parse', `/proc/schedstat: malformed cpu line: ${JSON.stringify(line.slice(0, 80))}`);
    }
    if (seen.has(cpu)) return fail('parse', `/proc/schedstat: cpu${cpu} listed twice`);
    seen.add(cpu);
    // Indexes 6-8 are the documented fields 7-9; the COUNT test above makes BigInt safe.
    const [running, waiting, slices] = fields.slice(6, 9).map((f) => BigInt(f)) as [bigint, bigint, bigint];
    runningNs += running;
    waitingNs += waiting;
    timeslices += slices;
    perCpu.push({
      cpu,
      runningSeconds: Number(running) / NS_PER_SECOND,
      waitingSeconds: Number(waiting) / NS_PER_SECOND,
      timeslices: Number(slices),
    });
  }
  if (perCpu.length === 0) return fail('parse', '/proc/schedstat: no cpuN lines');
  return ok({
    version: Number(version),
    total: {
      runningSeconds: Number(runningNs) / NS_PER_SECOND,
      waitingSeconds: Number(waitingNs) / NS_PER_SECOND,
      timeslices: Number(timeslices),
    },
    perCpu,
  });
}
