import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakePveApi, type FakePveApi } from '../pve/fixtures/api-server.js';
import { startTestServer, type TestServer } from '../test-support/server.js';
import { vmDetailResponse, vmsResponse } from './pve-schema.js';

const pveshRecorded = fileURLToPath(new URL('../../../tests/fake-bin/pvesh-recorded', import.meta.url));
const argsLog = join(mkdtempSync(join(tmpdir(), 'proxmon-pvesh-args-')), 'calls.log');
// The stand-in appends every call's arguments here; child processes inherit the variable.
process.env.PVESH_ARGS_LOG = argsLog;
const pveshCalls = () => readFileSync(argsLog, 'utf8').split('\n').filter(Boolean);

let s: TestServer;
let admin: string;
let reader: string;

beforeAll(async () => {
  writeFileSync(argsLog, '');
  s = await startTestServer({
    tools: { pvesh: pveshRecorded },
    // The recorded node has a backup storage that never answers; do not wait 20 s for it.
    pve: { backups: { storage_timeout_seconds: 3 } },
  });
  admin = await s.adminToken();
  const t = await s.call('POST', '/api/auth/tokens', {
    token: admin,
    body: { name: 'grafana', scopes: ['read'] },
  });
  reader = t.body.token as string;
  // The pve source runs within the scheduler's first second.
  for (let i = 0; i < 200; i++) {
    const r = await s.call('GET', '/api/vms', { token: admin });
    if (vmsResponse.parse(r.body).source.fresh) break;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
});
afterAll(() => s.stop());

describe('GET /api/vms', () => {
  it('lists the guests of the latest refresh with their counters', async () => {
    const r = await s.call('GET', '/api/vms', { token: reader });
    expect(r.status).toBe(200);
    const body = vmsResponse.parse(r.body);
    expect(body).toMatchObject({ scope: 'node', node: 'pve' });
    expect(body.guests.map((g) => [g.vmid, g.type, g.status])).toEqual([
      [120, 'lxc', 'stopped'],
      [211, 'qemu', 'running'],
      [212, 'qemu', 'running'],
      [213, 'qemu', 'stopped'],
      [9000, 'qemu', 'stopped'],
    ]);
    const vm = body.guests.find((g) => g.vmid === 211)!;
    expect(vm).toMatchObject({ name: 'lab-app-01', cpus: 2, disk_used_bytes: null, template: false });
    // The brand-new VM PVE has not measured yet: unknown, not zero.
    expect(body.guests.find((g) => g.vmid === 213)).toMatchObject({
      cpu_usage_ratio: null,
      uptime_seconds: null,
    });
  });
});

describe('GET /api/vms/:vmid', () => {
  it('rejects a malformed vmid with 400 and an unknown one with 404, before any PVE call', async () => {
    for (const bad of ['abc', '99', '1e3', '0100', '1234567890', '-5']) {
      const r = await s.call('GET', `/api/vms/${bad}`, { token: reader });
      expect([bad, r.status, (r.body.error as { code: string }).code]).toEqual([
        bad,
        400,
        'validation_error',
      ]);
    }
    const r = await s.call('GET', '/api/vms/555', { token: reader });
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ error: { code: 'not_found', message: 'no guest with vmid 555' } });
  });

  it('shows a running VM with status, config without passwords and agent addresses', async () => {
    const r = await s.call('GET', '/api/vms/211', { token: reader });
    expect(r.status).toBe(200);
    const body = vmDetailResponse.parse(r.body);
    expect(body.guest.name).toBe('lab-app-01');
    expect(body.status).toMatchObject({ status: 'running', qmpstatus: 'running' });
    expect(body.config).toMatchObject({ agent: '1', memory: '2048', cores: 2 });
    expect(Object.keys(body.config).filter((k) => /password/.test(k))).toEqual([]);
    expect(body.ips_source).toBe('agent');
    expect(body.ips.map((i) => `${i.interface} ${i.address}/${i.prefix}`)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^eth0 /)]),
    );
    expect(body.ips.some((i) => i.interface === 'lo')).toBe(false);
  });

  it('says why a stopped container has no addresses', async () => {
    const r = await s.call('GET', '/api/vms/120', { token: reader });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ ips: [], ips_source: null, ips_error: 'the guest is not running' });
  });
});

