import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sourceContext } from '../../test-support/source-context.js';
import { createSoftirqsSource } from './index.js';

const context = (procfs: string) => sourceContext({ paths: { procfs } });

const root = (name: string) => fileURLToPath(new URL(`./fixtures/${name}/proc`, import.meta.url));

describe('softirqs source', () => {
  it('reads softirqs under the configured procfs root', async () => {
    const result = await createSoftirqsSource().collect(context(root('root-debian12-vm')));
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value.cpuCount).toBe(2);
    expect(result.value.totals).toContainEqual({ type: 'NET_RX', count: 19938 + 20931 });
  });

  it('is absent when the root has no softirqs', async () => {
    const result = await createSoftirqsSource().collect(context(root('no-such-root')));
    expect(result).toMatchObject({ ok: false, error: { kind: 'absent' } });
  });
});
