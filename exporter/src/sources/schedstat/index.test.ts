import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sourceContext } from '../../test-support/source-context.js';
import { createSchedstatSource } from './index.js';

const context = (procfs: string) => sourceContext({ paths: { procfs } });

const root = (name: string) => fileURLToPath(new URL(`./fixtures/${name}/proc`, import.meta.url));

describe('schedstat source', () => {
  it('reads schedstat under the configured procfs root', async () => {
    const result = await createSchedstatSource().collect(context(root('root-pve-host-v15-constructed')));
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value.version).toBe(15);
    expect(result.value.perCpu).toHaveLength(48);
    expect(result.value.total.waitingSeconds).toBe(5257593.381735077);
  });

  it('is absent on a kernel built without CONFIG_SCHEDSTATS (no file)', async () => {
    const result = await createSchedstatSource().collect(context(root('no-such-root')));
    expect(result).toMatchObject({ ok: false, error: { kind: 'absent' } });
  });

  it('declares its name and cadence', () => {
    expect(createSchedstatSource()).toMatchObject({
      name: 'schedstat',
      intervalSeconds: 15,
      timeoutSeconds: 3,
    });
  });
});
