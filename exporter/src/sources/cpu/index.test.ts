import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readText, type ReadText } from '../read.js';
import { ok } from '../source.js';
import { sourceContext } from '../../test-support/source-context.js';
import { createCpuSource } from './index.js';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

const context = (procfs: string, read: ReadText = readText) =>
  sourceContext({ paths: { procfs }, readText: read });

describe('cpu source', () => {
  it('reads stat under the configured procfs root', async () => {
    const result = await createCpuSource().collect(context(here('./fixtures/root-debian12-vm/proc')));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.cpuCount).toBe(2);
    expect(result.value.total.seconds.user).toBe(123.74);
    expect(result.value.usageRatio).toBeUndefined();
  });

  it('is absent when the root has no stat', async () => {
    const result = await createCpuSource().collect(context(here('./fixtures/no-such-proc')));
    expect(result).toMatchObject({ ok: false, error: { kind: 'absent' } });
  });

  it('reports usage over the window since its previous sample', async () => {
    const samples = ['proc-stat-debian12-vm-2cpu.txt', 'proc-stat-debian12-vm-2cpu-later.txt'].map((f) =>
      readFileSync(here(`./fixtures/${f}`), 'utf8'),
    );
    const seen: string[] = [];
    const read: ReadText = async (path) => {
      seen.push(path);
      return ok(samples[seen.length - 1] ?? '');
    };
    const source = createCpuSource();
    const ctx = context('/host/proc', read);
    const first = await source.collect(ctx);
    const second = await source.collect(ctx);
    expect(seen).toEqual(['/host/proc/stat', '/host/proc/stat']);
    expect(first.ok && first.value.usageRatio).toBeUndefined();
    expect(second.ok && second.value.usageRatio).toBe(12 / 220);
  });
});
