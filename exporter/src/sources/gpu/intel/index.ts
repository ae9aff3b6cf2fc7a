import { join } from 'node:path';
import { fail, ok, type Result, type Source, type SourceContext } from '../../source.js';
import type { Gpu, GpuSnapshot } from '../types.js';
import { INTEL_DRIVERS, intelGpu, parseDrmUevent, parseIntelGpuTopStream, type DrmCard } from './parse.js';

export const INTEL_GPU_SOURCE = 'intelgpu';

const TIMEOUT_SECONDS = 5;

export interface IntelGpuOptions {
  /** intel_gpu_top's refresh period; the run lasts two of them plus start-up slack. */
  sampleMs?: number;
  /** intel_gpu_top's path (it runs under `timeout`, so exec's per-tool path override cannot reach it). */
  command?: string;
  /** DRM cards probed: /sys/class/drm/card0 … card<maxCards-1>. */
  maxCards?: number;
}

/**
 * Intel GPUs (i915, xe) through `intel_gpu_top -J`. The tool never stops by itself (IGT has no sample
 * count option), so it runs under coreutils `timeout -s INT`: on SIGINT it finishes the JSON and exits,
 * and a hung one is killed a second later. Which cards exist, and their PCI slots (the `gpu` label),
 * come from sysfs; with no Intel card the tool is not run at all and the source is `absent`.
 */
export function createIntelGpuSource(options: IntelGpuOptions = {}): Source<GpuSnapshot> {
  const sampleMs = options.sampleMs ?? 500;
  const command = options.command ?? 'intel_gpu_top';
  const maxCards = options.maxCards ?? 16;

  const sampleCard = async (ctx: SourceContext, card: DrmCard, select: boolean): Promise<Result<Gpu>> => {
    const windowSeconds = ((2 * sampleMs + 400) / 1000).toFixed(1);
    // --foreground: signal only intel_gpu_top. Otherwise timeout also signals its own process group, and
    // the SIGKILL for a tool that ignored SIGINT would kill timeout itself and lose what was printed.
    const stop = ['--foreground', '-s', 'INT', '-k', '1', windowSeconds];
    const args = [...stop, command, '-J', '-s', String(sampleMs)];
    // Only with several cards: `-d` filters arrived in IGT 1.25, and one card is the default anyway.
    if (select) args.push('-d', `drm:/dev/dri/card${card.card}`);
    const r = await ctx.exec('timeout', args, { timeoutMs: TIMEOUT_SECONDS * 1000, signal: ctx.signal });
    if (!r.ok) return r.error.kind === 'absent' ? fail('absent', 'timeout (coreutils): not installed') : r;
    const { stdout, stderr, exitCode } = r.value;
    // timeout's own codes: 127 command not found, 126 not executable, 125 timeout failed.
    if (exitCode === 127) return fail('absent', `${command}: not installed`);
    const sample = parseIntelGpuTopStream(stdout);
    if (sample.ok) return ok(intelGpu(card, sample.value));
    // 124: stopped by us (the normal end of a run), 137: killed after ignoring SIGINT.
    if (exitCode === 124 || exitCode === 137 || exitCode === 0) return sample;
    const reason = stderr.trim().split('\n')[0] ?? '';
    return fail('exit', `${command} exited ${exitCode}${reason ? `: ${reason}` : ''}`);
  };

  return {
    name: INTEL_GPU_SOURCE,
    intervalSeconds: 10,
    timeoutSeconds: TIMEOUT_SECONDS,
    async collect(ctx) {
      const cards = await findIntelCards(ctx, maxCards);
      if (cards.length === 0) return fail('absent', 'no Intel GPU (i915, xe) in /sys/class/drm');
      const results = await Promise.all(cards.map((c) => sampleCard(ctx, c, cards.length > 1)));
      const gpus = results.filter((r) => r.ok).map((r) => r.value);
      const firstError = results.find((r) => !r.ok);
      if (gpus.length === 0 && firstError && !firstError.ok) return firstError;
      return ok({ gpus });
    },
  };
}

async function findIntelCards(ctx: SourceContext, maxCards: number): Promise<DrmCard[]> {
  const probes = Array.from({ length: maxCards }, async (_, n) => {
    const text = await ctx.readText(join(ctx.paths.sysfs, 'class/drm', `card${n}`, 'device/uevent'));
    return text.ok ? parseDrmUevent(n, text.value) : undefined;
  });
  return (await Promise.all(probes)).filter((c): c is DrmCard => !!c && INTEL_DRIVERS.has(c.driver));
}
