import { Router } from 'express';
import type { z } from 'zod';
import type { AuditLog } from '../auth/audit.js';
import type { Principal } from '../auth/scopes.js';
import { findDisk, readSelfTestLog, targetOf } from '../smart-tests/run.js';
import type { SmartTestService } from '../smart-tests/scheduler.js';
import type { RunRecord, Schedule, ScheduleDisks, SmartTestStore } from '../smart-tests/store.js';
import type { Exec } from '../sources/exec.js';
import type { SmartSnapshot } from '../sources/smart/types.js';
import { errors } from './errors.js';
import { ApiRouter } from './route.js';
import {
  deletedResponse,
  diskKey,
  runSchema,
  scheduleBody,
  schedulePatch,
  scheduleResponse,
  scheduleRunResponse,
  scheduleSchema,
  schedulesResponse,
  startTestBody,
  startTestResponse,
  testsQuery,
  testsResponse,
} from './smart-tests-schema.js';

export interface SmartTestsRouterDeps {
  exec: Exec;
  store: SmartTestStore;
  service: SmartTestService;
  /** The latest SMART round (`snapshots.latest<SmartSnapshot>(SMART_SOURCE)`). */
  smart: () => SmartSnapshot | undefined;
  audit: AuditLog;
  now?: () => number;
}

const nul = <T>(v: T | undefined): T | null => (v === undefined ? null : v);
const iso = (ms: number) => new Date(ms).toISOString();

export function runView(r: RunRecord): z.input<typeof runSchema> {
  return {
    id: r.id,
    disk_id: r.diskId,
    device: r.device,
    type: r.type,
    started_at: iso(r.startedAt),
    schedule_id: r.scheduleId,
    actor: r.actor,
    outcome: r.outcome,
    message: r.message,
    expected_minutes: r.expectedMinutes,
    expected_end_at: r.expectedMinutes === null ? null : iso(r.startedAt + r.expectedMinutes * 60_000),
  };
}

const actorOf = (p: Principal) => (p.tokenName ? `${p.username} (token ${p.tokenName})` : p.username);

function parseKey(raw: string | undefined): string {
  const r = diskKey.safeParse(raw);
  if (!r.success) throw errors.validation(`disk: ${r.error.issues[0]?.message ?? 'invalid'}`);
  return r.data;
}

function parseId(raw: string | undefined): number {
  if (raw === undefined || !/^[1-9]\d{0,9}$/.test(raw))
    throw errors.validation(`id: must be a positive integer, got ${JSON.stringify(raw)}`);
  return Number(raw);
}

/**
 * SMART self-tests: start one on a disk of the latest SMART round (write scope, audit-logged), read the
 * disk's self-test log, and keep cron schedules that start them. The disk is always the one the SMART
 * source found, resolved by disk_id or device name: a request never names a path for smartctl.
 */
