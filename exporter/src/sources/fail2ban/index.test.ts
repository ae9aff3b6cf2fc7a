import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sourceContext } from '../../test-support/source-context.js';
import type { Exec } from '../exec.js';
import { ok } from '../source.js';
import { createFail2banSource } from './index.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../../auth/fixtures/${name}`, import.meta.url), 'utf8');
const status = fixture('fail2ban-client-status-proxmon-banned.txt');

function run(jail: string, exec: Exec, socket?: string) {
  return createFail2banSource({ jail, socket }).collect(sourceContext({ exec, now: Date.now }));
}

const answer =
  (stdout: string, exitCode = 0, stderr = ''): Exec =>
  async () =>
    ok({ stdout, stderr, exitCode, durationMs: 1 });

describe('fail2ban source', () => {
  it('reads the jail status through the configured socket', async () => {
    let argv: readonly string[] = [];
    const r = await run(
      'proxmon',
      async (_t, args, o) => ((argv = args), answer(status)(_t, args, o)),
      '/run/f2b.sock',
    );
    expect(argv).toEqual(['-s', '/run/f2b.sock', 'status', 'proxmon']);
    expect(r.ok && r.value.currentlyBanned).toBeGreaterThan(0);
  });

  it('is quietly absent without a jail or without a running server', async () => {
    expect(await run('', answer(status))).toMatchObject({ ok: false, error: { kind: 'absent' } });
    const down = answer('', 255, fixture('fail2ban-client-status-no-socket.stderr.txt'));
    expect(await run('proxmon', down)).toMatchObject({ ok: false, error: { kind: 'absent' } });
  });

  it('reports an unknown jail as an error', async () => {
    const r = await run('nope', answer('', 255, fixture('fail2ban-client-status-no-such-jail.stderr.txt')));
    expect(r).toMatchObject({ ok: false, error: { kind: 'exit', message: expect.stringContaining('NOK') } });
  });
});
