import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../auth/audit.js';
import { createSmartTestService, type CronSchedule } from '../smart-tests/scheduler.js';
import { SmartTestStore } from '../smart-tests/store.js';
import { SnapshotCache } from '../snapshots.js';
import { createExec } from '../sources/exec.js';
import {
  assessDisk,
  parseSmartctlReply,
  SMART_SOURCE,
  type DiskState,
  type SmartSnapshot,
} from '../sources/smart/index.js';
import { openStore, type Db } from '../store/db.js';
import { migrations } from '../store/migrations.js';
import { scopeViolations, serveRouters, type RouterServer } from '../test-support/serve-routers.js';
import { silentLogger } from '../test-support/tools.js';
import type { ApiRouter } from './route.js';
import { createSmartTestsRouter } from './smart-tests.js';
import { scheduleResponse, testsResponse } from './smart-tests-schema.js';
import { createStorageRouter } from './storage.js';

const fakeBin = (name: string) => fileURLToPath(new URL(`../../../tests/fake-bin/${name}`, import.meta.url));
const smartFixture = (file: string) =>
  readFileSync(new URL(`../sources/smart/fixtures/${file}`, import.meta.url), 'utf8');

/** A disk of a SMART round, from a recorded `smartctl -a -j` reply, as the smart source keeps it. */
function diskFrom(file: string, device: string, deviceType?: string): DiskState {
  const text = smartFixture(file);
  const r = parseSmartctlReply(text, Number(/"exit_status":\s*(\d+)/.exec(text)?.[1] ?? 0));
  if (!r.ok || r.value.kind !== 'reading') throw new Error(`${file} is not a reading`);
  const { identity, values, exitStatus, messages } = r.value;
  const diskId = identity.diskId!;
  return {
    diskId,
    identity: { ...identity, diskId, device, deviceType },
    values,
    exitStatus,
    readAt: 1_700_000_000_000,
    standby: false,
    health: assessDisk(identity, values, exitStatus),
    messages,
  };
}

const SDA = diskFrom('smartctl-x-sata-ssd-samsung860.json', '/dev/sda');
const NVME = diskFrom('smartctl-a-nvme-smartctl74.json', '/dev/nvme0');
const SDC = diskFrom('smartctl-a-sata-hdd-failing-usbjmicron-exit216.json', '/dev/sdc');
const smart: SmartSnapshot = {
  disks: [SDA, NVME, SDC],
  unreadable: [{ device: '/dev/sdd', reason: 'asleep since start', standby: true }],
};

const argsLog = join(mkdtempSync(join(tmpdir(), 'proxmon-smartctl-args-')), 'calls.log');
process.env.SMARTCTL_ARGS_LOG = argsLog;
const smartctlCalls = () => readFileSync(argsLog, 'utf8').split('\n').filter(Boolean);

let clock = Date.parse('2026-11-26T10:00:00Z');
const now = () => clock;
let db: Db;
let srv: RouterServer;
let garbage: RouterServer;
let store: SmartTestStore;
let routers: ApiRouter[];
const cronTasks: Array<{ expression: string; fn: () => Promise<void>; stopped: boolean }> = [];
const fakeCron: CronSchedule = (expression, fn) => {
  const task = { expression, fn, stopped: false };
  cronTasks.push(task);
  return { stop: () => (task.stopped = true) };
};
const liveTasks = () => cronTasks.filter((t) => !t.stopped);

const WRITE = ['read', 'write'] as const;
const READ = ['read'] as const;