describe('history and tasks', () => {
  it('serves a guest and the node RRD history, oldest first', async () => {
    const vm = await s.call('GET', '/api/vms/211/metrics?timeframe=hour', { token: reader });
    expect(vm.status).toBe(200);
    const points = vm.body.points as Array<{ time: number; cpu?: number }>;
    expect(points.length).toBeGreaterThan(10);
    expect(points.every((p, i) => i === 0 || p.time > points[i - 1]!.time)).toBe(true);
    const node = await s.call('GET', '/api/node/metrics?timeframe=day&cf=MAX', { token: reader });
    expect(node.status).toBe(200);
    expect(node.body).toMatchObject({ timeframe: 'day', cf: 'MAX' });
    const bad = await s.call('GET', '/api/node/metrics?timeframe=decade', { token: reader });
    expect(bad.status).toBe(400);
  });

  it('lists cluster tasks filtered by outcome and reads a task log by UPID', async () => {
    const all = await s.call('GET', '/api/events?limit=5', { token: reader });
    expect(all.status).toBe(200);
    const tasks = all.body.tasks as Array<{ upid: string; outcome: string; started_at: string }>;
    expect(tasks).toHaveLength(5);
    expect(tasks[0]!.started_at >= tasks[1]!.started_at).toBe(true);
    const running = await s.call('GET', '/api/events?outcome=running', { token: reader });
    expect((running.body.tasks as Array<{ type: string }>).map((t) => t.type)).toEqual(['vncshell']);

    const upid = 'UPID:pve3:003E4A23:0E8AE02B:6AB9A6FF:vzdump::root@pam:';
    const log = await s.call('GET', `/api/events/${encodeURIComponent(upid)}/log`, { token: reader });
    expect(log.status).toBe(200);
    expect(log.body).toMatchObject({ upid, node: 'pve3' });
    expect((log.body.lines as string[])[0]).toMatch(/starting new backup job/);
    const bad = await s.call('GET', '/api/events/UPID:..%2F..%2Fetc:x/log', { token: reader });
    expect(bad.status).toBe(400);
  });

  it('lists one guest’s tasks', async () => {
    const r = await s.call('GET', '/api/vms/211/logs?limit=20', { token: reader });
    expect(r.status).toBe(200);
    expect((r.body.tasks as Array<{ type: string; id: string }>).map((t) => [t.type, t.id])).toEqual([
      ['qmstart', '211'],
    ]);
  });

  it('shows PVE storages from the latest refresh', async () => {
    const r = await s.call('GET', '/api/storage/pve', { token: reader });
    expect(r.status).toBe(200);
    expect((r.body.storages as Array<{ storage: string }>).length).toBeGreaterThan(0);
  });
});

describe('guest control through pvesh', () => {
  it('needs the write scope', async () => {
    const r = await s.call('POST', '/api/vms/211/control', { token: reader, body: { action: 'stop' } });
    expect(r.status).toBe(403);
    const anon = await s.call('POST', '/api/vms/211/control', { body: { action: 'stop' } });
    expect(anon.status).toBe(401);
  });

  it('issues `pvesh create …/status/<action>` for the guest and audits it', async () => {
    writeFileSync(argsLog, '');
    const stop = await s.call('POST', '/api/vms/211/control', { token: admin, body: { action: 'stop' } });
    expect(stop.status).toBe(202);
    expect(stop.body).toEqual({
      upid: 'UPID:pve:000A1B2D:0163F2A2:6746A0B1:qmstop:211:root@pam:',
      node: 'pve',
      vmid: 211,
      action: 'stop',
    });
    const start = await s.call('POST', '/api/vms/213/control', { token: admin, body: { action: 'start' } });
    expect(start.status).toBe(202);
    expect(pveshCalls().filter((c) => c.startsWith('create'))).toEqual([
      'create /nodes/pve/qemu/211/status/stop --output-format json',
      'create /nodes/pve/qemu/213/status/start --output-format json',
    ]);
    const audit = await s.call('GET', '/api/security/audit?limit=5', { token: admin });
    const entries = audit.body.entries as Array<{ action: string; target: string; detail: unknown }>;
    expect(entries.filter((e) => e.action === 'guest_control').map((e) => [e.target, e.detail])).toEqual([
      ['213', { action: 'start', node: 'pve', ok: true }],
      ['211', { action: 'stop', node: 'pve', ok: true }],
    ]);
  });

  it('rejects bad actions, impossible transitions and bad vmids without calling PVE', async () => {
    writeFileSync(argsLog, '');
    const cases: Array<[string, unknown, number]> = [
      ['/api/vms/211/control', { action: 'destroy' }, 400],
      ['/api/vms/211/control', { action: 'stop', extra: 1 }, 400],
      ['/api/vms/21x/control', { action: 'stop' }, 400],
      ['/api/vms/555/control', { action: 'stop' }, 404],
      ['/api/vms/211/control', { action: 'start' }, 409],
      ['/api/vms/213/control', { action: 'shutdown' }, 409],
      ['/api/vms/9000/control', { action: 'start' }, 409],
    ];
    for (const [path, body, status] of cases) {
      const r = await s.call('POST', path, { token: admin, body });
      expect([path, body, r.status]).toEqual([path, body, status]);
    }
    expect(pveshCalls().filter((c) => c.startsWith('create'))).toEqual([]);
  });

  it('starts a vzdump of one guest with the given options', async () => {
    writeFileSync(argsLog, '');
    const r = await s.call('POST', '/api/vms/212/backup', {
      token: admin,
      body: { storage: 'local', notes: '{{guestname}} before upgrade' },
    });
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({ vmid: 212, action: 'backup', node: 'pve' });
    expect(pveshCalls().filter((c) => c.startsWith('create'))).toEqual([
      'create /nodes/pve/vzdump --output-format json --vmid 212 --mode snapshot --storage local --notes-template {{guestname}} before upgrade',
    ]);
    const dash = await s.call('POST', '/api/vms/212/backup', { token: admin, body: { notes: '--all 1' } });
    expect(dash.status).toBe(400);
  });
});

