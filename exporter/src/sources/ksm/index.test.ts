import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createExec, type Exec } from '../exec.js';
import { fail, ok } from '../source.js';
import { sourceContext } from '../../test-support/source-context.js';
import { makeTools, memoryLogger } from '../../test-support/tools.js';
import { createKsmSource } from './index.js';

const sysfs = (root: string) => fileURLToPath(new URL(`./fixtures/${root}/sys`, import.meta.url));

function context(root: string, exec: Exec) {
  const { logger, lines } = memoryLogger();
  return { ctx: sourceContext({ paths: { sysfs: sysfs(root) }, exec, logger }), lines };
}

/** An Exec that answers getconf from a script of results and counts its calls. */
function scripted(...results: Awaited<ReturnType<Exec>>[]): Exec & { calls: string[][] } {
  const calls: string[][] = [];
  const exec = async (tool: string, args: readonly string[]) => {
    calls.push([tool, ...args]);
    return results.shift() ?? fail('io', 'script ran out');
  };
  return Object.assign(exec, { calls });
}

const output = (stdout: string, exitCode = 0) => ok({ stdout, stderr: '', exitCode, durationMs: 1 });

describe('ksm source', () => {
  it('reads KSM under the configured sysfs root, with the page size from a real getconf run', async () => {
    const tools = makeTools({ getconf: '[ "$1" = PAGESIZE ] && echo 4096' });
    const { ctx } = context(
      'root-pve8-kernel6.8-running-constructed',
      createExec({ getconf: tools.path('getconf') }),
    );
    expect(await createKsmSource().collect(ctx)).toMatchObject({
      ok: true,
      value: { running: true, pagesSharing: 1923456, pageSizeBytes: 4096, sharingBytes: 7878475776 },
    });
  });

  it('asks getconf once, not every cycle', async () => {
    const exec = scripted(output('4096\n'));
    const source = createKsmSource();
    const { ctx } = context('root-pve8.0-kernel6.2-running-constructed', exec);
    await source.collect(ctx);
    const second = await source.collect(ctx);
    expect(exec.calls).toEqual([['getconf', 'PAGESIZE']]);
    expect(second).toMatchObject({ ok: true, value: { sharingBytes: 4294967296, profitBytes: undefined } });
  });

  it('reports pages without bytes when getconf is missing, says so once, and does not ask again', async () => {
    const exec = scripted(fail('absent', 'getconf: not installed'));
    const source = createKsmSource();
    const { ctx, lines } = context('root-pve8.0-kernel6.2-running-constructed', exec);
    const first = await source.collect(ctx);
    await source.collect(ctx);
    expect(first).toMatchObject({ ok: true, value: { pagesSharing: 1048576 } });
    expect(first.ok && first.value.sharingBytes).toBeUndefined();
    expect(exec.calls).toHaveLength(1);
    expect(lines.filter((l) => String(l.msg).startsWith('page size unknown'))).toHaveLength(1);
  });

  it('tries getconf again after a timeout', async () => {
    const exec = scripted(fail('timeout', 'getconf: timed out'), output('16384\n'));
    const source = createKsmSource();
    const { ctx } = context('root-pve8.0-kernel6.2-running-constructed', exec);
    const first = await source.collect(ctx);
    const second = await source.collect(ctx);
    expect(first.ok && first.value.pageSizeBytes).toBeUndefined();
    expect(second).toMatchObject({ ok: true, value: { pageSizeBytes: 16384, sharingBytes: 17179869184 } });
    expect(exec.calls).toHaveLength(2);
  });

  it('gives up on a getconf that fails or prints garbage, with a warning', async () => {
    const exec = scripted(output('', 1));
    const { ctx, lines } = context('root-pve8.0-kernel6.2-running-constructed', exec);
    const result = await createKsmSource().collect(ctx);
    expect(result.ok && result.value.sharingBytes).toBeUndefined();
    expect(lines.filter((l) => l.level === 40)).toHaveLength(1);
  });

  it('is absent, without running getconf, when the kernel has no KSM', async () => {
    const exec = scripted();
    const { ctx } = context('no-such-root', exec);
    expect(await createKsmSource().collect(ctx)).toMatchObject({ ok: false, error: { kind: 'absent' } });
    expect(exec.calls).toEqual([]);
  });
});
