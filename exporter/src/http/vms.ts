import { Router } from 'express';
import type { z } from 'zod';
import type { AuditLog } from '../auth/audit.js';
import type { Principal } from '../auth/scopes.js';
import type { PveAccess } from '../pve/index.js';
import { parseTasks, type PveGuest, type PveTask } from '../pve-model/index.js';
import { parseAgentInterfaces, parseLxcInterfaces, type GuestIp } from '../pve-model/guest-ips.js';
import { parseRrdData } from '../pve-model/rrd.js';
import type { SnapshotReader } from '../snapshots.js';
import { PVE_SOURCE, type PveSnapshot } from '../sources/pve/index.js';
import type { Result } from '../sources/source.js';
import { errors } from './errors.js';
import {
  findGuest,
  guestPath,
  parseVmid,
  pveGet,
  READ_TIMEOUT_MS,
  unwrap,
  WRITE_TIMEOUT_MS,
} from './pve-call.js';
import {
  backupBody,
  controlBody,
  guestSchema,
  rrdResponse,
  taskSchema,
  taskStartedResponse,
  tasksQuery,
  tasksResponse,
  timeframeQuery,
  vmDetailResponse,
  vmsResponse,
} from './pve-schema.js';
import { ApiRouter } from './route.js';
import { isoFromSeconds, sourceStatus } from './source-status.js';

export interface VmsRouterDeps {
  pve: PveAccess;
  snapshots: SnapshotReader;
  audit: AuditLog;
  /** Unix seconds of a guest's newest known backup (from the backups source), when there is one. */
  lastBackup?: (vmid: number) => number | undefined;
}

const nul = <T>(v: T | undefined): T | null => (v === undefined ? null : v);
/** Agent calls answer fast or not at all (no agent installed). */
const AGENT_TIMEOUT_MS = 3_000;

export function guestView(g: PveGuest, lastBackup?: number): z.input<typeof guestSchema> {
  return {
    vmid: g.vmid,
    name: nul(g.name),
    type: g.type,
    node: nul(g.node),
    status: nul(g.status),
    template: nul(g.template),
    tags: g.tags,
    pool: nul(g.pool),
    ha_state: nul(g.hastate),
    lock: nul(g.lock),
    cpu_usage_ratio: nul(g.cpu),
    cpus: nul(g.maxcpu),
    memory_used_bytes: nul(g.mem),
    memory_max_bytes: nul(g.maxmem),
    disk_used_bytes: nul(g.disk),
    disk_size_bytes: nul(g.maxdisk),
    network_receive_bytes: nul(g.netin),
    network_transmit_bytes: nul(g.netout),
    disk_read_bytes: nul(g.diskread),
    disk_written_bytes: nul(g.diskwrite),
    uptime_seconds: nul(g.uptime),
    last_backup_at: isoFromSeconds(lastBackup),
  };
}

export function taskView(t: PveTask): z.input<typeof taskSchema> {
  return {
    upid: t.upid,
    node: nul(t.node),
    type: nul(t.type),
    id: nul(t.id),
    user: nul(t.user),
    started_at: isoFromSeconds(t.starttime),
    ended_at: isoFromSeconds(t.endtime),
    status: nul(t.status),
    outcome: t.outcome,
  };
}

/** Config keys that hold credentials (cloud-init password hash); never returned. */
const SECRET_KEYS = /password|secret|token/i;

function withoutSecrets(config: unknown): Record<string, unknown> {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) return {};
  return Object.fromEntries(Object.entries(config).filter(([k]) => !SECRET_KEYS.test(k)));
}

const asRecord = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** An agent enabled in the config: `1`, or `enabled=1,...` / `1,fstrim_cloned_disks=1`. */
export function agentEnabled(agent: unknown): boolean {
  if (agent === 1 || agent === true) return true;
  if (typeof agent !== 'string') return false;
  const first = agent.split(',')[0]?.trim();
  return first === '1' || /(^|,)\s*enabled=1\b/.test(agent);
}

const ipView = (ip: GuestIp) => ({
  interface: ip.interface,
  address: ip.address,
  prefix: nul(ip.prefix),
  family: ip.family,
  mac: nul(ip.mac),
});

