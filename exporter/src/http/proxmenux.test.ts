import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scopeViolations, serveRouters, type RouterServer } from '../test-support/serve-routers.js';
import { createProxmenuxRouter } from './proxmenux.js';
import type { ApiRouter } from './route.js';
import { installedToolsResponse, updateStatusResponse } from './proxmenux-schema.js';

const rootfs = (name: string) => fileURLToPath(new URL(`../proxmenux/fixtures/${name}`, import.meta.url));
const READ = ['read'] as const;

let auto: RouterServer;
let stock: RouterServer;
let autoRouter: ApiRouter;
beforeAll(async () => {
  autoRouter = createProxmenuxRouter({ rootfs: rootfs('rootfs-auto-pve9') });
  auto = await serveRouters([autoRouter]);
  stock = await serveRouters([
    createProxmenuxRouter({ rootfs: rootfs('rootfs-stock-pve8'), latestVersion: '1.2.1' }),
  ]);
});
afterAll(async () => {
  await auto.close();
  await stock.close();
});

describe('GET /api/proxmenux/installed-tools', () => {
  it('lists the optimisations found on the host, by name, with the registry beside them', async () => {
    const r = await auto.call('GET', '/api/proxmenux/installed-tools', { scopes: READ });
    expect(r.status).toBe(200);
    const body = installedToolsResponse.parse(r.body);
    expect(body.proxmenux).toEqual({
      present: true,
      version: '1.2.0',
      registry: 'present',
      registry_error: null,
    });
    expect(body.total_count).toBe(14);
    expect(body.installed_tools.map((t) => t.name).slice(0, 4)).toEqual([
      'APT IPv4 Force',
      'APT Language Skip',
      'Bashrc Customization',
      'Gpu passthrough helper',
    ]);
    expect(body.installed_tools.find((t) => t.key === 'log2ram')).toEqual({
      key: 'log2ram',
      name: 'Log2ram (SSD Protection)',
      installed: true,
      evidence: ['/etc/cron.d/log2ram', '/usr/local/bin/log2ram-check.sh'],
      registry_only: false,
      registered: true,
      registered_version: '1.3',
      registered_source: 'auto',
      mismatch: false,
      deprecated: false,
    });
    expect(body.not_installed).toContain('kexec');
    expect(body.update).toEqual({
      installed_version: '1.2.0',
      latest_version: '1.2.1',
      latest_source: 'proxmenux',
      status: 'update_available',
      update_available: true,
      reason: '1.2.1 is newer than 1.2.0',
    });
  });

  it('answers an empty list and an unknown update on a host without ProxMenux', async () => {
    const r = await stock.call('GET', '/api/proxmenux/installed-tools', { scopes: READ });
    const body = installedToolsResponse.parse(r.body);
    expect(body).toMatchObject({
      proxmenux: { present: false, version: null, registry: 'absent' },
      installed_tools: [],
      total_count: 0,
    });
    expect(body.update).toMatchObject({ status: 'unknown', update_available: null, latest_version: '1.2.1' });
  });

  it('needs the read scope on every route', async () => {
    expect(await scopeViolations(auto, [autoRouter])).toEqual([]);
  });
});

describe('GET /api/proxmenux/update-status', () => {
  it('answers the update status alone', async () => {
    const r = await auto.call('GET', '/api/proxmenux/update-status', { scopes: READ });
    expect(updateStatusResponse.parse(r.body).update.status).toBe('update_available');
    expect((await auto.call('GET', '/api/proxmenux/update-status')).status).toBe(401);
    expect((await auto.call('POST', '/api/proxmenux/update-status', { scopes: READ })).status).toBe(404);
  });
});
