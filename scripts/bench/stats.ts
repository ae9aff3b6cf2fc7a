export interface LatencySummary {
  medianMs: number;
  p99Ms: number;
  /** Scrapes divided by the time spent in them (not wall time, which includes the other target's turns). */
  requestsPerSecond: number;
}

export function summarizeDurations(durationsNs: readonly bigint[]): LatencySummary {
  if (durationsNs.length === 0) throw new Error('no durations to summarize');
  const ms = durationsNs.map((ns) => Number(ns) / 1e6).sort((a, b) => a - b);
  const totalSeconds = Number(durationsNs.reduce((sum, ns) => sum + ns, 0n)) / 1e9;
  return {
    medianMs: quantile(ms, 0.5),
    p99Ms: quantile(ms, 0.99),
    requestsPerSecond: durationsNs.length / totalSeconds,
  };
}

/** Linear interpolation between closest ranks of an ascending array. */
export function quantile(sorted: readonly number[], q: number): number {
  const position = (sorted.length - 1) * q;
  const below = sorted[Math.floor(position)] ?? NaN;
  const above = sorted[Math.ceil(position)] ?? NaN;
  return below + (above - below) * (position - Math.floor(position));
}
