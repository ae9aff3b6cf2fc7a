import { fail, ok, type Result } from '../source.js';

export interface SoftnetCounts {
  /** Packets the receive path handed to the network stack on this CPU (column 1). */
  processed: number;
  /** Packets dropped: the CPU's input backlog was full (net.core.netdev_max_backlog) or flow-limited (column 2). */
  dropped: number;
  /** NET_RX runs that stopped with work left, out of budget or time (net.core.netdev_budget*; column 3). */
  timesSqueezed: number;
}

export interface SoftnetCore extends SoftnetCounts {
  /** CPU id: column 13 where the kernel prints it (5.10+), else the line's position. */
  cpu: string;
}

export interface Softnet {
  /** Summed over the online CPUs listed. */
  total: SoftnetCounts;
  perCpu: SoftnetCore[];
}

const HEX = /^[0-9a-f]{1,8}$/i;
/** Columns 1-9 have been printed since 2.6; a line with fewer is not kernel output. */
const MIN_COLUMNS = 9;
/** 1-based column of the CPU id (Linux 5.10+, commit 7d58e6555870d). */
const CPU_COLUMN = 13;

/**
 * Parses /proc/net/softnet_stat: one line per online CPU of `%08x` columns, no header. Only columns
 * 1-3 and 13 are read. The kernel appended columns over time: 10 received_rps (2.6.35), 11
 * flow_limit_count (3.11), 12 backlog length and 13 CPU id (5.10; RHEL 8.5 backported them), 14-15
 * input and process queue lengths (later 6.x); 4-9 are 0. So the column count, not the kernel
 * version, says whether a CPU id is there. Offline CPUs are skipped without a trace, so without
 * column 13 the line position is the CPU id only while all CPUs are online. Each count is 32-bit
 * and wraps; a wrap shows as a counter reset. A malformed line fails the whole parse rather than
 * giving a short sum.
 */
export function parseSoftnetStat(text: string): Result<Softnet> {
  const total: SoftnetCounts = { processed: 0, dropped: 0, timesSqueezed: 0 };
  const perCpu: SoftnetCore[] = [];
  const seen = new Set<string>();
  for (const [index, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    const columns = line.trim().split(/\s+/);
    if (columns.length < MIN_COLUMNS || !columns.every((c) => HEX.test(c))) {
      return fail(
        'parse',
        `/proc/net/softnet_stat: line ${index + 1} is not ${MIN_COLUMNS}+ hex columns: ${JSON.stringify(line.slice(0, 60))}`,
      );
    }
    const [processed, dropped, timesSqueezed] = columns.map((c) => parseInt(c, 16)) as [
      number,
      number,
      number,
    ];
    const cpuColumn = columns[CPU_COLUMN - 1];
    const cpu = String(cpuColumn === undefined ? perCpu.length : parseInt(cpuColumn, 16));
    if (seen.has(cpu)) return fail('parse', `/proc/net/softnet_stat: CPU ${cpu} listed twice`);
    seen.add(cpu);
    perCpu.push({ cpu, processed, dropped, timesSqueezed });
    total.processed += processed;
    total.dropped += dropped;
    total.timesSqueezed += timesSqueezed;
  }
  if (perCpu.length === 0) return fail('parse', '/proc/net/softnet_stat: no CPU lines');
  return ok({ total, perCpu });
}