export function createSmartTestsRouter(deps: SmartTestsRouterDeps): ApiRouter {
  const { exec, store, service, audit } = deps;
  const now = deps.now ?? Date.now;
  const api = new ApiRouter('/api/storage/smart', Router(), 'storage');

  const lastRunAt = (id: number) => store.runs({ scheduleId: id, limit: 1 })[0]?.startedAt;
  const scheduleView = (s: Schedule): z.input<typeof scheduleSchema> => {
    const last = lastRunAt(s.id);
    return {
      id: s.id,
      name: s.name,
      type: s.type,
      cron: s.cron,
      disks: s.disks,
      enabled: s.enabled,
      created_at: iso(s.createdAt),
      updated_at: iso(s.updatedAt),
      last_run_at: last === undefined ? null : iso(last),
    };
  };

  const diskOf = (raw: string | undefined) => {
    const key = parseKey(raw);
    const smart = deps.smart();
    const disk = findDisk(smart, key);
    if (!disk) {
      const path = key.startsWith('/') ? key : `/dev/${key}`;
      const asleep = smart?.unreadable.find((u) => u.device === path);
      throw errors.notFound(
        asleep
          ? `no SMART data for ${path} yet: ${asleep.reason}`
          : `no disk ${key} in the latest SMART round (by disk_id or device)`,
      );
    }
    return disk;
  };

  /** Device names become disk_ids, so a schedule follows its disks across renames. */
  const scheduleDisks = (disks: ScheduleDisks): ScheduleDisks => {
    if (disks === 'all') return 'all';
    const smart = deps.smart();
    const ids = disks.map((k) => findDisk(smart, k)?.diskId ?? k);
    const known = new Set((smart?.disks ?? []).map((d) => d.diskId));
    const unknown = ids.filter((id) => !known.has(id));
    if (unknown.length > 0)
      throw errors.validation(`disks: not in the latest SMART round: ${unknown.slice(0, 5).join(', ')}`);
    return [...new Set(ids)];
  };

  api.route(
    {
      method: 'post',
      path: '/:disk/test',
      auth: 'write',
      summary: 'Start a short or long SMART self-test on a disk (by disk_id or device name); audit-logged',
      body: startTestBody,
      response: startTestResponse,
      status: 202,
    },
    async ({ params, body, principal, clientIp }) => {
      const disk = diskOf(params.disk);
      const target = targetOf(disk);
      const actor = actorOf(principal!);
      const r = await service.run(target, body.type, { actor });
      const detail = {
        type: body.type,
        device: target.device,
        ...('error' in r ? { error: r.error } : { outcome: r.outcome }),
      };
      audit.record({ actor, ip: clientIp, action: 'smart_test_start', target: disk.diskId, detail });
      if ('error' in r) {
        if (r.kind === 'absent') throw errors.unavailable('smartctl is not installed on this host');
        throw errors.unavailable(`smartctl did not answer: ${r.error}`);
      }
      if (r.outcome === 'busy')
        throw errors.conflict(
          `a self-test is already running on ${target.device}: ${r.message ?? ''}`.trim(),
        );
      if (r.outcome === 'unsupported')
        throw errors.conflict(
          `${target.device} cannot run a ${body.type} self-test: ${r.message ?? ''}`.trim(),
        );
      if (r.outcome === 'failed')
        throw errors.unavailable(
          `smartctl could not start the test on ${target.device}: ${r.message ?? ''}`.trim(),
        );
      return { run: runView(r) };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/:disk/tests',
      auth: 'read',
      summary: "A disk's own self-test log (and any test running now) plus the tests proxmon started on it",
      query: testsQuery,
      response: testsResponse,
    },
    async ({ params, query }) => {
      const disk = diskOf(params.disk);
      const target = targetOf(disk);
      const r = await readSelfTestLog(exec, target, query.wake);
      if (!r.ok) {
        if (r.error.kind === 'absent') throw errors.unavailable('smartctl is not installed on this host');
        throw errors.unavailable(`smartctl could not read the self-test log: ${r.error.message}`);
      }
      const reply = r.value;
      if (reply.kind === 'failed')
        throw errors.unavailable(`smartctl could not read the self-test log: ${reply.message}`);
      const runs = store.runs({ diskId: disk.diskId, limit: query.limit }).map(runView);
      const base = { disk_id: disk.diskId, device: target.device, read_at: iso(now()), runs };
      if (reply.kind === 'standby')
        return {
          ...base,
          protocol: disk.identity.protocol,
          standby: true,
          in_progress: null,
          entries: [],
          messages: [],
        };
      return {
        ...base,
        protocol: reply.protocol,
        standby: false,
        in_progress: reply.inProgress
          ? {
              type: nul(reply.inProgress.kind),
              type_text: nul(reply.inProgress.kindText),
              remaining_ratio: nul(reply.inProgress.remainingRatio),
            }
          : null,
        entries: reply.entries.map((e) => ({
          type: e.kind,
          type_text: nul(e.kindText),
          status: e.status,
          status_text: nul(e.statusText),
          power_on_hours: nul(e.powerOnHours),
          remaining_ratio: nul(e.remainingRatio),
          failing_lba: nul(e.failingLba),
        })),
        messages: reply.messages,
      };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/schedules',
      auth: 'read',
      summary: 'SMART self-test schedules',
      response: schedulesResponse,
    },
    () => ({ schedules: store.listSchedules().map(scheduleView) }),
  );

  api.route(
    {
      method: 'post',
      path: '/schedules',
      auth: 'write',
      summary: 'Create a self-test schedule (cron, short or long, all disks or some); audit-logged',
      body: scheduleBody,
      response: scheduleResponse,
      status: 201,
    },
    ({ body, principal, clientIp }) => {
      const created = store.createSchedule({ ...body, disks: scheduleDisks(body.disks) });
      service.reload();
      audit.record({
        actor: actorOf(principal!),
        ip: clientIp,
        action: 'smart_schedule_create',
        target: String(created.id),
        detail: { name: created.name, type: created.type, cron: created.cron, disks: created.disks },
      });
      return { schedule: scheduleView(created) };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/schedules/:id',
      auth: 'read',
      summary: 'One self-test schedule',
      response: scheduleResponse,
    },
    ({ params }) => {
      const s = store.getSchedule(parseId(params.id));
      if (!s) throw errors.notFound(`no schedule ${params.id}`);
      return { schedule: scheduleView(s) };
    },
  );

  api.route(
    {
      method: 'put',
      path: '/schedules/:id',
      auth: 'write',
      summary: 'Change a self-test schedule (any of its fields); audit-logged',
      body: schedulePatch,
      response: scheduleResponse,
    },
    ({ params, body, principal, clientIp }) => {
      const id = parseId(params.id);
      const patch = { ...body, ...(body.disks === undefined ? {} : { disks: scheduleDisks(body.disks) }) };
      const s = store.updateSchedule(id, patch);
      if (!s) throw errors.notFound(`no schedule ${params.id}`);
      service.reload();
      audit.record({
        actor: actorOf(principal!),
        ip: clientIp,
        action: 'smart_schedule_update',
        target: String(id),
        detail: patch,
      });
      return { schedule: scheduleView(s) };
    },
  );

  api.route(
    {
      method: 'delete',
      path: '/schedules/:id',
      auth: 'write',
      summary: 'Delete a self-test schedule (its runs stay in the history); audit-logged',
      response: deletedResponse,
    },
    ({ params, principal, clientIp }) => {
      const id = parseId(params.id);
      if (!store.deleteSchedule(id)) throw errors.notFound(`no schedule ${params.id}`);
      service.reload();
      audit.record({
        actor: actorOf(principal!),
        ip: clientIp,
        action: 'smart_schedule_delete',
        target: String(id),
      });
      return { deleted: true as const };
    },
  );

  api.route(
    {
      method: 'post',
      path: '/schedules/:id/run',
      auth: 'write',
      summary: 'Run a schedule now, as its cron would; audit-logged',
      response: scheduleRunResponse,
      status: 202,
    },
    async ({ params, principal, clientIp }) => {
      const id = parseId(params.id);
      if (!store.getSchedule(id)) throw errors.notFound(`no schedule ${params.id}`);
      const runs = await service.runSchedule(id);
      audit.record({
        actor: actorOf(principal!),
        ip: clientIp,
        action: 'smart_schedule_run',
        target: String(id),
        detail: { disks: runs.map((r) => r.diskId) },
      });
      return { runs: runs.map(runView) };
    },
  );

  return api;
}
