import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPveAccess } from '../../pve/index.js';
import type { PveGuest } from '../../pve-model/index.js';
import { sourceContext } from '../../test-support/source-context.js';
import { fail, ok, type Result } from '../source.js';
import { counting, fakeClient, NOW_MS, ROOTFS, startModes, type Modes } from './fixtures/clients.js';
import { guestConfPath } from './guest-configs.js';
import { createPveSource } from './index.js';
import { createOnbootCache, dueGuests } from './onboot.js';

let modes: Modes;
beforeAll(async () => {
  modes = await startModes();
});
afterAll(() => modes.close());

const MIN = 60_000;
const guest = (vmid: number, node = 'pve1', type: 'qemu' | 'lxc' = 'qemu'): PveGuest => ({
  vmid,
  type,
  node,
  tags: [],
});

/** API-mode configs for `vmids` on pve1; `onboot` 1 for odd vmids. */
function apiConfigs(vmids: number[], override: Record<string, unknown> = {}) {
  const replies: Record<string, unknown> = {};
  for (const v of vmids) replies[`/nodes/pve1/qemu/${v}/config`] = { name: `g${v}`, onboot: v % 2 };
  return fakeClient({ ...replies, ...override }, 'api');
}

describe('the pve source reports onboot', () => {
  it('from the config files in pvesh mode, with no pvesh run per guest, as the API reports it', async () => {
    const both = await Promise.all(
      (['pvesh', 'api'] as const).map(async (mode) => {
        const client = counting(modes.client(mode));
        const source = createPveSource(createPveAccess({ client, hostname: 'pve' }));
        const r = await source.collect(sourceContext({ now: () => NOW_MS, paths: { rootfs: ROOTFS } }));
        if (!r.ok) throw new Error(r.error.message);
        return { onboot: r.value.onboot, configCalls: client.calls.filter((c) => c.endsWith('/config')) };
      }),
    );
    const [pvesh, api] = both;
    // 212 starts at boot; 213's snapshot says it would, its current config does not.
    expect(pvesh?.onboot).toEqual(
      new Map([
        [120, false],
        [211, false],
        [212, true],
        [213, false],
        [9000, false],
      ]),
    );
    expect(api?.onboot).toEqual(pvesh?.onboot);
    expect(pvesh?.configCalls).toEqual([]);
    expect(api?.configCalls.sort()).toEqual([
      '/nodes/pve/lxc/120/config',
      '/nodes/pve/qemu/211/config',
      '/nodes/pve/qemu/212/config',
      '/nodes/pve/qemu/213/config',
      '/nodes/pve/qemu/9000/config',
    ]);
  });

  it('leaves onboot unknown where no config file can be read', async () => {
    const source = createPveSource(createPveAccess({ client: modes.client('pvesh'), hostname: 'pve' }));
    const r = await source.collect(sourceContext());
    expect(r.ok && r.value.guests).toHaveLength(5);
    expect(r.ok && r.value.onboot).toEqual(new Map());
  });
});

