import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { expect, it } from 'vitest';
import { readText } from '../read.js';
import { fail } from '../source.js';
import { createLoadavgSource } from './index.js';

it('reads loadavg under the configured procfs root', async () => {
  const result = await createLoadavgSource().collect({
    paths: {
      procfs: fileURLToPath(new URL('./fixtures/root-debian12-vm/proc', import.meta.url)),
      sysfs: '',
      rootfs: '',
    },
    exec: async () => fail('absent', 'not used'),
    readText,
    signal: new AbortController().signal,
    now: () => 0,
    logger: pino({ level: 'silent' }),
  });
  expect(result).toEqual({
    ok: true,
    value: { load1: 0.66, load5: 0.34, load15: 0.15, runningThreads: 1, totalThreads: 86 },
  });
});
