import { Router } from 'express';
import type { z } from 'zod';
import type { AuditLog } from '../auth/audit.js';
import type { Principal } from '../auth/scopes.js';
import { loadCatalogue, type OciApp, type OciCatalogue } from '../oci/catalogue.js';
import { OCI_TAG } from '../oci/deploy.js';
import type { OciDeployer } from '../oci/deployer.js';
import { pveRelease, supportsOci } from '../oci/pve.js';
import type { Deployment, DeploymentStore } from '../oci/store.js';
import type { PveAccess } from '../pve/index.js';
import { parseClusterResources, parseTasks, type PveGuest } from '../pve-model/index.js';
import { parseLxcInterfaces } from '../pve-model/guest-ips.js';
import { errors } from './errors.js';
import {
  actionResponse,
  appSchema,
  appStatusResponse,
  catalogueAppResponse,
  catalogueResponse,
  deployBody,
  deploymentResponse,
  deploymentSchema,
  deploymentsResponse,
  installedResponse,
  installedSchema,
  logsQuery,
  logsResponse,
} from './oci-schema.js';
import {
  guestPath,
  localNode,
  parseVmid,
  pveGet,
  READ_TIMEOUT_MS,
  unwrap,
  WRITE_TIMEOUT_MS,
} from './pve-call.js';
import { ApiRouter } from './route.js';
import { isoFromSeconds } from './source-status.js';

export interface OciDefaults {
  /** Storage the images are pulled to (must hold `vztmpl` content). */
  templateStorage: string;
  /** Storage for container root disks. */
  rootfsStorage: string;
  bridge: string;
}

export const DEFAULT_OCI_SETTINGS: OciDefaults = {
  templateStorage: 'local',
  rootfsStorage: 'local-lvm',
  bridge: 'vmbr0',
};

export interface OciRouterDeps {
  pve: PveAccess;
  audit: AuditLog;
  deployments: DeploymentStore;
  deployer: OciDeployer;
  catalogue?: OciCatalogue;
  defaults?: Partial<OciDefaults>;
  /** How long a read of `/version` is trusted (default 5 min); upgrades are rare. */
  versionTtlMs?: number;
  now?: () => number;
}

const nul = <T>(v: T | undefined): T | null => (v === undefined ? null : v);
const asRecord = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const actorOf = (p: Principal) => (p.tokenName ? `${p.username} (token ${p.tokenName})` : p.username);

function appView(a: OciApp): z.input<typeof appSchema> {
  return { ...a, website: nul(a.website) };
}

function deploymentView(d: Deployment): z.input<typeof deploymentSchema> {
  return {
    id: d.id,
    app: d.appId,
    vmid: d.vmid,
    node: d.node,
    state: d.state,
    step: d.step,
    error: d.error,
    tasks: d.tasks,
    actor: d.actor,
    created_at: new Date(d.createdAt).toISOString(),
    updated_at: new Date(d.updatedAt).toISOString(),
  };
}

const isOciApp = (g: PveGuest) => g.type === 'lxc' && g.tags.includes(OCI_TAG);
const appIdOf = (g: PveGuest) => g.tags.find((t) => t.startsWith('oci-'))?.slice(4);

function installedView(g: PveGuest): z.input<typeof installedSchema> {
  return {
    vmid: g.vmid,
    app: nul(appIdOf(g)),
    name: nul(g.name),
    node: nul(g.node),
    status: nul(g.status),
    cpu_usage_ratio: nul(g.cpu),
    memory_used_bytes: nul(g.mem),
    memory_max_bytes: nul(g.maxmem),
    uptime_seconds: nul(g.uptime),
  };
}

/**
 * OCI apps (Proxmox VE 9.1+): a catalogue of container images from the repo, deployed as LXC
 * containers through PVE itself (the storage `oci-registry-pull` API, then `create /nodes/{node}/lxc`
 * from the pulled template), then started, stopped, removed and read back. Containers proxmon made
 * carry the tag `proxmon-oci` and are the only ones these routes touch. On an older PVE every route
 * answers 409 and nothing else is called.
 */
