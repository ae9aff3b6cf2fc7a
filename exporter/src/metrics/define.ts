import { Counter, Gauge, type Registry } from 'prom-client';

export type Labels<L extends string> = Partial<Record<L, string | number>>;
/** Called with one `emit` per series; values that are undefined or NaN are skipped (unknown, not 0). */
export type Fill<L extends string> = (emit: (labels: Labels<L>, value: number | undefined) => void) => void;

interface Spec<L extends string> {
  name: string;
  help: string;
  labelNames?: readonly L[];
}

/**
 * A gauge whose series are rebuilt from snapshots each time the registry renders. Resetting first
 * drops series whose label sets vanished (an unplugged disk, a removed interface).
 */
export function snapshotGauge<L extends string>(registry: Registry, spec: Spec<L>, fill: Fill<L>): void {
  new Gauge<L>({
    name: spec.name,
    help: spec.help,
    labelNames: spec.labelNames ?? [],
    registers: [registry],
    collect() {
      this.reset();
      // prom-client seeds an unlabelled metric with 0 on reset; unknown must stay absent.
      if (!spec.labelNames?.length) this.remove({});
      fill((labels, value) => {
        if (value !== undefined && Number.isFinite(value)) this.set(labels, value);
      });
    },
  });
}

/** A counter mirrored from a monotonic value the kernel or a tool keeps (exposed with TYPE counter). */
export function snapshotCounter<L extends string>(registry: Registry, spec: Spec<L>, fill: Fill<L>): void {
  new Counter<L>({
    name: spec.name,
    help: spec.help,
    labelNames: spec.labelNames ?? [],
    registers: [registry],
    collect() {
      this.reset();
      // prom-client seeds an unlabelled metric with 0 on reset; unknown must stay absent.
      if (!spec.labelNames?.length) this.remove({});
      fill((labels, value) => {
        if (value !== undefined && Number.isFinite(value) && value >= 0) this.inc(labels, value);
      });
    },
  });
}