describe('createOnbootCache', () => {
  it('reads the guests of a node from nodes/<node>/{qemu-server,lxc}/<vmid>.conf under the host root', async () => {
    const read: string[] = [];
    const ctx = sourceContext({
      paths: { rootfs: '/host' },
      readText: async (path) => {
        read.push(path);
        return path.endsWith('/101.conf') ? ok('onboot: 1\n') : ok('name: x\n');
      },
    });
    const cache = createOnbootCache(fakeClient({}));
    const onboot = await cache.refresh(ctx, [guest(101, 'pve1'), guest(102, 'pve2', 'lxc')]);
    expect(onboot).toEqual(
      new Map([
        [101, true],
        [102, false],
      ]),
    );
    expect(read).toEqual([
      '/host/etc/pve/nodes/pve1/qemu-server/101.conf',
      '/host/etc/pve/nodes/pve2/lxc/102.conf',
    ]);
  });

  it('never builds a path from a node name that is not a host name', () => {
    expect(guestConfPath('/', { node: '../../etc', type: 'qemu', vmid: 100 })).toBeUndefined();
    expect(guestConfPath('/', { node: 'pve1', type: 'lxc', vmid: -1 })).toBeUndefined();
  });

  it('re-reads the files once a minute in pvesh mode', async () => {
    let reads = 0;
    let text = 'onboot: 1\n';
    const ctx = (now: number) => sourceContext({ now: () => now, readText: async () => (reads++, ok(text)) });
    const cache = createOnbootCache(fakeClient({}));
    expect(await cache.refresh(ctx(0), [guest(101)])).toEqual(new Map([[101, true]]));
    text = 'onboot: 0\n';
    expect(await cache.refresh(ctx(30_000), [guest(101)])).toEqual(new Map([[101, true]]));
    expect(await cache.refresh(ctx(MIN), [guest(101)])).toEqual(new Map([[101, false]]));
    expect(reads).toBe(2);
  });

  it('over the API, reads at most 20 configs per refresh, new guests first, then again after an hour', async () => {
    const vmids = Array.from({ length: 50 }, (_, i) => 100 + i);
    const client = apiConfigs([...vmids, 999]);
    const cache = createOnbootCache(client);
    const refresh = async (now: number, list = vmids) => {
      const out = await cache.refresh(
        sourceContext({ now: () => now }),
        list.map((v) => guest(v)),
      );
      return { known: out.size, calls: client.calls.splice(0).length };
    };
    expect(await refresh(0)).toEqual({ known: 20, calls: 20 });
    expect(await refresh(15_000)).toEqual({ known: 40, calls: 20 });
    expect(await refresh(30_000)).toEqual({ known: 50, calls: 10 });
    expect(await refresh(45_000)).toEqual({ known: 50, calls: 0 });
    // An hour later the first 20 are due again, and a new guest goes before them.
    const out = await cache.refresh(
      sourceContext({ now: () => 3600_000 + 10_000 }),
      [...vmids, 999].map((v) => guest(v)),
    );
    expect(out.get(999)).toBe(true);
    expect(client.calls).toHaveLength(20);
    expect(client.calls[0]).toBe('/nodes/pve1/qemu/999/config');
    expect(client.calls.slice(1)).toEqual(vmids.slice(0, 19).map((v) => `/nodes/pve1/qemu/${v}/config`));
  });

  it('puts guests never read and migrated ones before the most overdue', () => {
    const ref = (vmid: number, node = 'pve1') => ({ node, type: 'qemu' as const, vmid });
    const known = new Map([
      [101, { ref: ref(101), dueAt: 50 }],
      [102, { ref: ref(102), dueAt: 10 }],
      [103, { ref: ref(103), dueAt: 500 }],
      [104, { ref: ref(104), dueAt: 500 }],
    ]);
    const listed = [ref(101), ref(102), ref(103), ref(104, 'pve2'), ref(105)];
    expect(dueGuests(known, listed, 100).map((r) => r.vmid)).toEqual([104, 105, 102, 101]);
  });

  it('keeps the last value through a failed read, forgets it when the config is gone, and retries later', async () => {
    let reply: Result<string> = ok('onboot: 1\n');
    const ctx = (now: number) => sourceContext({ now: () => now, readText: async () => reply });
    const cache = createOnbootCache(fakeClient({}));
    expect(await cache.refresh(ctx(0), [guest(101)])).toEqual(new Map([[101, true]]));
    reply = fail('io', 'EIO');
    expect(await cache.refresh(ctx(MIN), [guest(101)])).toEqual(new Map([[101, true]]));
    reply = fail('absent', 'gone');
    expect(await cache.refresh(ctx(2 * MIN), [guest(101)])).toEqual(new Map());
    reply = ok('onboot: 0\n');
    expect(await cache.refresh(ctx(2 * MIN + 1000), [guest(101)])).toEqual(new Map());
    expect(await cache.refresh(ctx(3 * MIN), [guest(101)])).toEqual(new Map([[101, false]]));
  });

  it('forgets guests no longer listed and re-reads a migrated one at its new node', async () => {
    const client = apiConfigs([101, 102], { '/nodes/pve2/qemu/101/config': { onboot: 0 } });
    const cache = createOnbootCache(client);
    const ctx = sourceContext({ now: () => 0 });
    await cache.refresh(ctx, [guest(101), guest(102)]);
    expect(await cache.refresh(ctx, [guest(101, 'pve2')])).toEqual(new Map([[101, false]]));
    expect(client.calls).toEqual([
      '/nodes/pve1/qemu/101/config',
      '/nodes/pve1/qemu/102/config',
      '/nodes/pve2/qemu/101/config',
    ]);
    client.calls.splice(0);
    await cache.refresh(ctx, [guest(101, 'pve2'), guest(102)]);
    expect(client.calls).toEqual(['/nodes/pve1/qemu/102/config']);
  });

  it('gives up on a hung read when its time budget ends, and tries again next refresh', async () => {
    let hang = true;
    const ctx = sourceContext({
      now: () => 0,
      readText: (path) =>
        hang && path.endsWith('/102.conf')
          ? new Promise<never>(() => {})
          : Promise.resolve(ok('onboot: 1\n')),
    });
    const cache = createOnbootCache(fakeClient({}), { budgetMs: 100 });
    const started = Date.now();
    const first = await cache.refresh(ctx, [guest(101), guest(102), guest(103)]);
    expect(Date.now() - started).toBeLessThan(2000);
    // 103 came after the hung read (one at a time): not read yet, not blamed.
    expect(first).toEqual(new Map([[101, true]]));
    hang = false;
    expect(await cache.refresh(ctx, [guest(101), guest(102), guest(103)])).toEqual(
      new Map([
        [101, true],
        [102, true],
        [103, true],
      ]),
    );
  });

  it('reads nothing once the refresh deadline has passed', async () => {
    const client = apiConfigs([101]);
    const r = await createOnbootCache(client).refresh(sourceContext({ signal: AbortSignal.abort() }), [
      guest(101),
    ]);
    expect(r).toEqual(new Map());
    expect(client.calls).toEqual([]);
  });
});