describe('guest control through the API', () => {
  const tokenId = 'proxmon@pve!ops';
  const secret = '0d7a4c1e-2222-4333-8444-955566667777';
  let fake: FakePveApi;
  let api: TestServer;

  beforeAll(async () => {
    fake = await startFakePveApi(`PVEAPIToken=${tokenId}=${secret}`);
    api = await startTestServer({
      pve: { api: { url: fake.url, token_id: tokenId, token_secret: secret, ca_file: fake.caFile } },
    });
  });
  afterAll(async () => {
    await api.stop();
    await fake.close();
  });

  it('POSTs to the guest status endpoint with the token', async () => {
    const token = await api.adminToken();
    const r = await api.call('POST', '/api/vms/211/control', { token, body: { action: 'reboot' } });
    expect(r.status).toBe(202);
    expect(r.body.upid).toBe('UPID:pve:000A1B2E:0163F2A3:6746A0B2:qmreboot:211:root@pam:');
    const posts = fake.requests.filter((q) => q.method === 'POST');
    expect(posts).toEqual([
      {
        method: 'POST',
        url: '/api2/json/nodes/pve/qemu/211/status/reboot',
        body: '',
        authorization: `PVEAPIToken=${tokenId}=${secret}`,
      },
    ]);
  });

  it('maps a PVE failure to 502 with its reason', async () => {
    const token = await api.adminToken();
    const r = await api.call('POST', '/api/vms/212/control', { token, body: { action: 'shutdown' } });
    expect(r.status).toBe(502);
    expect((r.body.error as { code: string; message: string }).code).toBe('pve_error');
  });
});

describe('GET /api/backups', () => {
  it('lists backups newest first and the guests without any', async () => {
    let body: Record<string, unknown> = {};
    for (let i = 0; i < 400; i++) {
      body = (await s.call('GET', '/api/backups', { token: reader })).body;
      if ((body.source as { fresh: boolean }).fresh) break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(body.backups).toEqual([
      expect.objectContaining({ vmid: 212, storage: 'local', type: 'qemu', format: 'vma.zst' }),
    ]);
    // 212 has a backup and 9000 is a template; the recorded cluster backs up nothing else.
    expect((body.guests_without_backup as Array<{ vmid: number }>).map((g) => g.vmid)).toEqual([
      120, 211, 213,
    ]);
    expect(body.not_covered_by_job).toEqual([120, 213]);
    expect(body.failed_storages).toEqual([
      { storage: 'synology', reason: expect.stringMatching(/timed out/) as unknown },
    ]);
    const vms = vmsResponse.parse((await s.call('GET', '/api/vms', { token: reader })).body);
    expect(vms.guests.find((g) => g.vmid === 212)?.last_backup_at).toMatch(/^20\d\d-/);
  });
});
