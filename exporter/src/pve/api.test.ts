import { readFileSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExec } from '../sources/exec.js';
import { createApiClient, type PveApiOptions } from './api.js';
import type { PveClient } from './client.js';
import { routeData, routes, startFakePveApi, type FakePveApi } from './fixtures/api-server.js';
import { createPveshClient } from './pvesh.js';

const pveshRecorded = fileURLToPath(new URL('../../../tests/fake-bin/pvesh-recorded', import.meta.url));
const TOKEN_ID = 'proxmon@pve!metrics';
const SECRET = '5b6c0f3e-1111-4222-8333-944455556666';

let server: FakePveApi;
const clients: PveClient[] = [];
const api = (overrides: Partial<PveApiOptions> = {}): PveClient => {
  const client = createApiClient({
    baseUrl: server.url,
    tokenId: TOKEN_ID,
    tokenSecret: SECRET,
    tls: { verify: true, caFile: server.caFile },
    timeoutMs: 5000,
    ...overrides,
  });
  clients.push(client);
  return client;
};
const pvesh = () => createPveshClient(createExec({ pvesh: pveshRecorded }));

beforeAll(async () => {
  server = await startFakePveApi(`PVEAPIToken=${TOKEN_ID}=${SECRET}`);
});
afterAll(async () => {
  for (const c of clients) c.close();
  await server.close();
});

/** "get /path?k=v&k2=v2" → path and params. */
function split(key: string): { path: string; params: Record<string, string> } {
  const [path, query = ''] = key.replace(/^get /, '').split('?') as [string, string?];
  return { path, params: Object.fromEntries(new URLSearchParams(query)) };
}

describe('pvesh and API clients over the same recorded replies', () => {
  const gets = Object.keys(routes).filter((k) => k.startsWith('get ') && !routes[k]!.error);

  it.each(gets)('%s gives the identical parsed value both ways', async (key) => {
    const { path, params } = split(key);
    const [viaPvesh, viaApi] = await Promise.all([pvesh().get(path, params), api().get(path, params)]);
    expect(viaPvesh).toEqual({ ok: true, value: routeData(key) });
    expect(viaApi).toEqual(viaPvesh);
  });

  it('reads concrete values from the recorded captures', async () => {
    const version = await api().get<{ version: string }>('/version');
    expect(version.ok && version.value.version).toBe('9.2.2');
    const resources = await pvesh().get<Array<{ id: string; cpu?: number }>>('/cluster/resources', {
      type: 'vm',
    });
    expect(resources.ok && resources.value.find((r) => r.id === 'qemu/213')).not.toHaveProperty('cpu');
  });

  it('reports a PVE error as exit with its reason, both ways', async () => {
    const path = '/nodes/pve/qemu/999/status/current';
    expect(await pvesh().get(path)).toEqual({
      ok: false,
      error: { kind: 'exit', message: "Configuration file 'nodes/pve/qemu-server/999.conf' does not exist" },
    });
    expect(await api().get(path)).toEqual({
      ok: false,
      error: {
        kind: 'exit',
        message:
          "500 internal server error (Configuration file 'nodes/pve/qemu-server/999.conf' does not exist)",
      },
    });
  });

  it('posts writes as pvesh create and as an API POST with a form body', async () => {
    const log = join(mkdtempSync(join(tmpdir(), 'proxmon-pvesh-')), 'args');
    process.env.PVESH_ARGS_LOG = log;
    try {
      const upid = routeData('create /nodes/pve/qemu/211/status/start');
      expect(await pvesh().post('/nodes/pve/qemu/211/status/start')).toEqual({ ok: true, value: upid });
      expect(readFileSync(log, 'utf8')).toBe(
        'create /nodes/pve/qemu/211/status/start --output-format json\n',
      );
      expect(await api().post('/nodes/pve/qemu/211/status/start')).toEqual({ ok: true, value: upid });
      const reply = await api().post('/nodes/pve/qemu/211/status/stop', { timeout: 30 });
      expect(reply).toMatchObject({
        ok: false,
        error: { kind: 'exit', message: expect.stringMatching(/^501 /) },
      });
      expect(server.requests.at(-1)).toMatchObject({ method: 'POST', body: 'timeout=30' });
    } finally {
      delete process.env.PVESH_ARGS_LOG;
      rmSync(log, { force: true });
    }
  });
});

describe('createApiClient', () => {
  it('sends the token header and unwraps {data}', async () => {
    await api().get('/version');
    expect(server.requests.at(-1)).toMatchObject({
      method: 'GET',
      url: '/api2/json/version',
      authorization: `PVEAPIToken=${TOKEN_ID}=${SECRET}`,
    });
  });

  it('reports a wrong token as exit "401 unauthorized", without echoing the secret', async () => {
    const r = await api({ tokenSecret: 'wrong' }).get('/version');
    expect(r).toEqual({ ok: false, error: { kind: 'exit', message: '401 unauthorized' } });
  });

  it('gives up on a hung server with timeout, and on abort', async () => {
    const started = Date.now();
    expect(await api({ timeoutMs: 200 }).get('/hang')).toMatchObject({
      ok: false,
      error: { kind: 'timeout', message: 'PVE API GET /hang: timed out after 200 ms' },
    });
    expect(Date.now() - started).toBeLessThan(2000);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    expect(await api().get('/hang', {}, { signal: controller.signal })).toMatchObject({
      ok: false,
      error: { kind: 'timeout' },
    });
  });

  it('refuses a server whose certificate does not match the pin, before sending the token', async () => {
    const seen = server.requests.length;
    const wrong = server.fingerprint.replace(/^[0-9A-F]{2}/, (b) => (b === '00' ? '01' : '00'));
    const r = await api({ tls: { verify: false, fingerprint: wrong } }).get('/version');
    expect(r).toMatchObject({
      ok: false,
      error: { kind: 'io', message: expect.stringContaining('fingerprint mismatch') },
    });
    expect(server.requests.length).toBe(seen);
    expect(JSON.stringify(r)).not.toContain(SECRET);
  });

  it('trusts a pinned self-signed certificate (colon or bare hex, any case)', async () => {
    const bare = server.fingerprint.replace(/:/g, '').toLowerCase();
    for (const fingerprint of [server.fingerprint, bare]) {
      const r = await api({ tls: { verify: true, fingerprint } }).get('/version');
      expect(r).toMatchObject({ ok: true, value: { version: '9.2.2' } });
    }
  });

  it('verifies by default: a self-signed certificate without CA or pin is refused', async () => {
    const r = await api({ tls: { verify: true } }).get('/version');
    expect(r).toMatchObject({
      ok: false,
      error: { kind: 'io', message: expect.stringContaining('self-signed') },
    });
  });

  it('works with verify=false and no pin', async () => {
    const r = await api({ tls: { verify: false } }).get('/version');
    expect(r).toMatchObject({ ok: true, value: { version: '9.2.2' } });
  });

  it('rejects bad configuration at construction', () => {
    expect(() => api({ baseUrl: 'http://127.0.0.1:8006' })).toThrow(/https/);
    expect(() => api({ tls: { verify: true, fingerprint: 'AA:BB' } })).toThrow(/SHA-256/);
  });

  it('rejects a path that could leave the API tree without sending anything', async () => {
    const seen = server.requests.length;
    expect(await api().get('/nodes/../access')).toMatchObject({ ok: false, error: { kind: 'exit' } });
    expect(await api().get('/version?x=1')).toMatchObject({ ok: false, error: { kind: 'exit' } });
    expect(server.requests.length).toBe(seen);
  });
});
