import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { readText } from '../read.js';
import { fail, type SourceContext } from '../source.js';
import { createFilefdSource } from './index.js';

const context = (procfs: string): SourceContext => ({
  paths: { procfs, sysfs: '/nonexistent/sys', rootfs: '/nonexistent' },
  exec: async () => fail('absent', 'not used'),
  readText,
  signal: new AbortController().signal,
  now: () => 0,
  logger: pino({ level: 'silent' }),
});

const root = (name: string) => fileURLToPath(new URL(`./fixtures/${name}/proc`, import.meta.url));

describe('filefd source', () => {
  it('reads sys/fs/file-nr under the configured procfs root', async () => {
    expect(await createFilefdSource().collect(context(root('root-debian12-vm')))).toEqual({
      ok: true,
      value: { allocated: 558, unused: 0, maximum: 2466160 },
    });
  });

  it('is absent when the root has no file-nr', async () => {
    const result = await createFilefdSource().collect(context(root('no-such-root')));
    expect(result).toMatchObject({ ok: false, error: { kind: 'absent' } });
  });
});