beforeAll(async () => {
  db = openStore(mkdtempSync(join(tmpdir(), 'proxmon-smart-tests-')), migrations);
  const snapshots = new SnapshotCache(now);
  snapshots.register(SMART_SOURCE, 30 * 86_400_000);
  snapshots.recordSuccess(SMART_SOURCE, smart, 0.1);
  const audit = new AuditLog(db, now);
  store = new SmartTestStore(db, now);
  const make = (tool: string) => {
    const exec = createExec({ smartctl: fakeBin(tool) });
    const latest = () => snapshots.latest<SmartSnapshot>(SMART_SOURCE);
    const service = createSmartTestService({
      store,
      exec,
      smart: latest,
      logger: silentLogger(),
      schedule: fakeCron,
    });
    return createSmartTestsRouter({ exec, store, service, smart: latest, audit, now });
  };
  // Mounted before the storage router, whose GET /smart/:disk would otherwise take /smart/schedules.
  routers = [make('smartctl-selftest-recorded'), createStorageRouter({ snapshots, db })];
  srv = await serveRouters(routers);
  garbage = await serveRouters([make('smartctl-selftest-garbage')]);
});
afterAll(async () => {
  await srv.close();
  await garbage.close();
  db.close();
});
beforeEach(() => writeFileSync(argsLog, ''));

const auditEntries = (action: string) =>
  new AuditLog(db)
    .page(50)
    .entries.filter((e) => e.action === action)
    .map((e) => [e.target, e.detail]);

describe('scopes', () => {
  it('every route answers 401 anonymous and 403 under-scoped, before running smartctl', async () => {
    expect(await scopeViolations(srv, routers.slice(0, 1))).toEqual([]);
    expect(smartctlCalls()).toEqual([]);
  });
});

describe('POST /api/storage/smart/:disk/test', () => {
  it('starts a short test on the disk found by device name, with its expected end, and audits it', async () => {
    const r = await srv.call('POST', '/api/storage/smart/sda/test', {
      scopes: WRITE,
      body: { type: 'short' },
    });
    expect(r.status).toBe(202);
    expect(r.body).toEqual({
      run: {
        id: expect.any(Number),
        disk_id: SDA.diskId,
        device: '/dev/sda',
        type: 'short',
        started_at: '2026-11-26T10:00:00.000Z',
        schedule_id: null,
        actor: 'tester (token test)',
        outcome: 'started',
        message:
          'Testing has begun. Please wait 2 minutes for test to complete. Test will complete after Thu Nov 26 10:02:31 2026',
        expected_minutes: 2,
        expected_end_at: '2026-11-26T10:02:00.000Z',
      },
    });
    expect(smartctlCalls()).toEqual(['-t short -d sat /dev/sda']);
    expect(auditEntries('smart_test_start')[0]).toEqual([
      SDA.diskId,
      { type: 'short', device: '/dev/sda', outcome: 'started' },
    ]);
  });

  it('finds a disk by disk_id and passes the type smartctl resolved (USB bridge)', async () => {
    const r = await srv.call('POST', `/api/storage/smart/${SDA.diskId}/test`, {
      scopes: WRITE,
      body: { type: 'long' },
    });
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({ run: { type: 'long', expected_minutes: 85 } });
    const nvme = await srv.call('POST', '/api/storage/smart/nvme0/test', {
      scopes: WRITE,
      body: { type: 'long' },
    });
    expect(nvme.body).toMatchObject({
      run: { outcome: 'started', expected_minutes: null, expected_end_at: null },
    });
    expect(smartctlCalls()).toEqual(['-t long -d sat /dev/sda', '-t long -d nvme /dev/nvme0']);
  });

  it('answers 409 when a test is already running, and records the attempt', async () => {
    const r = await srv.call('POST', '/api/storage/smart/sdc/test', {
      scopes: WRITE,
      body: { type: 'short' },
    });
    expect(r.status).toBe(409);
    expect(r.body).toEqual({
      error: {
        code: 'conflict',
        message:
          "a self-test is already running on /dev/sdc: Can't start self-test without aborting current test (90% remaining), add '-t force' option to override, or run 'smartctl -X' to abort test.",
      },
    });
    expect(smartctlCalls()).toEqual(['-t short -d usbjmicron /dev/sdc']);
    expect(store.runs({ diskId: SDC.diskId, limit: 1 })[0]).toMatchObject({ outcome: 'busy' });
  });

  it('refuses unknown disks, raw paths and bad bodies before running anything', async () => {
    const cases: Array<[string, unknown, number, string]> = [
      [
        '/api/storage/smart/sdz/test',
        { type: 'short' },
        404,
        'no disk sdz in the latest SMART round (by disk_id or device)',
      ],
      [
        '/api/storage/smart/sdd/test',
        { type: 'short' },
        404,
        'no SMART data for /dev/sdd yet: asleep since start',
      ],
      [
        '/api/storage/smart/%2Fetc%2Fpasswd/test',
        { type: 'short' },
        404,
        'no disk /etc/passwd in the latest SMART round (by disk_id or device)',
      ],
      ['/api/storage/smart/sda;reboot/test', { type: 'short' }, 400, 'disk: a disk_id or device name'],
      ['/api/storage/smart/sda/test', { type: 'conveyance' }, 400, ''],
      ['/api/storage/smart/sda/test', { type: 'short', device: '/dev/sdb' }, 400, ''],
      ['/api/storage/smart/sda/test', {}, 400, ''],
    ];
    for (const [path, body, status, message] of cases) {
      const r = await srv.call('POST', path, { scopes: WRITE, body });
      expect([path, r.status]).toEqual([path, status]);
      if (message) expect((r.body.error as { message: string }).message).toBe(message);
    }
    expect(smartctlCalls()).toEqual([]);
  });

  it('needs the write scope', async () => {
    expect((await srv.call('POST', '/api/storage/smart/sda/test', { body: { type: 'short' } })).status).toBe(
      401,
    );
    const r = await srv.call('POST', '/api/storage/smart/sda/test', {
      scopes: READ,
      body: { type: 'short' },
    });
    expect(r.status).toBe(403);
    expect(smartctlCalls()).toEqual([]);
  });

  it('answers 503 with a reason when smartctl says nothing it understands', async () => {
    const r = await garbage.call('POST', '/api/storage/smart/sda/test', {
      scopes: WRITE,
      body: { type: 'short' },
    });
    expect(r.status).toBe(503);
    expect((r.body.error as { message: string }).message).toMatch(
      /^smartctl could not start the test on \/dev\/sda: /,
    );
  });
});

