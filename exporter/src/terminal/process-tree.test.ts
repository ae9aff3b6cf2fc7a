import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { killSession, parseStatIds, sessionMembers } from './process-tree.js';
import { isRunning } from '../test-support/terminal.js';

describe('parseStatIds', () => {
  it('reads state, process group and session, even with parentheses and spaces in the name', () => {
    expect(
      parseStatIds('4438 (bash) S 4437 4438 4438 34817 4438 4194560 1146 0 0 0 1 0 0 0 20 0 1 0 7'),
    ).toEqual({ state: 'S', pgrp: 4438, session: 4438 });
    expect(parseStatIds('12 (a) b (c) Z 1 12 9 0 -1')).toEqual({ state: 'Z', pgrp: 12, session: 9 });
  });

  it('gives up on garbage', () => {
    for (const s of ['', 'no parens here', '1 (x)', '1 (x) S 1 a b']) expect(parseStatIds(s)).toBeUndefined();
  });
});

describe('killSession', () => {
  it('kills the session leader, a job in a group of its own, and children that ignore SIGHUP', async () => {
    // detached: a new session, as node-pty makes. `set -m` moves the first job into its own group.
    const leader = spawn(
      'bash',
      ['-c', 'set -m; sleep 300 & echo $!; set +m; trap "" HUP; sleep 301 & echo $!; echo ready; wait'],
      { detached: true, stdio: ['ignore', 'pipe', 'ignore'] },
    );
    let out = '';
    await new Promise<void>((resolve) =>
      leader.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('ready')) resolve();
      }),
    );
    const [job, stubborn] = out.split('\n').map(Number) as [number, number];
    const sid = leader.pid!;
    expect((await sessionMembers(sid)).sort()).toEqual([sid, job, stubborn].sort());
    const t0 = Date.now();
    await killSession(sid, { graceMs: 200 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(150);
    for (const pid of [sid, job, stubborn]) expect(isRunning(pid), `pid ${pid}`).toBe(false);
    expect(await sessionMembers(sid)).toEqual([]);
  });

  it('never signals pid 1, 0, negative ids or itself', async () => {
    for (const sid of [-1, 0, 1, process.pid, Number.NaN]) await killSession(sid, { graceMs: 0 });
    expect(isRunning(process.pid)).toBe(true);
  });
});
