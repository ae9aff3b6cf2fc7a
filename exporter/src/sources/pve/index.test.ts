import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient, createPveAccess, createPveshClient, type PveClient } from '../../pve/index.js';
import { startFakePveApi, type FakePveApi } from '../../pve/fixtures/api-server.js';
import { sourceContext } from '../../test-support/source-context.js';
import { createExec } from '../exec.js';
import { fail, ok, type Result } from '../source.js';
import { createPveSource } from './index.js';

type AccessOptions = Omit<Parameters<typeof createPveAccess>[0], 'client'>;

const pveshRecorded = fileURLToPath(new URL('../../../../tests/fake-bin/pvesh-recorded', import.meta.url));
const TOKEN_ID = 'proxmon@pve!metrics';
const SECRET = '5b6c0f3e-1111-4222-8333-944455556666';

let server: FakePveApi;
const clients: PveClient[] = [];
const api = (baseUrl: string, tokenSecret = SECRET): PveClient => {
  const c = createApiClient({ baseUrl, tokenId: TOKEN_ID, tokenSecret, tls: { verify: false } });
  clients.push(c);
  return c;
};
beforeAll(async () => {
  server = await startFakePveApi(`PVEAPIToken=${TOKEN_ID}=${SECRET}`);
});
afterAll(async () => {
  for (const c of clients) c.close();
  await server.close();
});

const source = (client: PveClient, opts: Partial<AccessOptions> = {}) =>
  createPveSource(createPveAccess({ client, hostname: 'pve', ...opts }));

/** A client over fixed replies that counts calls per path. */
function fakeClient(replies: Record<string, unknown>): PveClient & { calls: string[] } {
  const calls: string[] = [];
  return {
    mode: 'pvesh',
    calls,
    get: <T>(path: string): Promise<Result<T>> => {
      calls.push(path);
      const r = replies[path];
      return Promise.resolve(r === undefined ? fail('exit', `no ${path}`) : ok(r as T));
    },
    post: () => Promise.resolve(fail('exit', 'read-only')),
    put: () => Promise.resolve(fail('exit', 'read-only')),
    delete: () => Promise.resolve(fail('exit', 'read-only')),
    close: () => {},
  };
}

const twoNodes = {
  '/nodes': [{ node: 'pve1' }, { node: 'pve2' }],
  '/cluster/status': [
    { type: 'cluster', name: 'lab', quorate: 1, nodes: 2 },
    { type: 'node', name: 'pve1', online: 1, local: 0 },
    { type: 'node', name: 'pve2', online: 1, local: 1 },
  ],
  '/cluster/resources': [
    { type: 'qemu', vmid: 100, node: 'pve1', status: 'running' },
    { type: 'lxc', vmid: 101, node: 'pve2', status: 'stopped' },
  ],
  '/version': { version: '8.4.1' },
  '/nodes/pve2/status': { cpu: 0.1 },
  '/nodes/pve1/status': { cpu: 0.2 },
  '/nodes/pve2/storage': [{ storage: 'local', type: 'dir', active: 1, total: 10 }],
};