describe('GET /api/storage/smart/:disk/tests', () => {
  it('reads an ATA log without waking the disk, with the runs proxmon started', async () => {
    const r = await srv.call('GET', '/api/storage/smart/sda/tests?limit=5', { scopes: READ });
    expect(r.status).toBe(200);
    const body = testsResponse.parse(r.body);
    expect(smartctlCalls()).toEqual(['-j -l selftest -n standby -d sat /dev/sda']);
    expect(body).toMatchObject({
      disk_id: SDA.diskId,
      device: '/dev/sda',
      protocol: 'ata',
      standby: false,
      in_progress: null,
    });
    expect(body.entries).toHaveLength(19);
    expect(body.entries[0]).toEqual({
      type: 'short',
      type_text: 'Short offline',
      status: 'passed',
      status_text: 'Completed without error',
      power_on_hours: 14417,
      remaining_ratio: null,
      failing_lba: null,
    });
    // Newest first; the failed one is the attempt the unreadable smartctl answered.
    expect(body.runs.map((run) => [run.type, run.outcome])).toEqual([
      ['short', 'failed'],
      ['long', 'started'],
      ['short', 'started'],
    ]);
  });

  it('shows a running NVMe test and a failed segment', async () => {
    const r = await srv.call('GET', '/api/storage/smart/nvme0/tests', { scopes: READ });
    const body = testsResponse.parse(r.body);
    expect(body.in_progress).toEqual({
      type: 'long',
      type_text: 'Extended self-test in progress',
      remaining_ratio: 0.7,
    });
    expect(body.entries[0]).toMatchObject({ type: 'short', status: 'failed', failing_lba: 123456 });
  });

  it('leaves a sleeping disk asleep unless asked to wake it', async () => {
    const asleep = await srv.call('GET', '/api/storage/smart/sdc/tests', { scopes: READ });
    expect(testsResponse.parse(asleep.body)).toMatchObject({ standby: true, entries: [], protocol: 'ata' });
    const woken = await srv.call('GET', '/api/storage/smart/sdc/tests?wake=true', { scopes: READ });
    const body = testsResponse.parse(woken.body);
    expect(body.standby).toBe(false);
    expect(body.entries[2]).toMatchObject({
      type: 'long',
      status: 'failed',
      remaining_ratio: 0.9,
      failing_lba: 104870168,
    });
    expect(smartctlCalls()).toEqual([
      '-j -l selftest -n standby -d usbjmicron /dev/sdc',
      '-j -l selftest -d usbjmicron /dev/sdc',
    ]);
  });

  it('rejects bad queries and answers 503 on unreadable output', async () => {
    expect((await srv.call('GET', '/api/storage/smart/sda/tests?wake=yes', { scopes: READ })).status).toBe(
      400,
    );
    expect((await srv.call('GET', '/api/storage/smart/sda/tests?limit=0', { scopes: READ })).status).toBe(
      400,
    );
    expect((await srv.call('GET', '/api/storage/smart/sda/tests')).status).toBe(401);
    const r = await garbage.call('GET', '/api/storage/smart/sda/tests', { scopes: READ });
    expect(r.status).toBe(503);
    expect((r.body.error as { message: string }).message).toMatch(/not a JSON object/);
  });
});

