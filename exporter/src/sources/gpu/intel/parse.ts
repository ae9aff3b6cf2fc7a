import { fail, ok, type Result } from '../../source.js';
import { emptyGpu, normalisePciAddress, type Gpu } from '../types.js';

/** One DRM card as its sysfs `device/uevent` describes it. */
export interface DrmCard {
  card: number;
  driver: string;
  pciSlot: string;
  pciId?: string;
}

/** Kernel drivers whose GPUs intel_gpu_top reads (xe since IGT 1.28). */
export const INTEL_DRIVERS = new Set(['i915', 'xe']);

/** `/sys/class/drm/cardN/device/uevent`: `DRIVER=i915`, `PCI_ID=8086:46A6`, `PCI_SLOT_NAME=0000:00:02.0`. */
export function parseDrmUevent(card: number, text: string): DrmCard | undefined {
  const vars = new Map<string, string>();
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) vars.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  const driver = vars.get('DRIVER');
  const slot = vars.get('PCI_SLOT_NAME');
  if (!driver || !slot) return undefined;
  return { card, driver, pciSlot: normalisePciAddress(slot), pciId: vars.get('PCI_ID')?.toLowerCase() };
}

/** A sample of `intel_gpu_top -J`, as far as proxmon reads it. */
export interface IntelGpuSample {
  periodMs?: number;
  actualMhz?: number;
  requestedMhz?: number;
  rc6Percent?: number;
  gpuWatts?: number;
  packageWatts?: number;
  /** Busy percent per engine class, physical engines (`Video/1`) averaged into their class. */
  engines: { engine: string; busyPercent?: number }[];
}

/**
 * `intel_gpu_top -J` writes a stream, not one JSON document, and its framing changed: IGT 1.17 and
 * earlier print bare objects back to back; 1.18+ open with `[` and separate objects with nothing, or
 * later with `,`; a run that is stopped may end mid-object and without `]`. So top-level objects are
 * cut out by brace matching (strings respected), each parsed on its own, and the last complete sample
 * wins. The first sample of a run covers only the moment between two start-up reads, which is why a
 * runner should wait for a second one.
 */
export function parseIntelGpuTopStream(text: string): Result<IntelGpuSample> {
  const objects = topLevelObjects(text);
  let last: Record<string, unknown> | undefined;
  for (const chunk of objects) {
    try {
      const v: unknown = JSON.parse(chunk);
      if (isObject(v) && (isObject(v.engines) || isObject(v.period))) last = v;
    } catch {
      // a truncated or garbled object: skip it, an earlier one may still be whole
    }
  }
  if (!last) return fail('parse', 'intel_gpu_top -J: no complete sample in the output');
  return ok(readSample(last));
}

/** Aggregated engine class names as intel_gpu_top prints them, to the `engine` label. */
const ENGINE_LABELS: Record<string, string> = {
  'render/3d': 'render',
  blitter: 'blitter',
  video: 'video',
  videoenhance: 'video_enhance',
  compute: 'compute',
};

export function engineLabel(name: string): string {
  const cls = name.replace(/\/\d+$/, '').toLowerCase();
  return ENGINE_LABELS[cls] ?? (cls.replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '') || 'unknown');
}

function readSample(s: Record<string, unknown>): IntelGpuSample {
  const group = (name: string) => (isObject(s[name]) ? s[name] : {});
  const freq = group('frequency');
  const power = group('power');
  const sums = new Map<string, { total: number; count: number }>();
  const order: string[] = [];
  for (const [name, e] of Object.entries(group('engines'))) {
    const label = engineLabel(name);
    if (!sums.has(label)) {
      sums.set(label, { total: 0, count: 0 });
      order.push(label);
    }
    const busy = isObject(e) ? num(e.busy) : undefined;
    const sum = sums.get(label);
    if (sum && busy !== undefined) {
      sum.total += busy;
      sum.count++;
    }
  }
  return {
    periodMs: num(group('period').duration),
    actualMhz: num(freq.actual),
    requestedMhz: num(freq.requested),
    rc6Percent: num(group('rc6').value),
    gpuWatts: num(power.GPU),
    packageWatts: num(power.Package),
    engines: order.map((engine) => {
      const sum = sums.get(engine);
      return { engine, busyPercent: sum && sum.count > 0 ? sum.total / sum.count : undefined };
    }),
  };
}

/** An Intel GPU from its card and its latest sample. */
export function intelGpu(card: DrmCard, sample: IntelGpuSample): Gpu {
  const ratio = (p: number | undefined) => (p === undefined ? undefined : Math.min(p, 100) / 100);
  const engines = sample.engines.map((e) => ({ engine: e.engine, busyRatio: ratio(e.busyPercent) }));
  const busy = engines.map((e) => e.busyRatio).filter((b): b is number => b !== undefined);
  const hertz = (mhz: number | undefined) => (mhz === undefined ? {} : { graphics: mhz * 1e6 });
  return {
    ...emptyGpu(card.pciSlot, 'intel'),
    index: card.card,
    name: card.pciId,
    driver: card.driver,
    pciBus: card.pciSlot,
    // Busiest engine class: like NVIDIA's "one or more kernels running" share, and it shows a
    // transcode (video engine) as well as 3D work.
    utilizationRatio: busy.length > 0 ? Math.max(...busy) : undefined,
    // RAPL reports no GPU domain on discrete cards; intel_gpu_top then omits the group.
    powerWatts: sample.gpuWatts,
    packagePowerWatts: sample.packageWatts,
    rc6Ratio: ratio(sample.rc6Percent),
    clocksHertz: hertz(sample.actualMhz),
    requestedClocksHertz: hertz(sample.requestedMhz),
    engines,
  };
}

/** The `{...}` spans at nesting depth 0; a final unclosed one is dropped. */
function topLevelObjects(text: string): string[] {
  const found: string[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = depth > 0;
    else if (c === '{') {
      if (depth === 0) start = i;
      depth++;
    } else if (c === '}' && depth > 0) {
      depth--;
      if (depth === 0) found.push(text.slice(start, i + 1));
    }
  }
  return found;
}

/** Numbers, and numbers written as strings (the `clients` block uses those). */
function num(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
