/** Series the sampler keeps for "sustained for N seconds" rules; values in percent or °C. */
export type SeriesName = 'cpu_usage' | 'cpu_temperature' | 'memory_usage' | 'swap_usage';

export interface Sample {
  /** Unix ms. */
  t: number;
  v: number;
}

export interface SampleHistory {
  /** Samples of `series` from the last `seconds` before `now`, oldest first. */
  window(series: SeriesName, seconds: number, now: number): Sample[];
}

/** In-memory rings fed as sources refresh (cpu every few seconds); kept for `keepSeconds`. */
export class Sampler implements SampleHistory {
  private readonly series = new Map<SeriesName, Sample[]>();
  constructor(private readonly keepSeconds = 900) {}

  add(series: SeriesName, t: number, v: number | undefined): void {
    if (v === undefined || !Number.isFinite(v)) return;
    let ring = this.series.get(series);
    if (!ring) this.series.set(series, (ring = []));
    ring.push({ t, v });
    const cutoff = t - this.keepSeconds * 1000;
    let drop = 0;
    while (drop < ring.length && ring[drop]!.t < cutoff) drop++;
    if (drop > 0) ring.splice(0, drop);
  }

  window(series: SeriesName, seconds: number, now: number): Sample[] {
    const from = now - seconds * 1000;
    return (this.series.get(series) ?? []).filter((s) => s.t >= from && s.t <= now);
  }
}

/**
 * Hysteresis over a window: `above` when at least `share` of the window's samples are ≥ `threshold`
 * and the window is covered (its first sample is at least `coverage` of the window old), so a single
 * spike or a freshly started exporter never alerts. Unknown (no samples) is undefined.
 */
export function sustained(
  samples: readonly Sample[],
  threshold: number,
  opts: { seconds: number; now: number; share?: number; coverage?: number },
): boolean | undefined {
  if (samples.length === 0) return undefined;
  const covered = opts.now - samples[0]!.t >= opts.seconds * 1000 * (opts.coverage ?? 0.8);
  const high = samples.filter((s) => s.v >= threshold).length;
  return covered && high / samples.length >= (opts.share ?? 0.8);
}