export function createOciRouter(deps: OciRouterDeps): ApiRouter {
  const { pve, audit, deployments, deployer } = deps;
  const catalogue = deps.catalogue ?? loadCatalogue();
  const defaults = { ...DEFAULT_OCI_SETTINGS, ...deps.defaults };
  const now = deps.now ?? Date.now;
  const ttl = deps.versionTtlMs ?? 5 * 60_000;
  const api = new ApiRouter('/api/oci', Router(), 'oci');
  let known: { at: number; version: string; ok: boolean } | undefined;

  /** Every route first: OCI templates need PVE 9.1. */
  const requireOci = async () => {
    if (!known || now() - known.at > ttl) {
      const r = pveRelease(await pveGet(pve, '/version'));
      if (!r.ok) throw errors.upstream(`cannot tell the Proxmox VE version: ${r.error.message}`);
      known = { at: now(), version: r.value.version, ok: supportsOci(r.value) };
    }
    if (!known.ok)
      throw errors.conflict(
        `OCI apps need Proxmox VE 9.1 or later (OCI images as container templates); this node runs ${known.version}`,
      );
  };

  const appById = (id: string) => catalogue.apps.find((a) => a.id === id);

  /** A container proxmon deployed, from a fresh `/cluster/resources`. */
  const findApp = async (raw: string | undefined) => {
    const vmid = parseVmid(raw);
    const parsed = unwrap(parseClusterResources(await pveGet(pve, '/cluster/resources', { type: 'vm' })));
    const g = parsed.guests.find((x) => x.vmid === vmid);
    if (!g || g.node === undefined || !isOciApp(g))
      throw errors.notFound(`no OCI app with vmid ${vmid} (proxmon's apps carry the tag ${OCI_TAG})`);
    return g as PveGuest & { node: string };
  };

  const audited = (
    p: Principal,
    ip: string,
    action: string,
    target: number,
    detail: Record<string, unknown>,
  ) => audit.record({ actor: actorOf(p), ip, action, target: String(target), detail });

  api.route(
    {
      method: 'get',
      path: '/catalogue',
      auth: 'read',
      summary: 'The OCI apps that can be deployed',
      response: catalogueResponse,
    },
    async () => {
      await requireOci();
      return { apps: catalogue.apps.map(appView) };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/catalogue/:id',
      auth: 'read',
      summary: 'One catalogue app',
      response: catalogueAppResponse,
    },
    async ({ params }) => {
      await requireOci();
      const app = appById(params.id ?? '');
      if (!app) throw errors.notFound(`no app ${JSON.stringify(params.id)} in the catalogue`);
      return { app: appView(app) };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/apps',
      auth: 'read',
      summary: 'Deployed OCI apps (containers tagged proxmon-oci) with their state',
      response: installedResponse,
    },
    async () => {
      await requireOci();
      const parsed = unwrap(parseClusterResources(await pveGet(pve, '/cluster/resources', { type: 'vm' })));
      return { apps: parsed.guests.filter(isOciApp).map(installedView) };
    },
  );

  api.route(
    {
      method: 'post',
      path: '/apps',
      auth: 'write',
      summary:
        'Deploy a catalogue app as an LXC container: pull its image into a template storage, create, start (audit-logged)',
      body: deployBody,
      response: deploymentResponse,
      status: 202,
    },
    async ({ body, principal, clientIp }) => {
      await requireOci();
      const app = appById(body.app);
      if (!app) throw errors.validation(`app: no app ${JSON.stringify(body.app)} in the catalogue`);
      if (Object.keys(body.env).length > 0 && pve.client.mode === 'pvesh')
        throw errors.conflict(
          'setting a container environment needs pve.mode api: PVE takes it as a NUL-separated list, which pvesh cannot pass',
        );
      const node = await localNode(pve);
      let vmid = body.vmid;
      if (vmid === undefined) {
        const next = Number(await pveGet(pve, '/cluster/nextid'));
        if (!Number.isInteger(next) || next < 100) throw errors.upstream('PVE gave no free vmid');
        vmid = next;
      } else {
        const parsed = unwrap(parseClusterResources(await pveGet(pve, '/cluster/resources', { type: 'vm' })));
        if (parsed.guests.some((g) => g.vmid === vmid))
          throw errors.conflict(`vmid ${vmid} is already in use`);
      }
      if (deployer.busy(vmid)) throw errors.conflict(`a deployment to vmid ${vmid} is still running`);
      const r = app.resources;
      const deployment = deployer.start(
        {
          app,
          node,
          vmid,
          hostname: body.hostname ?? app.id,
          templateStorage: body.template_storage ?? defaults.templateStorage,
          rootfsStorage: body.rootfs_storage ?? defaults.rootfsStorage,
          bridge: body.bridge ?? defaults.bridge,
          cores: body.cores ?? r.cores,
          memoryMb: body.memory_mb ?? r.memory_mb,
          swapMb: body.swap_mb ?? r.swap_mb,
          diskGb: body.disk_gb ?? r.disk_gb,
          start: body.start,
          env: body.env,
        },
        actorOf(principal!),
      );
      audited(principal!, clientIp, 'oci_deploy', vmid, {
        app: app.id,
        image: app.image,
        node,
        deployment: deployment.id,
        env: Object.keys(body.env),
      });
      return { deployment: deploymentView(deployment) };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/deployments',
      auth: 'read',
      summary: 'Recent deployments, newest first',
      response: deploymentsResponse,
    },
    async () => {
      await requireOci();
      return { deployments: deployments.list(50).map(deploymentView) };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/deployments/:id',
      auth: 'read',
      summary: 'One deployment: its step, PVE tasks and error',
      response: deploymentResponse,
    },
    async ({ params }) => {
      await requireOci();
      const id = /^[1-9]\d{0,9}$/.test(params.id ?? '') ? Number(params.id) : undefined;
      if (id === undefined)
        throw errors.validation(`id: must be a positive integer, got ${JSON.stringify(params.id)}`);
      const d = deployments.get(id);
      if (!d) throw errors.notFound(`no deployment ${id}`);
      return { deployment: deploymentView(d) };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/apps/:vmid',
      auth: 'read',
      summary: 'One OCI app: container status, its catalogue entry and addresses',
      response: appStatusResponse,
    },
    async ({ params }) => {
      await requireOci();
      const g = await findApp(params.vmid);
      const status = asRecord(await pveGet(pve, `${guestPath(g)}/status/current`));
      let addresses: z.input<typeof appStatusResponse>['addresses'] = [];
      let addressesError: string | null = 'the container is not running';
      if (status.status === 'running') {
        const r = await pve.client.get(`${guestPath(g)}/interfaces`, {}, { timeoutMs: READ_TIMEOUT_MS });
        const ips = r.ok ? parseLxcInterfaces(r.value) : r;
        addressesError = ips.ok ? null : ips.error.message;
        if (ips.ok)
          addresses = ips.value.map((ip) => ({
            interface: ip.interface,
            address: ip.address,
            prefix: nul(ip.prefix),
            family: ip.family,
          }));
      }
      const app = appById(appIdOf(g) ?? '');
      return {
        app: installedView(g),
        catalogue: app ? appView(app) : null,
        status,
        addresses,
        addresses_error: addressesError,
      };
    },
  );

  const control = (action: 'start' | 'stop') =>
    api.route(
      {
        method: 'post',
        path: `/apps/:vmid/${action}`,
        auth: 'write',
        summary: `${action === 'start' ? 'Start' : 'Stop'} an OCI app container (audit-logged); returns the PVE task`,
        response: actionResponse,
        status: 202,
      },
      async ({ params, principal, clientIp }) => {
        await requireOci();
        const g = await findApp(params.vmid);
        if (action === 'start' && g.status === 'running')
          throw errors.conflict(`app ${g.vmid} is already running`);
        if (action === 'stop' && g.status !== 'running')
          throw errors.conflict(`app ${g.vmid} is not running`);
        const r = await pve.client.post<unknown>(
          `${guestPath(g)}/status/${action}`,
          {},
          { timeoutMs: WRITE_TIMEOUT_MS },
        );
        audited(principal!, clientIp, `oci_${action}`, g.vmid, {
          app: nul(appIdOf(g)),
          node: g.node,
          ok: r.ok,
          ...(r.ok ? {} : { error: r.error.message }),
        });
        return { vmid: g.vmid, node: g.node, action, upid: upidOf(unwrap(r)) };
      },
    );
  control('start');
  control('stop');

  api.route(
    {
      method: 'delete',
      path: '/apps/:vmid',
      auth: 'write',
      summary: 'Remove a stopped OCI app container and its disks (audit-logged); returns the PVE task',
      response: actionResponse,
      status: 202,
    },
    async ({ params, principal, clientIp }) => {
      await requireOci();
      const g = await findApp(params.vmid);
      if (g.status !== 'stopped')
        throw errors.conflict(`app ${g.vmid} is ${g.status ?? 'not stopped'}: stop it first`);
      const r = await pve.client.delete(
        guestPath(g),
        { purge: 1, 'destroy-unreferenced-disks': 1 },
        { timeoutMs: WRITE_TIMEOUT_MS },
      );
      audited(principal!, clientIp, 'oci_remove', g.vmid, {
        app: nul(appIdOf(g)),
        node: g.node,
        ok: r.ok,
        ...(r.ok ? {} : { error: r.error.message }),
      });
      return { vmid: g.vmid, node: g.node, action: 'remove' as const, upid: upidOf(unwrap(r)) };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/apps/:vmid/logs',
      auth: 'read',
      summary: "An app's PVE tasks (pull, create, start, stop) and the log of the newest one",
      query: logsQuery,
      response: logsResponse,
    },
    async ({ params, query }) => {
      await requireOci();
      const g = await findApp(params.vmid);
      const tasks = unwrap(
        parseTasks(
          await pveGet(pve, `/nodes/${g.node}/tasks`, { vmid: g.vmid, limit: query.limit, source: 'all' }),
        ),
      );
      const newest = tasks[0];
      let latest: { upid: string; lines: string[] } | null = null;
      if (newest) {
        const rows = await pveGet<unknown>(pve, `/nodes/${g.node}/tasks/${newest.upid}/log`, {
          start: 0,
          limit: query.lines,
        });
        latest = {
          upid: newest.upid,
          lines: (Array.isArray(rows) ? rows : []).flatMap((r) => {
            const t = (r as { t?: unknown })?.t;
            return typeof t === 'string' ? [t] : [];
          }),
        };
      }
      return {
        vmid: g.vmid,
        tasks: tasks.map((t) => ({
          upid: t.upid,
          type: nul(t.type),
          status: nul(t.status),
          started_at: isoFromSeconds(t.starttime),
          ended_at: isoFromSeconds(t.endtime),
          outcome: t.outcome,
        })),
        latest,
      };
    },
  );

  return api;
}

const upidOf = (v: unknown): string | null => (typeof v === 'string' && v.startsWith('UPID:') ? v : null);
