import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sourceContext } from '../../test-support/source-context.js';
import { createExec } from '../exec.js';
import { createAptSource } from './index.js';

/** tests/fake-bin stand-ins, run through the real createExec (spawn, timeout, process-group kill). */
const fakeBin = (name: string) =>
  fileURLToPath(new URL(`../../../../tests/fake-bin/${name}`, import.meta.url));

let tmp: string;

beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'proxmon-apt-'));
  process.env.APT_GET_ARGS_LOG = join(tmp, 'args');
});

afterEach(() => {
  delete process.env.APT_GET_ARGS_LOG;
  delete process.env.APT_GET_SCENARIO;
  rmSync(tmp, { recursive: true, force: true });
});

const collect = (aptGet: string, signal?: AbortSignal) =>
  createAptSource().collect(
    sourceContext({ exec: createExec({ 'apt-get': aptGet }), ...(signal && { signal }) }),
  );

describe('apt source through a stand-in apt-get', () => {
  it('simulates a dist-upgrade without taking the lock, daily, and counts the recorded Debian 12 run', async () => {
    const source = createAptSource();
    expect([source.name, source.intervalSeconds, source.timeoutSeconds]).toEqual(['apt', 86_400, 120]);
    const r = await collect(fakeBin('apt-get-recorded'));
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.counts).toEqual({ all: 128, security: 81 });
    expect(readFileSync(join(tmp, 'args'), 'utf8')).toBe('-s -o Debug::NoLocking=1 dist-upgrade\n');
  });

  it('counts Proxmox, NEW and security packages of the PVE lab run', async () => {
    process.env.APT_GET_SCENARIO = 'pve8-lab';
    const r = await collect(fakeBin('apt-get-recorded'));
    if (!r.ok) throw new Error(r.error.message);
    expect([r.value.counts, r.value.removals]).toEqual([{ all: 10, security: 4 }, 1]);
  });

  it('reports a failing apt-get (broken sources.list, exit 100) with its E: line', async () => {
    expect(await collect(fakeBin('apt-get-broken-sources'))).toEqual({
      ok: false,
      error: {
        kind: 'exit',
        message:
          'apt-get -s dist-upgrade exited 100: E: Malformed entry 1 in list file /tmp/aptbad/sources.list (Suite)',
      },
    });
  });

  it('is absent without apt-get', async () => {
    expect(await collect(join(tmp, 'no-such-apt-get'))).toMatchObject({
      ok: false,
      error: { kind: 'absent', message: 'apt-get: not installed' },
    });
  });

  it('gives up on a hung apt-get at the deadline', async () => {
    const t0 = performance.now();
    const r = await collect(fakeBin('hang'), AbortSignal.timeout(300));
    expect(r).toMatchObject({ ok: false, error: { kind: 'timeout' } });
    expect(performance.now() - t0).toBeLessThan(3000);
  });
});
