import { join } from 'node:path';
import { type Source, type SourceContext } from '../source.js';
import { KSM_FILES, parseKsm, parsePageSize, type Ksm, type KsmFile } from './parse.js';

export type { Ksm } from './parse.js';

export const KSM_SOURCE = 'ksm';

const GETCONF_TIMEOUT_MS = 2000;

/**
 * Kernel Samepage Merging (`${sysfs}/kernel/mm/ksm/`), which Proxmox VE turns on through ksmtuned.
 * Absent when the kernel has no KSM. The page size for `sharingBytes` comes from `getconf PAGESIZE`,
 * asked once: it cannot change while the host is up, and meminfo has no field that states it.
 */
export function createKsmSource(): Source<Ksm> {
  // undefined: not asked yet (or the last try timed out); null: asked, no answer to be had.
  let pageSize: number | null | undefined;
  return {
    name: KSM_SOURCE,
    intervalSeconds: 30,
    timeoutSeconds: 3,
    async collect(ctx) {
      const texts = await Promise.all(
        KSM_FILES.map((f) => ctx.readText(join(ctx.paths.sysfs, 'kernel', 'mm', 'ksm', f))),
      );
      const files: Partial<Record<KsmFile, string>> = {};
      KSM_FILES.forEach((f, i) => {
        const text = texts[i];
        if (text?.ok) files[f] = text.value;
      });
      // No `run` file: no KSM in this kernel (or sysfs not at that root), a quiet outcome.
      const run = texts[KSM_FILES.indexOf('run')];
      if (run && !run.ok) return run;
      if (pageSize === undefined) pageSize = await askPageSize(ctx);
      return parseKsm(files, pageSize ?? undefined);
    },
  };
}

async function askPageSize(ctx: SourceContext): Promise<number | null | undefined> {
  const run = await ctx.exec('getconf', ['PAGESIZE'], { timeoutMs: GETCONF_TIMEOUT_MS, signal: ctx.signal });
  if (!run.ok) {
    // A timeout may pass; a missing getconf will not come back.
    if (run.error.kind === 'timeout') return undefined;
    ctx.logger.info({ reason: run.error.message }, 'page size unknown: KSM sharing not reported in bytes');
    return null;
  }
  const parsed = run.value.exitCode === 0 ? parsePageSize(run.value.stdout) : undefined;
  if (parsed?.ok) return parsed.value;
  ctx.logger.warn(
    { exitCode: run.value.exitCode, reason: parsed?.error.message },
    'getconf PAGESIZE gave no page size: KSM sharing not reported in bytes',
  );
  return null;
}
