import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../test-support/server.js';

const zpoolRecorded = fileURLToPath(new URL('../../../tests/fake-bin/zpool-recorded', import.meta.url));

let s: TestServer;
let admin: string;
let reader: string;

beforeAll(async () => {
  process.env.ZPOOL_SCENARIO = 'pve8-resilver';
  s = await startTestServer({
    tools: { zpool: zpoolRecorded },
    health: { first_run_delay_seconds: 600, journal: { enabled: false } },
  });
  admin = await s.adminToken();
  reader = (
    await s.call('POST', '/api/auth/tokens', { token: admin, body: { name: 'ro', scopes: ['read'] } })
  ).body.token as string;
  // The zpool source runs within the scheduler's first second; then one cycle by hand.
  for (let i = 0; i < 100; i++) {
    const m = await fetch(`${s.url}/healthz`);
    await m.text();
    const status = (await s.call('GET', '/api/storage', { token: reader })).body as {
      sources: { zpool: { fresh: boolean } };
    };
    if (status.sources.zpool.fresh) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
});
afterAll(() => s.stop());

describe('/api/health', () => {
  it('has no status before the first cycle, and the probe answers 200 then', async () => {
    const probe = await s.call('GET', '/api/health/probe');
    expect(probe).toMatchObject({ status: 200, body: { status: null } });
  });

  it('runs a cycle on request (write scope) and reports the degraded pool', async () => {
    expect((await s.call('POST', '/api/health/run', { token: reader })).status).toBe(403);
    const run = await s.call('POST', '/api/health/run', { token: admin });
    expect(run.status).toBe(200);
    expect(run.body.overall).toBe('CRITICAL');
    const probe = await s.call('GET', '/api/health/probe');
    expect(probe).toMatchObject({ status: 503, body: { status: 'CRITICAL' } });
    const active = await s.call('GET', '/api/health/active-errors', { token: reader });
    expect(active.body.errors).toContainEqual(
      expect.objectContaining({ error_key: 'zfs_pool_rpool', severity: 'CRITICAL', dismissed: false }),
    );
    const details = await s.call('GET', '/api/health/details', { token: reader });
    const disks = (
      details.body.categories as Array<{ category: string; checks: Array<Record<string, unknown>> }>
    ).find((c) => c.category === 'disks')!;
    expect(disks.checks).toContainEqual(
      expect.objectContaining({ error_key: 'zfs_pool_rpool', dismissable: true, dismissed: false }),
    );
  });

  it('dismisses with a duration and un-dismisses; unknown keys are 404', async () => {
    const bad = await s.call('POST', '/api/health/acknowledge', {
      token: admin,
      body: { error_key: 'zfs_pool_rpool', duration: '3h' },
    });
    expect(bad.status).toBe(400);
    const missing = await s.call('POST', '/api/health/acknowledge', {
      token: admin,
      body: { error_key: 'no_such_error' },
    });
    expect(missing.status).toBe(404);
    const ack = await s.call('POST', '/api/health/acknowledge', {
      token: admin,
      body: { error_key: 'zfs_pool_rpool', duration: '7d' },
    });
    expect(ack.status).toBe(200);
    expect(ack.body.error).toMatchObject({ dismissed: true, permanent: false, dismissed_by: 'admin' });
    const dismissed = await s.call('GET', '/api/health/dismissed', { token: reader });
    expect((dismissed.body.errors as Array<{ error_key: string }>).map((e) => e.error_key)).toContain(
      'zfs_pool_rpool',
    );
    const run = await s.call('POST', '/api/health/run', { token: admin });
    expect(
      (run.body.categories as Array<{ category: string }>).find((c) => c.category === 'disks'),
    ).toMatchObject({
      status: 'OK',
      all_dismissed: true,
    });
    const undo = await s.call('POST', '/api/health/un-acknowledge', {
      token: admin,
      body: { error_key: 'zfs_pool_rpool' },
    });
    expect(undo.body.error).toMatchObject({ dismissed: false });
  });

  it('validates threshold changes and resets them', async () => {
    const inverted = await s.call('PUT', '/api/health/thresholds', {
      token: admin,
      body: { cpu: { usage_warning: 97 } },
    });
    expect(inverted.status).toBe(400);
    expect((inverted.body.error as { message: string }).message).toMatch(/usage_critical/);
    const outOfRange = await s.call('PUT', '/api/health/thresholds', {
      token: admin,
      body: { cpu: { usage_warning: 0 } },
    });
    expect(outOfRange.status).toBe(400);
    const ok = await s.call('PUT', '/api/health/thresholds', {
      token: admin,
      body: { storage: { zfs_pool_warning: 70 } },
    });
    expect(ok.status).toBe(200);
    expect((ok.body.storage as Record<string, unknown>).zfs_pool_warning).toMatchObject({
      value: 70,
      default: 85,
      customised: true,
      unit: '%',
    });
    const reset = await s.call('POST', '/api/health/thresholds/reset', {
      token: admin,
      body: { section: 'storage' },
    });
    expect((reset.body.storage as Record<string, unknown>).zfs_pool_warning).toMatchObject({
      value: 85,
      customised: false,
    });
  });

  it('manages exclusions and settings', async () => {
    const put = await s.call('PUT', '/api/health/exclusions/storages/backup-nfs', {
      token: admin,
      body: { exclude_notifications: false, reason: 'offsite, often down' },
    });
    expect(put.body).toMatchObject({
      kind: 'storage',
      name: 'backup-nfs',
      exclude_health: true,
      exclude_notifications: false,
    });
    expect((await s.call('PUT', '/api/health/exclusions/disks/sda', { token: admin, body: {} })).status).toBe(
      404,
    );
    expect(
      (await s.call('PUT', '/api/health/exclusions/storages/..%2Fx', { token: admin, body: {} })).status,
    ).toBe(400);
    const list = await s.call('GET', '/api/health/exclusions', { token: reader });
    expect(list.body.exclusions).toHaveLength(1);
    expect(
      (await s.call('DELETE', '/api/health/exclusions/storages/backup-nfs', { token: admin })).status,
    ).toBe(200);

    const settings = await s.call('PUT', '/api/health/settings', {
      token: admin,
      body: { suppression: { updates: { dismiss_hours: 'permanent' } } },
    });
    expect(settings.status).toBe(200);
    expect((settings.body.suppression as Record<string, unknown>).updates).toEqual({
      dismiss_hours: 'permanent',
      auto_dismiss: false,
    });
  });

  it('exports the health series', async () => {
    const text = await (await fetch(`${s.url}/metrics`)).text();
    expect(text).toMatch(/^proxmon_health_category_severity\{category="disks"\} \d$/m);
    expect(text).toMatch(/^proxmon_health_last_cycle_timestamp_seconds \d+/m);
  });
});
