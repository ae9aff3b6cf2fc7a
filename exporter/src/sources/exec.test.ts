import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAlive, makeTools, waitFor } from '../test-support/tools.js';
import { createExec, execOutput, outputBytes } from './exec.js';

describe('createExec', () => {
  it('captures stdout, stderr and any exit status as a value', async () => {
    const tools = makeTools({ t: 'echo out; echo err >&2; exit 3' });
    const r = await createExec({ t: tools.path('t') })('t', [], { timeoutMs: 5000 });
    expect(r).toMatchObject({ ok: true, value: { stdout: 'out\n', stderr: 'err\n', exitCode: 3 } });
  });

  it('hands stdout over as the bytes that came, invalid UTF-8 and NULs included, decoding only on request', async () => {
    const tools = makeTools({ t: String.raw`printf 'a\377\000b\n\303'` });
    const r = await createExec({ t: tools.path('t') })('t', [], { timeoutMs: 5000 });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.stdoutBytes).toEqual(Buffer.from([0x61, 0xff, 0x00, 0x62, 0x0a, 0xc3]));
    expect(r.value.stdout).toBe('a\ufffd\u0000b\n\ufffd');
    expect(r.value.stdout).toBe(r.value.stdout);
    expect(outputBytes(r.value)).toBe(r.value.stdoutBytes);
  });

  it('decodes stdout once, on first access, and not at all when only the bytes are read', () => {
    const bytes = Buffer.from('héllo\n');
    let decodes = 0;
    const toString = bytes.toString.bind(bytes);
    bytes.toString = ((...args: Parameters<Buffer['toString']>) => {
      decodes++;
      return toString(...args);
    }) as Buffer['toString'];
    const out = execOutput(bytes, '', 0, 1);
    expect(out.stdoutBytes).toBe(bytes);
    expect(decodes).toBe(0);
    expect([out.stdout, out.stdout]).toEqual(['héllo\n', 'héllo\n']);
    expect(decodes).toBe(1);
    // A fake's output without bytes still gives them.
    expect(outputBytes({ stdout: 'é', stderr: '', exitCode: 0, durationMs: 0 })).toEqual(
      Buffer.from([0xc3, 0xa9]),
    );
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
