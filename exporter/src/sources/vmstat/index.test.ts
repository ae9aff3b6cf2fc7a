import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sourceContext } from '../../test-support/source-context.js';
import { createVmstatSource } from './index.js';

const context = (procfs: string) => sourceContext({ paths: { procfs } });

const root = (name: string) => fileURLToPath(new URL(`./fixtures/${name}/proc`, import.meta.url));

describe('vmstat source', () => {
  it('reads vmstat under the configured procfs root', async () => {
    const result = await createVmstatSource().collect(context(root('root-debian12-vm')));
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value).toMatchObject({ majorPageFaults: 1261, pagedInBytes: 1401320448, oomKills: 0 });
  });

  it('is absent when the root has no vmstat', async () => {
    const result = await createVmstatSource().collect(context(root('no-such-root')));
    expect(result).toMatchObject({ ok: false, error: { kind: 'absent' } });
  });
});