export function createVmsRouter(deps: VmsRouterDeps): ApiRouter {
  const { pve, snapshots, audit } = deps;
  const api = new ApiRouter('/api/vms', Router(), 'vms');
  const lastBackup = (vmid: number) => deps.lastBackup?.(vmid);

  api.route(
    {
      method: 'get',
      path: '/',
      auth: 'read',
      summary: 'Guests (VMs and containers) in scope with their current counters, from the latest refresh',
      response: vmsResponse,
    },
    () => {
      const snap = snapshots.latest<PveSnapshot>(PVE_SOURCE);
      return {
        scope: snap?.scope ?? null,
        node: snap?.node ?? null,
        guests: (snap?.guests ?? []).map((g) => guestView(g, lastBackup(g.vmid))),
        source: sourceStatus(snapshots, PVE_SOURCE),
      };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/:vmid',
      auth: 'read',
      summary: 'One guest: counters, status/current, config (no passwords) and IP addresses',
      response: vmDetailResponse,
    },
    async ({ params }) => {
      const guest = await findGuest(pve, parseVmid(params.vmid));
      const at = guestPath(guest);
      const [status, config] = await Promise.all([
        pveGet(pve, `${at}/status/current`),
        pveGet(pve, `${at}/config`),
      ]);
      const ips = await readIps(pve, guest, asRecord(config));
      return {
        guest: guestView(guest, lastBackup(guest.vmid)),
        status: asRecord(status),
        config: withoutSecrets(config),
        ips: ips.ok ? ips.value.map(ipView) : [],
        ips_source: ips.ok ? (guest.type === 'qemu' ? ('agent' as const) : ('lxc' as const)) : null,
        ips_error: ips.ok ? null : ips.error.message,
      };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/:vmid/metrics',
      auth: 'read',
      summary: 'RRD history of one guest (rrddata): hour, day, week, month or year',
      query: timeframeQuery,
      response: rrdResponse,
    },
    async ({ params, query }) => {
      const guest = await findGuest(pve, parseVmid(params.vmid));
      const data = await pveGet(pve, `${guestPath(guest)}/rrddata`, query);
      return { ...query, points: unwrap(parseRrdData(data)) };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/:vmid/logs',
      auth: 'read',
      summary:
        'Recent PVE tasks of one guest (start, backup, migrate, ...); read a log with /api/events/{upid}/log',
      query: tasksQuery.pick({ limit: true }),
      response: tasksResponse,
    },
    async ({ params, query }) => {
      const guest = await findGuest(pve, parseVmid(params.vmid));
      const data = await pveGet(pve, `/nodes/${guest.node}/tasks`, {
        vmid: guest.vmid,
        limit: query.limit,
        source: 'all',
      });
      return { tasks: unwrap(parseTasks(data)).map(taskView) };
    },
  );

  const audited = (
    principal: Principal,
    ip: string,
    action: string,
    target: number,
    detail: Record<string, unknown>,
  ) =>
    audit.record({
      actor: principal.tokenName
        ? `${principal.username} (token ${principal.tokenName})`
        : principal.username,
      ip,
      action,
      target: String(target),
      detail,
    });

  api.route(
    {
      method: 'post',
      path: '/:vmid/control',
      auth: 'write',
      summary: 'Start, stop, shut down or reboot a guest (audit-logged); returns the PVE task',
      body: controlBody,
      response: taskStartedResponse,
      status: 202,
    },
    async ({ params, body, principal, clientIp }) => {
      const vmid = parseVmid(params.vmid);
      const guest = await findGuest(pve, vmid);
      if (guest.template) throw errors.conflict(`guest ${vmid} is a template and cannot run`);
      const running = guest.status === 'running' || guest.status === 'paused';
      if (body.action === 'start' && running)
        throw errors.conflict(`guest ${vmid} is already ${guest.status}`);
      if (body.action !== 'start' && guest.status === 'stopped')
        throw errors.conflict(`guest ${vmid} is not running`);
      const r = await pve.client.post<unknown>(
        `${guestPath(guest)}/status/${body.action}`,
        {},
        {
          timeoutMs: WRITE_TIMEOUT_MS,
        },
      );
      audited(principal!, clientIp, 'guest_control', vmid, {
        action: body.action,
        node: guest.node,
        ok: r.ok,
        ...(r.ok ? {} : { error: r.error.message }),
      });
      return { upid: upidOf(unwrap(r)), node: guest.node, vmid, action: body.action };
    },
  );

  api.route(
    {
      method: 'post',
      path: '/:vmid/backup',
      auth: 'write',
      summary: 'Back up one guest now with vzdump (audit-logged); returns the PVE task',
      body: backupBody,
      response: taskStartedResponse,
      status: 202,
    },
    async ({ params, body, principal, clientIp }) => {
      const vmid = parseVmid(params.vmid);
      const guest = await findGuest(pve, vmid);
      const args: Record<string, string | number> = { vmid, mode: body.mode };
      if (body.storage !== undefined) args.storage = body.storage;
      if (body.compress !== undefined) args.compress = body.compress;
      if (body.protected !== undefined) args.protected = body.protected ? 1 : 0;
      if (body.notes !== undefined) args['notes-template'] = body.notes;
      const r = await pve.client.post<unknown>(`/nodes/${guest.node}/vzdump`, args, {
        timeoutMs: WRITE_TIMEOUT_MS,
      });
      audited(principal!, clientIp, 'guest_backup', vmid, {
        node: guest.node,
        ...body,
        ok: r.ok,
        ...(r.ok ? {} : { error: r.error.message }),
      });
      return { upid: upidOf(unwrap(r)), node: guest.node, vmid, action: 'backup' };
    },
  );

  return api;
}

const upidOf = (v: unknown): string | null => (typeof v === 'string' && v.startsWith('UPID:') ? v : null);

/** Addresses from the guest agent (QEMU, when enabled and running) or from LXC's interface list. */
async function readIps(
  pve: PveAccess,
  guest: PveGuest & { node: string },
  config: Record<string, unknown>,
): Promise<Result<GuestIp[]>> {
  const fail = (message: string): Result<GuestIp[]> => ({ ok: false, error: { kind: 'absent', message } });
  if (guest.status !== 'running') return fail('the guest is not running');
  const at = guestPath(guest);
  if (guest.type === 'lxc') {
    const r = await pve.client.get(`${at}/interfaces`, {}, { timeoutMs: READ_TIMEOUT_MS });
    return r.ok ? parseLxcInterfaces(r.value) : r;
  }
  if (!agentEnabled(config.agent)) return fail('the QEMU guest agent is not enabled in the config');
  const r = await pve.client.get(`${at}/agent/network-get-interfaces`, {}, { timeoutMs: AGENT_TIMEOUT_MS });
  return r.ok ? parseAgentInterfaces(r.value) : r;
}
