import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPveAccess, type PveClient, type PveRequestOptions } from '../../pve/index.js';
import { sourceContext } from '../../test-support/source-context.js';
import { fail, ok, type Result } from '../source.js';
import { counting, fakeClient, NOW_MS, ROOTFS, startModes, type Modes } from './fixtures/clients.js';
import { createPveGuestAgentSource, type PveGuestAgentSnapshot } from './guest-agent.js';

let modes: Modes;
beforeAll(async () => {
  modes = await startModes();
});
afterAll(() => modes.close());

const MIN = 60_000;
// In pvesh mode configs are read from the recorded node's files in etc/pve under this root.
const ctx = (nowMs = NOW_MS, signal?: AbortSignal) =>
  sourceContext({ now: () => nowMs, paths: { rootfs: ROOTFS }, ...(signal ? { signal } : {}) });
const fsinfo = (used: number, total: number) => ({
  result: [{ name: 'vda1', mountpoint: '/', type: 'ext4', 'used-bytes': used, 'total-bytes': total }],
});

async function run(
  source: ReturnType<typeof createPveGuestAgentSource>,
  nowMs = NOW_MS,
): Promise<PveGuestAgentSnapshot> {
  const r = await source.collect(ctx(nowMs));
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

describe('createPveGuestAgentSource', () => {
  it('reads agent filesystems of running VMs and backs off a silent agent (pvesh and API alike)', async () => {
    const configCalls = { pvesh: [], api: ['/nodes/pve/qemu/211/config', '/nodes/pve/qemu/212/config'] };
    const both = await Promise.all(
      (['pvesh', 'api'] as const).map(async (mode) => {
        const client = counting(modes.client(mode));
        const source = createPveGuestAgentSource(createPveAccess({ client, hostname: 'pve' }));
        const first = await run(source);
        const firstCalls = client.calls.splice(0);
        const second = await run(source, NOW_MS + MIN);
        return { mode, first, firstCalls, second, secondCalls: client.calls.splice(0) };
      }),
    );
    for (const { mode, first, firstCalls, second, secondCalls } of both) {
      // pvesh mode reads the configs from /etc/pve: no pvesh run per guest.
      expect(firstCalls.sort()).toEqual(
        [
          '/nodes',
          '/nodes/pve/qemu',
          '/nodes/pve/qemu/211/agent/get-fsinfo',
          '/nodes/pve/qemu/212/agent/get-fsinfo',
          ...configCalls[mode],
        ].sort(),
      );
      expect(first.disks.get(211)).toMatchObject({ usedBytes: 7737305088, totalBytes: 138957568000 });
      expect(first.disks.get(211)?.filesystems.map((f) => f.mountpoint)).toEqual([
        '/',
        '/boot/efi',
        '/srv/data',
      ]);
      // 212's agent is enabled in its config but not running in the guest.
      expect(first.disks.has(212)).toBe(false);
      expect(first.backedOff).toEqual(new Map([[212, NOW_MS + 10 * MIN]]));
      expect(first.configs.get(211)).toMatchObject({ name: 'lab-app-01', agent: { enabled: true } });
      expect(first.configs.get(212)).toMatchObject({
        name: 'lab-app-02',
        agent: { enabled: true, fstrimClonedDisks: true },
        onboot: true,
        tags: ['lab'],
        balloonBytes: 1024 * 1048576,
        memoryBytes: 2048 * 1048576,
      });
      // A minute later: configs come from the cache and the silent agent is left alone.
      expect(secondCalls).toEqual(['/nodes/pve/qemu', '/nodes/pve/qemu/211/agent/get-fsinfo']);
      expect(second.disks.get(211)?.usedBytes).toBe(7737305088);
    }
    const [a, b] = both;
    expect(b?.first).toEqual(a?.first);
  });

  it('asks again after the backoff and re-reads configs after their TTL, a restart or a stop', async () => {
    let uptime = 5000;
    let status = 'running';
    let agentUp = false;
    const client = fakeClient(
      {
        '/nodes': [{ node: 'pve1' }],
        '/nodes/pve1/qemu': () => [{ vmid: 101, status, uptime }],
        '/nodes/pve1/qemu/101/config': { agent: '1' },
        '/nodes/pve1/qemu/101/agent/get-fsinfo': () =>
          agentUp ? fsinfo(100, 1000) : new Error('QEMU guest agent is not running'),
      },
      'api',
    );
    const source = createPveGuestAgentSource(createPveAccess({ client, hostname: 'pve1' }));
    const calls = () => client.calls.splice(0).filter((c) => c !== '/nodes');
    expect((await run(source)).backedOff.has(101)).toBe(true);
    expect(calls()).toEqual([
      '/nodes/pve1/qemu',
      '/nodes/pve1/qemu/101/config',
      '/nodes/pve1/qemu/101/agent/get-fsinfo',
    ]);

    agentUp = true;
    uptime += 60;
    await run(source, NOW_MS + MIN);
    expect(calls()).toEqual(['/nodes/pve1/qemu']);
    // Backoff over (10 min) and the config TTL (10 min) passed.
    uptime += 600;
    const later = await run(source, NOW_MS + 11 * MIN);
    expect(calls()).toEqual([
      '/nodes/pve1/qemu',
      '/nodes/pve1/qemu/101/config',
      '/nodes/pve1/qemu/101/agent/get-fsinfo',
    ]);
    expect(later.disks.get(101)?.usedBytes).toBe(100);

    // A restart (uptime went down) re-reads the config at once.
    uptime = 30;
    await run(source, NOW_MS + 12 * MIN);
    expect(calls()).toEqual([
      '/nodes/pve1/qemu',
      '/nodes/pve1/qemu/101/config',
      '/nodes/pve1/qemu/101/agent/get-fsinfo',
    ]);

    // Stopped: nothing asked, nothing kept; started again: config read afresh.
    status = 'stopped';
    const stopped = await run(source, NOW_MS + 13 * MIN);
    expect(calls()).toEqual(['/nodes/pve1/qemu']);
    expect([stopped.configs.size, stopped.disks.size]).toEqual([0, 0]);
    status = 'running';
    uptime = 10;
    await run(source, NOW_MS + 14 * MIN);
    expect(calls()).toEqual([
      '/nodes/pve1/qemu',
      '/nodes/pve1/qemu/101/config',
      '/nodes/pve1/qemu/101/agent/get-fsinfo',
    ]);
  });

  it('never calls the agent of a VM whose config does not enable it, a stopped VM or a template', async () => {
    const client = fakeClient(
      {
        '/nodes': [{ node: 'pve1' }],
        '/nodes/pve1/qemu': [
          { vmid: 101, status: 'running', uptime: 5 },
          { vmid: 102, status: 'running', uptime: 5 },
          { vmid: 103, status: 'stopped' },
          { vmid: 104, status: 'running', uptime: 5, template: 1 },
        ],
        '/nodes/pve1/qemu/101/config': { agent: '0' },
        '/nodes/pve1/qemu/102/config': { name: 'no-agent-option' },
      },
      'api',
    );
    const s = await run(createPveGuestAgentSource(createPveAccess({ client, hostname: 'pve1' })));
    expect(client.calls.filter((c) => c.includes('/agent/'))).toEqual([]);
    expect(client.calls.filter((c) => c.endsWith('/config'))).toEqual([
      '/nodes/pve1/qemu/101/config',
      '/nodes/pve1/qemu/102/config',
    ]);
    expect(s.disks).toEqual(new Map());
    expect(s.configs.get(101)?.agent).toEqual({ enabled: false });
  });

  it('gives each agent call its short deadline, a few at a time, and does not blame a guest for the source deadline', async () => {
    const seen: Array<number | undefined> = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const guests = Array.from({ length: 10 }, (_, i) => ({ vmid: 200 + i, status: 'running', uptime: 5 }));
    const replies: Record<string, unknown> = { '/nodes': [{ node: 'pve1' }], '/nodes/pve1/qemu': guests };
    const client: PveClient = {
      mode: 'api',
      async get<T>(path: string, _params?: unknown, opts?: PveRequestOptions): Promise<Result<T>> {
        if (path.endsWith('/config')) return ok({ agent: 1 } as T);
        if (replies[path] !== undefined) return ok(replies[path] as T);
        seen.push(opts?.timeoutMs);
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((r) => setTimeout(r, 5));
        inFlight--;
        return fail('timeout', 'aborted');
      },
      post: () => Promise.resolve(fail('exit', 'read-only')),
      put: () => Promise.resolve(fail('exit', 'read-only')),
      delete: () => Promise.resolve(fail('exit', 'read-only')),
      close: () => {},
    };
    const controller = new AbortController();
    const source = createPveGuestAgentSource(createPveAccess({ client, hostname: 'pve1' }), {
      timeoutMs: 1500,
      concurrency: 3,
    });
    const aborted = await source.collect(ctx(NOW_MS, AbortSignal.abort()));
    expect(aborted.ok && aborted.value.backedOff.size).toBe(0);
    const r = await source.collect(ctx(NOW_MS, controller.signal));
    expect(r.ok && r.value.backedOff.size).toBe(10);
    expect(new Set(seen)).toEqual(new Set([1500]));
    expect(maxInFlight).toBe(3);
  });

  it('fails when the node guest list fails', async () => {
    const client = fakeClient({ '/nodes': [{ node: 'pve1' }] });
    const r = await createPveGuestAgentSource(createPveAccess({ client, hostname: 'pve1' })).collect(ctx());
    expect(r).toEqual({ ok: false, error: { kind: 'exit', message: 'no /nodes/pve1/qemu' } });
  });
});
