import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readText, type ReadText } from '../read.js';
import { ok } from '../source.js';
import { sourceContext } from '../../test-support/source-context.js';
import { createPressureSource } from './index.js';

const context = (procfs: string, read: ReadText = readText) =>
  sourceContext({ paths: { procfs }, readText: read });

describe('pressure source', () => {
  it('reads all three resources under the configured procfs root', async () => {
    const procfs = fileURLToPath(new URL('./fixtures/root-debian12-vm/proc', import.meta.url));
    const result = await createPressureSource().collect(context(procfs));
    if (!result.ok) throw new Error(result.error.message);
    expect(Object.keys(result.value)).toEqual(['cpu', 'memory', 'io']);
    expect(result.value.cpu?.some.totalSeconds).toBe(15.698951);
    expect(result.value.io?.full?.totalSeconds).toBe(1.461031);
  });

  it('is absent on a kernel without PSI', async () => {
    const procfs = fileURLToPath(new URL('./fixtures/no-such-proc', import.meta.url));
    expect(await createPressureSource().collect(context(procfs))).toEqual({
      ok: false,
      error: { kind: 'absent', message: 'no /proc/pressure (kernel without PSI)' },
    });
  });

  it('keeps the resources it can read when one file is broken', async () => {
    const read: ReadText = async (path) =>
      path.endsWith('io') ? ok('garbage') : ok('some avg10=1.00 avg60=0.50 avg300=0.25 total=2000000\n');
    const result = await createPressureSource().collect(context('/p', read));
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value.io).toBeUndefined();
    expect(result.value.memory?.some.totalSeconds).toBe(2);
  });

  it('fails (not absent) when the files are there but none parses', async () => {
    const result = await createPressureSource().collect(context('/p', async () => ok('garbage')));
    expect(result).toMatchObject({ ok: false, error: { kind: 'parse' } });
  });
});
