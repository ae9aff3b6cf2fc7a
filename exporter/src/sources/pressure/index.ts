import { join } from 'node:path';
import { fail, ok, type Source, type SourceError } from '../source.js';
import { PRESSURE_RESOURCES, parsePressure, type PressureResource, type PressureStats } from './parse.js';

export type { PressureLine, PressureResource, PressureStats } from './parse.js';
export { PRESSURE_RESOURCES } from './parse.js';

export const PRESSURE_SOURCE = 'pressure';

/** Per resource; a resource whose file is missing or unreadable is left out. */
export type PressureSnapshot = Partial<Record<PressureResource, PressureStats>>;

/** /proc/pressure/{cpu,memory,io} (PSI). Absent on kernels built without PSI or booted with psi=0. */
export function createPressureSource(): Source<PressureSnapshot> {
  return {
    name: PRESSURE_SOURCE,
    intervalSeconds: 5,
    timeoutSeconds: 3,
    async collect(ctx) {
      const texts = await Promise.all(
        PRESSURE_RESOURCES.map((r) => ctx.readText(join(ctx.paths.procfs, 'pressure', r))),
      );
      const snapshot: PressureSnapshot = {};
      const problems: SourceError[] = [];
      PRESSURE_RESOURCES.forEach((resource, i) => {
        const text = texts[i];
        const parsed = text?.ok ? parsePressure(text.value) : text;
        if (parsed?.ok) snapshot[resource] = parsed.value;
        else if (parsed && parsed.error.kind !== 'absent') problems.push(parsed.error);
      });
      if (Object.keys(snapshot).length > 0) return ok(snapshot);
      // Nothing usable: quiet when PSI simply is not there, an error when it is there but broken.
      const [first] = problems;
      if (!first) return fail('absent', 'no /proc/pressure (kernel without PSI)');
      return fail(first.kind, problems.map((p) => p.message).join('; '));
    },
  };
}
