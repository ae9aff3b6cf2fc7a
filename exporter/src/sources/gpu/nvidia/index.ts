import type { ExecOutput } from '../../exec.js';
import { fail, ok, type Result, type Source, type SourceContext } from '../../source.js';
import type { GpuProcess, GpuSnapshot } from '../types.js';
import { selectQueryFields } from './fields.js';
import {
  COMPUTE_APPS_FIELDS,
  isFormatRejected,
  nvidiaSmiFailure,
  parseComputeAppsCsv,
  parseHelpQueryGpu,
  parseQueryGpuCsv,
  rejectedQueryField,
} from './parse.js';

export const NVIDIA_SOURCE = 'nvidia';

const TIMEOUT_SECONDS = 5;
/** Field rejections tolerated in one collection before giving up until the next. */
const MAX_REDETECTIONS = 3;

export interface NvidiaOptions {
  /** Per-process GPU memory from `--query-compute-apps` (one more nvidia-smi run per collection). */
  processes?: boolean;
}

/** The argv of a `--query-gpu` run (exported for the live check script). */
export function queryGpuArgs(fields: readonly string[], format = 'csv,noheader,nounits'): string[] {
  return [`--query-gpu=${fields.join(',')}`, `--format=${format}`];
}

/**
 * NVIDIA GPUs through nvidia-smi. The fields this driver supports are read once per process from
 * `--help-query-gpu`; a field the query still rejects is dropped and the list detected again.
 */
export function createNvidiaSource(options: NvidiaOptions = {}): Source<GpuSnapshot> {
  let fields: string[] | undefined;
  const rejected = new Set<string>();
  let format = 'csv,noheader,nounits';

  const run = (ctx: SourceContext, args: string[]) =>
    ctx.exec('nvidia-smi', args, { timeoutMs: TIMEOUT_SECONDS * 1000, signal: ctx.signal });

  const detectFields = async (ctx: SourceContext): Promise<Result<string[]>> => {
    const help = await run(ctx, ['--help-query-gpu']);
    if (!help.ok) return help;
    const failure = nvidiaSmiFailure(help.value.stdout, help.value.stderr, help.value.exitCode);
    if (failure) return { ok: false, error: failure };
    const supported = parseHelpQueryGpu(help.value.stdout);
    if (!supported.ok) ctx.logger.warn({ error: supported.error.message }, 'nvidia: using baseline fields');
    return ok(selectQueryFields(supported.ok ? supported.value : undefined, rejected));
  };

  const readProcesses = async (ctx: SourceContext): Promise<GpuProcess[] | undefined> => {
    const r = await run(ctx, [`--query-compute-apps=${COMPUTE_APPS_FIELDS.join(',')}`, `--format=${format}`]);
    const failure = r.ok ? nvidiaSmiFailure(r.value.stdout, r.value.stderr, r.value.exitCode) : r.error;
    if (!r.ok || failure) {
      ctx.logger.debug({ error: failure?.message }, 'nvidia: no per-process data');
      return undefined;
    }
    const parsed = parseComputeAppsCsv(r.value.stdout);
    return parsed.ok ? parsed.value : undefined;
  };

  return {
    name: NVIDIA_SOURCE,
    intervalSeconds: 10,
    timeoutSeconds: TIMEOUT_SECONDS,
    async collect(ctx) {
      for (let attempt = 0; attempt <= MAX_REDETECTIONS; attempt++) {
        if (!fields) {
          const detected = await detectFields(ctx);
          if (!detected.ok) return detected;
          fields = detected.value;
        }
        const r = await run(ctx, queryGpuArgs(fields, format));
        if (!r.ok) return r;
        const retry = retryReason(r.value);
        if (retry === 'format' && format !== 'csv,noheader') {
          format = 'csv,noheader';
          continue;
        }
        if (retry !== undefined && retry !== 'format') {
          rejected.add(retry);
          fields = undefined;
          continue;
        }
        const failure = nvidiaSmiFailure(r.value.stdout, r.value.stderr, r.value.exitCode);
        const gpus = parseQueryGpuCsv(r.value.stdout, fields);
        // One lost GPU makes nvidia-smi exit non-zero while the others still report.
        if (gpus.ok && gpus.value.length > 0 && failure?.kind !== 'absent') {
          const processes = options.processes ? await readProcesses(ctx) : undefined;
          return ok({ gpus: gpus.value, ...(options.processes ? { processes } : {}) });
        }
        if (failure) return { ok: false, error: failure };
        return gpus.ok ? ok({ gpus: [] }) : gpus;
      }
      return fail('parse', `nvidia-smi kept rejecting query fields (dropped: ${[...rejected].join(', ')})`);
    },
  };
}

/** A rejected field's name, `format` for an unknown format modifier, else undefined. */
function retryReason(out: ExecOutput): string | undefined {
  if (out.exitCode === 0) return undefined;
  const text = `${out.stdout}\n${out.stderr}`;
  if (isFormatRejected(text)) return 'format';
  return rejectedQueryField(text);
}