describe('createPveSource', () => {
  it('reads the recorded node through pvesh, finding the local node once', async () => {
    const src = source(createPveshClient(createExec({ pvesh: pveshRecorded })), {
      hostname: 'PVE.lab.example',
    });
    const r = await src.collect(sourceContext());
    expect(r.ok && { node: r.value.node, guests: r.value.guests.map((g) => g.vmid) }).toEqual({
      node: 'pve',
      guests: [120, 211, 212, 213, 9000],
    });
    expect(src).toMatchObject({ name: 'pve', intervalSeconds: 15, timeoutSeconds: 10 });
  });

  it('calls /cluster/resources once per refresh and /nodes only on the first', async () => {
    const client = fakeClient(twoNodes);
    const src = source(client, { hostname: 'pve2' });
    await src.collect(sourceContext());
    await src.collect(sourceContext());
    expect(client.calls.filter((p) => p === '/cluster/resources')).toHaveLength(2);
    expect(client.calls.filter((p) => p === '/nodes')).toHaveLength(1);
  });

  it('reads version, cluster status, node status and storage at most once a minute', async () => {
    const client = fakeClient({ ...twoNodes, '/nodes/pve2/storage': undefined });
    const src = source(client, { hostname: 'pve2' });
    const count = (path: string) => client.calls.filter((p) => p === path).length;
    const slowParts = () =>
      ['/version', '/cluster/status', '/nodes/pve2/status', '/nodes/pve2/storage'].map(count);
    for (const at of [0, 15_000, 59_999]) {
      const r = await src.collect(sourceContext({ now: () => at }));
      expect(r.ok && r.value.cluster.quorate).toBe(true);
    }
    expect(count('/cluster/resources')).toBe(3);
    // Storage failed, so it is asked again at every refresh; the others were reused.
    expect(slowParts()).toEqual([1, 1, 1, 3]);
    await src.collect(sourceContext({ now: () => 60_000 }));
    expect(slowParts()).toEqual([2, 2, 2, 4]);
  });

  it('keeps only local guests in node scope and all in cluster scope', async () => {
    const node = await source(fakeClient(twoNodes), { hostname: 'pve2' }).collect(sourceContext());
    expect(node.ok && node.value.guests.map((g) => g.vmid)).toEqual([101]);
    const all = await source(fakeClient(twoNodes), { hostname: 'pve2', scope: 'cluster' }).collect(
      sourceContext(),
    );
    expect(all.ok && all.value.guests.map((g) => g.vmid)).toEqual([100, 101]);
  });

  it('uses the node that answered when the hostname is not a PVE node (API from elsewhere)', async () => {
    const r = await source(fakeClient(twoNodes), { hostname: 'monitoring-box' }).collect(sourceContext());
    expect(r.ok && r.value.node).toBe('pve2');
    expect(r.ok && r.value.storages?.map((s) => s.storage)).toEqual(['local']);
  });

  it('still reports guests when node status or storage fails', async () => {
    const r = await source(fakeClient(twoNodes), { hostname: 'pve1' }).collect(sourceContext());
    expect(r.ok && r.value.nodeStatus?.cpu).toBe(0.2);
    expect(r.ok && r.value.storages).toBeUndefined();
    expect(r.ok && r.value.guests.map((g) => g.vmid)).toEqual([100]);
  });

  it('is quietly absent off Proxmox in auto mode, and fails when pvesh is required', async () => {
    const client = createPveshClient(createExec(), { tool: 'proxmon-no-such-pvesh' });
    const auto = await source(client).collect(sourceContext());
    expect(auto).toMatchObject({ ok: false, error: { kind: 'absent' } });
    const required = await source(client, { requirePvesh: true }).collect(sourceContext());
    expect(required).toMatchObject({ ok: false, error: { kind: 'exit' } });
  });

  it('fails with 401 on a wrong API token', async () => {
    const r = await source(api(server.url, 'wrong-secret')).collect(sourceContext());
    expect(r).toEqual({ ok: false, error: { kind: 'exit', message: '401 unauthorized' } });
  });

  it('times out a hung API when the refresh deadline passes', async () => {
    const sockets: Socket[] = [];
    const hung: Server = createServer((s) => void sockets.push(s)); // accepts, never answers TLS
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = hung.address() as AddressInfo;
      const signal = AbortSignal.timeout(300);
      const r = await source(api(`https://127.0.0.1:${port}`)).collect(sourceContext({ signal }));
      expect(r).toMatchObject({ ok: false, error: { kind: 'timeout' } });
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => hung.close(() => resolve()));
    }
  });
});

describe('pve config', () => {
  it('defaults to auto and node scope, takes the API from the environment, and rejects api mode without it', async () => {
    const { loadConfig, validate } = await import('../../config.js');
    const { buildSources } = await import('../index.js');
    expect(validate({}, 'test').pve).toMatchObject({
      mode: 'auto',
      scope: 'node',
      guest_agent: { enabled: false },
    });
    const env = loadConfig(
      {
        PROXMON_PVE_API_URL: 'https://pve.example:8006',
        PROXMON_PVE_TOKEN_ID: TOKEN_ID,
        PROXMON_PVE_TOKEN_SECRET: SECRET,
      },
      '',
    );
    expect(env.pve.api).toEqual({
      url: 'https://pve.example:8006',
      token_id: TOKEN_ID,
      token_secret: SECRET,
      verify_tls: true,
    });
    expect(buildSources(env).some((s) => s.source.name === 'pve')).toBe(true);
    expect(() => buildSources(validate({ pve: { mode: 'api' } }, 'test'))).toThrow(/pve\.api: required/);
    expect(() =>
      validate({ pve: { api: { url: 'not a url', token_id: 'a', token_secret: 'b' } } }, 't'),
    ).toThrow(/pve\.api\.url/);
  });
});