describe('schedules', () => {
  it('creates, lists, changes and deletes schedules, keeping cron tasks in step', async () => {
    const created = await srv.call('POST', '/api/storage/smart/schedules', {
      scopes: WRITE,
      body: { name: 'weekly long', type: 'long', cron: '0 3 * * 0', disks: ['sda', NVME.diskId] },
    });
    expect(created.status).toBe(201);
    const s = scheduleResponse.parse(created.body).schedule;
    expect(s).toMatchObject({
      name: 'weekly long',
      type: 'long',
      cron: '0 3 * * 0',
      disks: [SDA.diskId, NVME.diskId],
      enabled: true,
      last_run_at: null,
    });
    expect(liveTasks().map((t) => t.expression)).toEqual(['0 3 * * 0']);

    const list = await srv.call('GET', '/api/storage/smart/schedules', { scopes: READ });
    expect(list.status).toBe(200);
    expect((list.body.schedules as unknown[]).length).toBe(1);

    clock += 60_000;
    const changed = await srv.call('PUT', `/api/storage/smart/schedules/${s.id}`, {
      scopes: WRITE,
      body: { cron: '30 2 * * 6', enabled: false },
    });
    expect(changed.status).toBe(200);
    expect(scheduleResponse.parse(changed.body).schedule).toMatchObject({
      cron: '30 2 * * 6',
      enabled: false,
      updated_at: '2026-11-26T10:01:00.000Z',
    });
    expect(liveTasks()).toEqual([]);

    const one = await srv.call('GET', `/api/storage/smart/schedules/${s.id}`, { scopes: READ });
    expect(scheduleResponse.parse(one.body).schedule.enabled).toBe(false);

    const del = await srv.call('DELETE', `/api/storage/smart/schedules/${s.id}`, { scopes: WRITE });
    expect(del.body).toEqual({ deleted: true });
    expect((await srv.call('GET', `/api/storage/smart/schedules/${s.id}`, { scopes: READ })).status).toBe(
      404,
    );
    expect((await srv.call('DELETE', `/api/storage/smart/schedules/${s.id}`, { scopes: WRITE })).status).toBe(
      404,
    );
    expect(auditEntries('smart_schedule_create')).toHaveLength(1);
    expect(auditEntries('smart_schedule_update')[0]).toEqual([
      String(s.id),
      { cron: '30 2 * * 6', enabled: false },
    ]);
    expect(auditEntries('smart_schedule_delete')).toEqual([[String(s.id), null]]);
  });

  it('runs a schedule when its cron fires: every disk it names, one after another', async () => {
    const created = await srv.call('POST', '/api/storage/smart/schedules', {
      scopes: WRITE,
      body: { name: 'nightly short', type: 'short', cron: '15 1 * * *' },
    });
    const id = scheduleResponse.parse(created.body).schedule.id;
    const task = liveTasks().find((t) => t.expression === '15 1 * * *')!;
    clock += 3_600_000;
    await task.fn();
    expect(smartctlCalls()).toEqual([
      '-t short -d sat /dev/sda',
      '-t short -d nvme /dev/nvme0',
      '-t short -d usbjmicron /dev/sdc',
    ]);
    const runs = store.runs({ scheduleId: id, limit: 10 });
    expect(runs.map((r) => [r.device, r.outcome, r.actor])).toEqual([
      ['/dev/sdc', 'busy', null],
      ['/dev/nvme0', 'started', null],
      ['/dev/sda', 'started', null],
    ]);
    const view = await srv.call('GET', `/api/storage/smart/schedules/${id}`, { scopes: READ });
    expect(scheduleResponse.parse(view.body).schedule.last_run_at).toBe(new Date(clock).toISOString());

    writeFileSync(argsLog, '');
    const now = await srv.call('POST', `/api/storage/smart/schedules/${id}/run`, { scopes: WRITE });
    expect(now.status).toBe(202);
    expect((now.body.runs as Array<{ device: string }>).map((r) => r.device)).toEqual([
      '/dev/sda',
      '/dev/nvme0',
      '/dev/sdc',
    ]);
    expect(smartctlCalls()).toHaveLength(3);
  });

  it('rejects bad schedules: cron every minute, seconds, unknown disks, extra keys', async () => {
    const bad: Array<[unknown, RegExp]> = [
      [{ name: 'x', type: 'short', cron: '* * * * *' }, /the minute field must be fixed/],
      [{ name: 'x', type: 'short', cron: '*/5 * * * *' }, /the minute field must be fixed/],
      [{ name: 'x', type: 'short', cron: '0 0 3 * * *' }, /five fields/],
      [{ name: 'x', type: 'short', cron: '0 25 * * *' }, /not a valid cron expression/],
      [{ name: 'x', type: 'short', cron: '0 3 * * *', disks: ['sdz'] }, /not in the latest SMART round: sdz/],
      [{ name: 'x', type: 'short', cron: '0 3 * * *', disks: [] }, /disks/],
      [{ name: '', type: 'short', cron: '0 3 * * *' }, /name/],
      [{ name: 'x', type: 'short', cron: '0 3 * * *', command: 'rm -rf /' }, /body/],
    ];
    const before = store.listSchedules().length;
    for (const [body, message] of bad) {
      const r = await srv.call('POST', '/api/storage/smart/schedules', { scopes: WRITE, body });
      expect([JSON.stringify(body), r.status]).toEqual([JSON.stringify(body), 400]);
      expect((r.body.error as { message: string }).message).toMatch(message);
    }
    expect(store.listSchedules()).toHaveLength(before);
    expect(
      (await srv.call('PUT', '/api/storage/smart/schedules/abc', { scopes: WRITE, body: {} })).status,
    ).toBe(400);
    expect(
      (await srv.call('PUT', '/api/storage/smart/schedules/999', { scopes: WRITE, body: {} })).status,
    ).toBe(404);
    expect((await srv.call('POST', '/api/storage/smart/schedules/999/run', { scopes: WRITE })).status).toBe(
      404,
    );
    expect(
      (await srv.call('POST', '/api/storage/smart/schedules', { scopes: READ, body: bad[0]![0] })).status,
    ).toBe(403);
  });

  it('leaves the storage router its GET /api/storage/smart/:disk', async () => {
    const r = await srv.call('GET', '/api/storage/smart/sda', { scopes: READ });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ disk: { disk_id: SDA.diskId, device: '/dev/sda' } });
  });
});
