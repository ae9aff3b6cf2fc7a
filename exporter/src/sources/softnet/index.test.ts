import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { readText } from '../read.js';
import { fail, type SourceContext } from '../source.js';
import { createSoftnetSource } from './index.js';

const context = (procfs: string): SourceContext => ({
  paths: { procfs, sysfs: '/nonexistent/sys', rootfs: '/nonexistent' },
  exec: async () => fail('absent', 'not used'),
  readText,
  signal: new AbortController().signal,
  now: () => 0,
  logger: pino({ level: 'silent' }),
});

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
