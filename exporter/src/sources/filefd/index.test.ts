import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sourceContext } from '../../test-support/source-context.js';
import { createFilefdSource } from './index.js';

const context = (procfs: string) => sourceContext({ paths: { procfs } });

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
