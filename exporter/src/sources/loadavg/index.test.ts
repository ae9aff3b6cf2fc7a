import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { sourceContext } from '../../test-support/source-context.js';
import { createLoadavgSource } from './index.js';

it('reads loadavg under the configured procfs root', async () => {
  const procfs = fileURLToPath(new URL('./fixtures/root-debian12-vm/proc', import.meta.url));
  const result = await createLoadavgSource().collect(sourceContext({ paths: { procfs } }));
  expect(result).toEqual({
    ok: true,
    value: { load1: 0.66, load5: 0.34, load15: 0.15, runningThreads: 1, totalThreads: 86 },
  });
});
