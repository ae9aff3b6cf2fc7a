import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAlive, makeTools, waitFor } from '../test-support/tools.js';
import { createExec } from './exec.js';

describe('createExec', () => {
  it('captures stdout, stderr and any exit status as a value', async () => {
    const tools = makeTools({ t: 'echo out; echo err >&2; exit 3' });
    const r = await createExec({ t: tools.path('t') })('t', [], { timeoutMs: 5000 });
    expect(r).toMatchObject({ ok: true, value: { stdout: 'out\n', stderr: 'err\n', exitCode: 3 } });
  });

  it('passes arguments verbatim, without a shell', async () => {
    const tools = makeTools({ t: 'printf "%s|" "$@"' });
    const r = await createExec({ t: tools.path('t') })('t', ['a b', '$HOME', ';rm'], { timeoutMs: 5000 });
    expect(r.ok && r.value.stdout).toBe('a b|$HOME|;rm|');
  });

  it('finds tools on PATH and reports a missing one as absent', async () => {
    const r = await createExec()('proxmon-no-such-tool', [], { timeoutMs: 5000 });
    expect(r).toEqual({
      ok: false,
      error: { kind: 'absent', message: 'proxmon-no-such-tool: not installed' },
    });
  });

  it('kills the whole process group at the timeout, grandchildren included', async () => {
    const tools = makeTools({
      // A wrapper that starts a grandchild and waits: killing only the wrapper would leave the sleep.
      hang: 'sleep 300 & echo $! > "$1/grandchild"; echo $$ > "$1/child"; wait',
    });
    const started = Date.now();
    const r = await createExec({ hang: tools.path('hang') })('hang', [tools.dir], { timeoutMs: 300 });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(r).toMatchObject({ ok: false, error: { kind: 'timeout' } });
    const pids = ['child', 'grandchild'].map((f) => Number(readFileSync(join(tools.dir, f), 'utf8')));
    await waitFor(() => pids.every((p) => !isAlive(p)));
  });

  it('stops when its abort signal fires', async () => {
    const tools = makeTools({ hang: 'exec sleep 300' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const r = await createExec({ hang: tools.path('hang') })('hang', [], {
      timeoutMs: 60_000,
      signal: controller.signal,
    });
    expect(r).toMatchObject({ ok: false, error: { kind: 'timeout' } });
  });

  it('refuses unbounded output', async () => {
    const tools = makeTools({ yes: 'exec yes' });
    const r = await createExec({ yes: tools.path('yes') })('yes', [], {
      timeoutMs: 5000,
      maxOutputBytes: 100_000,
    });
    expect(r).toMatchObject({
      ok: false,
      error: { kind: 'io', message: expect.stringContaining('exceeded') },
    });
  });

  it('reports a tool killed by a signal as a failure, not as output', async () => {
    const tools = makeTools({ t: 'kill -9 $$' });
    const r = await createExec({ t: tools.path('t') })('t', [], { timeoutMs: 5000 });
    expect(r).toMatchObject({ ok: false, error: { kind: 'io', message: 't: killed by SIGKILL' } });
  });
});
