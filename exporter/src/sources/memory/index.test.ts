import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ReadText } from '../read.js';
import { readText } from '../read.js';
import { fail } from '../source.js';
import { sourceContext } from '../../test-support/source-context.js';
import { memoryLogger } from '../../test-support/tools.js';
import { createMemorySource } from './index.js';

const root = (name: string) => fileURLToPath(new URL(`./fixtures/${name}/proc`, import.meta.url));

function context(procfs: string, read: ReadText = readText) {
  const { logger, lines } = memoryLogger();
  return { ctx: sourceContext({ paths: { procfs }, readText: read, logger }), lines };
}

describe('memory source', () => {
  it('reads meminfo and the ZFS ARC under the configured procfs root', async () => {
    const { ctx } = context(root('root-pve-zfs-host'));
    const result = await createMemorySource().collect(ctx);
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value.totalBytes).toBe(67352707072);
    expect(result.value.usedBytes).toBe(55797141504);
    expect(result.value.arc).toMatchObject({
      sizeBytes: 6442450944,
      targetBytes: 6577412096,
      maxBytes: 6577412096,
    });
  });

  it('treats a host without ZFS as normal: no ARC, no failure, nothing logged', async () => {
    const { ctx, lines } = context(root('root-debian12-vm'));
    const result = await createMemorySource().collect(ctx);
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value.totalBytes).toBe(25276026880);
    expect(result.value.arc).toBeUndefined();
    expect(lines).toEqual([]);
  });

  it('keeps memory when arcstats is unreadable, and says so once', async () => {
    const read: ReadText = async (path) =>
      path.endsWith('arcstats') ? fail('io', `${path}: EACCES`) : readText(path);
    const { ctx, lines } = context(root('root-pve-zfs-host'), read);
    const source = createMemorySource();
    const first = await source.collect(ctx);
    await source.collect(ctx);
    expect(first.ok && first.value.arc).toBeUndefined();
    expect(first.ok && first.value.totalBytes).toBe(67352707072);
    expect(lines.filter((l) => l.msg === 'ARC not reported')).toHaveLength(1);
  });

  it('is absent when the root has no meminfo', async () => {
    const { ctx } = context(root('no-such-root'));
    expect(await createMemorySource().collect(ctx)).toMatchObject({ ok: false, error: { kind: 'absent' } });
  });
});
