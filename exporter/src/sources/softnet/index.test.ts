import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sourceContext } from '../../test-support/source-context.js';
import { createSoftnetSource } from './index.js';

const context = (procfs: string) => sourceContext({ paths: { procfs } });

const root = (name: string) => fileURLToPath(new URL(`./fixtures/${name}/proc`, import.meta.url));

describe('softnet source', () => {
  it('reads net/softnet_stat under the configured procfs root', async () => {
    const result = await createSoftnetSource().collect(context(root('root-debian12-vm')));
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value.total).toEqual({ processed: 62755, dropped: 0, timesSqueezed: 0 });
    expect(result.value.perCpu.map((c) => c.cpu)).toEqual(['0', '1']);
  });

  it('is absent when the root has no softnet_stat', async () => {
    const result = await createSoftnetSource().collect(context(root('no-such-root')));
    expect(result).toMatchObject({ ok: false, error: { kind: 'absent' } });
  });

  it('declares its name and cadence', () => {
    expect(createSoftnetSource()).toMatchObject({ name: 'softnet', intervalSeconds: 15, timeoutSeconds: 3 });
  });
});
