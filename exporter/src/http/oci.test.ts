import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../auth/audit.js';
import { createOciDeployer, type OciDeployer } from '../oci/deployer.js';
import { DeploymentStore } from '../oci/store.js';
import {
  checkRequest,
  createPveAccess,
  createPveshClient,
  type PveClient,
  type PveParams,
  type PveRequestOptions,
} from '../pve/index.js';
import { createExec, type Exec } from '../sources/exec.js';
import { fail, ok } from '../sources/source.js';
import { openStore, type Db } from '../store/db.js';
import { migrations } from '../store/migrations.js';
import { scopeViolations, serveRouters, type RouterServer } from '../test-support/serve-routers.js';
import { silentLogger } from '../test-support/tools.js';
import { createOciRouter } from './oci.js';
import type { ApiRouter } from './route.js';
import { appStatusResponse, deploymentResponse, installedResponse, logsResponse } from './oci-schema.js';

const pveshRecorded = fileURLToPath(new URL('../../../tests/fake-bin/pvesh-recorded', import.meta.url));
const fixtures = (version: string) =>
  fileURLToPath(new URL(`../oci/fixtures/pvesh-${version}`, import.meta.url));
const argsLog = join(mkdtempSync(join(tmpdir(), 'proxmon-pvesh-oci-')), 'calls.log');
process.env.PVESH_ARGS_LOG = argsLog;
const pveshCalls = () => readFileSync(argsLog, 'utf8').split('\n').filter(Boolean);

/** The stand-in reads its routes folder from the environment at each spawn; each node has its own. */
function execFor(version: string): Exec {
  const exec = createExec({ pvesh: pveshRecorded });
  return (tool, args, opts) => {
    process.env.PVESH_FIXTURES = fixtures(version);
    return exec(tool, args, opts);
  };
}

/**
 * pvesh's `set` and `delete` verbs, which PveClient does not offer yet (see oci/pve.ts): the same
 * argument shape as pve/pvesh.ts uses for get and create.
 */
function withPveshVerbs(client: PveClient, exec: Exec): PveClient {
  const call = async (
    verb: 'set' | 'delete',
    path: string,
    params: PveParams = {},
    opts: PveRequestOptions = {},
  ) => {
    const invalid = checkRequest(path, params);
    if (invalid) return fail('exit', invalid);
    const args = [verb, path, '--output-format', 'json'];
    for (const [k, v] of Object.entries(params)) args.push(`--${k}`, String(v));
    const run = await exec('pvesh', args, { timeoutMs: opts.timeoutMs ?? 10_000 });
    if (!run.ok) return run;
    if (run.value.exitCode !== 0) return fail('exit', run.value.stderr.trim());
    return ok(run.value.stdout.trim() === '' ? null : (JSON.parse(run.value.stdout) as unknown));
  };
  return {
    ...client,
    put: (path: string, body?: PveParams, opts?: PveRequestOptions) => call('set', path, body, opts),
    delete: (path: string, params?: PveParams, opts?: PveRequestOptions) =>
      call('delete', path, params, opts),
  } as PveClient;
}

let db: Db;
let deployments: DeploymentStore;
let deployer: OciDeployer;
let pve91: RouterServer;
let router91: ApiRouter;
let pve84: RouterServer;
const WRITE = ['read', 'write'] as const;
const READ = ['read'] as const;

beforeAll(async () => {
  db = openStore(mkdtempSync(join(tmpdir(), 'proxmon-oci-')), migrations);
  const audit = new AuditLog(db);
  deployments = new DeploymentStore(db);
  const node = (version: string, verbs: boolean) => {
    const exec = execFor(version);
    const plain = createPveshClient(exec);
    return createPveAccess({ client: verbs ? withPveshVerbs(plain, exec) : plain, hostname: 'pve' });
  };
  const access91 = node('9.1', true);
  deployer = createOciDeployer({ pve: access91, store: deployments, logger: silentLogger(), pollMs: 5 });
  router91 = createOciRouter({ pve: access91, audit, deployments, deployer });
  pve91 = await serveRouters([router91]);
  const access84 = node('8.4', true);
  pve84 = await serveRouters([
    createOciRouter({
      pve: access84,
      audit,
      deployments,
      deployer: createOciDeployer({ pve: access84, store: deployments, logger: silentLogger() }),
    }),
  ]);
});
afterAll(async () => {
  await Promise.all([pve91.close(), pve84.close()]);
  db.close();
});
beforeEach(() => writeFileSync(argsLog, ''));

const auditOf = (action: string) =>
  new AuditLog(db)
    .page(100)
    .entries.filter((e) => e.action === action)
    .map((e) => [e.target, e.detail]);

async function deployed(r: { status: number; body: Record<string, unknown> }) {
  expect(r.status).toBe(202);
  const { deployment } = deploymentResponse.parse(r.body);
  expect(deployment.state).toBe('running');
  await deployer.idle();
  const after = await pve91.call('GET', `/api/oci/deployments/${deployment.id}`, { scopes: READ });
  return deploymentResponse.parse(after.body).deployment;
}

describe('on Proxmox VE older than 9.1', () => {
  it('answers every OCI route 409 after asking PVE only its version', async () => {
    const routes: Array<[string, string, unknown]> = [
      ['GET', '/api/oci/catalogue', undefined],
      ['GET', '/api/oci/catalogue/nginx', undefined],
      ['GET', '/api/oci/apps', undefined],
      ['POST', '/api/oci/apps', { app: 'nginx' }],
      ['GET', '/api/oci/deployments', undefined],
      ['GET', '/api/oci/deployments/1', undefined],
      ['GET', '/api/oci/apps/130', undefined],
      ['POST', '/api/oci/apps/131/start', undefined],
      ['POST', '/api/oci/apps/130/stop', undefined],
      ['DELETE', '/api/oci/apps/132', undefined],
      ['GET', '/api/oci/apps/130/logs', undefined],
    ];
    for (const [method, path, body] of routes) {
      const r = await pve84.call(method, path, { scopes: WRITE, body });
      expect([method, path, r.status, r.body]).toEqual([
        method,
        path,
        409,
        {
          error: {
            code: 'conflict',
            message:
              'OCI apps need Proxmox VE 9.1 or later (OCI images as container templates); this node runs 8.4.14',
          },
        },
      ]);
    }
    // The version is read once and kept; nothing else reaches PVE.
    expect(pveshCalls()).toEqual(['get /version --output-format json']);
  });

  it('covers every route the router declares', () => {
    const router = createOciRouter({
      pve: createPveAccess({ client: createPveshClient(execFor('8.4')), hostname: 'pve' }),
      audit: new AuditLog(db),
      deployments,
      deployer,
    });
    expect(router.docs.map((d) => `${d.method.toUpperCase()} ${d.path}`).sort()).toEqual([
      'DELETE /api/oci/apps/:vmid',
      'GET /api/oci/apps',
      'GET /api/oci/apps/:vmid',
      'GET /api/oci/apps/:vmid/logs',
      'GET /api/oci/catalogue',
      'GET /api/oci/catalogue/:id',
      'GET /api/oci/deployments',
      'GET /api/oci/deployments/:id',
      'POST /api/oci/apps',
      'POST /api/oci/apps/:vmid/start',
      'POST /api/oci/apps/:vmid/stop',
    ]);
  });
});

describe('catalogue and installed apps on 9.1', () => {
  it('lists the catalogue from the repo file', async () => {
    const r = await pve91.call('GET', '/api/oci/catalogue', { scopes: READ });
    expect(r.status).toBe(200);
    const apps = r.body.apps as Array<{ id: string; image: string }>;
    expect(apps.map((a) => [a.id, a.image])).toEqual([
      ['nginx', 'docker.io/library/nginx:1.27-alpine'],
      ['uptime-kuma', 'docker.io/louislam/uptime-kuma:1.23.16'],
      ['adguardhome', 'docker.io/adguard/adguardhome:v0.107.57'],
      ['whoami', 'docker.io/traefik/whoami:v1.10.3'],
    ]);
    const one = await pve91.call('GET', '/api/oci/catalogue/whoami', { scopes: READ });
    expect(one.body).toMatchObject({ app: { id: 'whoami', resources: { memory_mb: 64 } } });
    expect((await pve91.call('GET', '/api/oci/catalogue/nope', { scopes: READ })).status).toBe(404);
  });

  it('lists only containers tagged proxmon-oci', async () => {
    const r = await pve91.call('GET', '/api/oci/apps', { scopes: READ });
    expect(installedResponse.parse(r.body).apps.map((a) => [a.vmid, a.app, a.status])).toEqual([
      [130, 'whoami', 'running'],
      [131, 'uptime-kuma', 'stopped'],
      [132, 'retired-app', 'stopped'],
    ]);
    expect(pveshCalls()).toEqual(['get /cluster/resources --output-format json --type vm']);
  });

  it('shows one app with its status, addresses and catalogue entry', async () => {
    const r = await pve91.call('GET', '/api/oci/apps/130', { scopes: READ });
    const body = appStatusResponse.parse(r.body);
    expect(body.app).toMatchObject({ vmid: 130, app: 'whoami', status: 'running', uptime_seconds: 86350 });
    expect(body.catalogue?.id).toBe('whoami');
    expect(body.status).toMatchObject({ status: 'running', pid: 41873 });
    expect(body.addresses).toContainEqual({
      interface: 'eth0',
      address: '192.168.1.130',
      prefix: 24,
      family: 'inet',
    });
    expect(body.addresses_error).toBeNull();
    const stopped = appStatusResponse.parse(
      (await pve91.call('GET', '/api/oci/apps/131', { scopes: READ })).body,
    );
    expect(stopped).toMatchObject({ addresses: [], addresses_error: 'the container is not running' });
  });

  it("reads an app's tasks and the newest task's log", async () => {
    const r = await pve91.call('GET', '/api/oci/apps/130/logs', { scopes: READ });
    const body = logsResponse.parse(r.body);
    expect(body.tasks.map((t) => [t.type, t.outcome])).toEqual([
      ['vzstart', 'ok'],
      ['vzcreate', 'ok'],
    ]);
    expect(body.latest?.lines).toEqual(['starting container 130', 'TASK OK']);
    const fewer = logsResponse.parse(
      (await pve91.call('GET', '/api/oci/apps/130/logs?lines=1', { scopes: READ })).body,
    );
    expect(fewer.latest?.lines).toEqual(['starting container 130']);
    expect((await pve91.call('GET', '/api/oci/apps/130/logs?lines=0', { scopes: READ })).status).toBe(400);
  });

  it('refuses containers proxmon did not deploy and malformed vmids', async () => {
    for (const [path, status] of [
      ['/api/oci/apps/120', 404],
      ['/api/oci/apps/211', 404],
      ['/api/oci/apps/999', 404],
      ['/api/oci/apps/12a', 400],
      ['/api/oci/apps/..%2F..', 400],
    ] as const) {
      const r = await pve91.call('GET', path, { scopes: READ });
      expect([path, r.status]).toEqual([path, status]);
    }
  });
});

describe('deploying on 9.1', () => {
  it('pulls the image, creates the container from it and starts it, through exact pvesh calls', async () => {
    const d = await deployed(
      await pve91.call('POST', '/api/oci/apps', { scopes: WRITE, body: { app: 'nginx' } }),
    );
    expect(d).toMatchObject({
      app: 'nginx',
      vmid: 105,
      node: 'pve',
      state: 'done',
      step: 'done',
      error: null,
    });
    expect(d.tasks).toEqual([
      'UPID:pve:001A2B01:0163F2A1:6A9B1C00:ocipull:local:root@pam:',
      'UPID:pve:001A2B02:0163F2A2:6A9B1C28:vzcreate:105:root@pam:',
      'UPID:pve:001A2B03:0163F2A3:6A9B1C37:vzstart:105:root@pam:',
    ]);
    expect(pveshCalls()).toEqual([
      'get /nodes --output-format json',
      'get /cluster/nextid --output-format json',
      'get /nodes/pve/storage/local/content --output-format json --content vztmpl',
      'create /nodes/pve/storage/local/oci-registry-pull --output-format json --reference docker.io/library/nginx:1.27-alpine --filename proxmon-nginx-1.27-alpine',
      'get /nodes/pve/tasks/UPID:pve:001A2B01:0163F2A1:6A9B1C00:ocipull:local:root@pam:/status --output-format json',
      'create /nodes/pve/lxc --output-format json --vmid 105 --ostemplate local:vztmpl/proxmon-nginx-1.27-alpine.tar --hostname nginx --cores 1 --memory 256 --swap 0 --rootfs local-lvm:2 --net0 name=eth0,bridge=vmbr0,ip=dhcp --unprivileged 1 --tags proxmon-oci;oci-nginx --description OCI app NGINX (docker.io/library/nginx:1.27-alpine), deployed by proxmon',
      'get /nodes/pve/tasks/UPID:pve:001A2B02:0163F2A2:6A9B1C28:vzcreate:105:root@pam:/status --output-format json',
      'create /nodes/pve/lxc/105/status/start --output-format json',
      'get /nodes/pve/tasks/UPID:pve:001A2B03:0163F2A3:6A9B1C37:vzstart:105:root@pam:/status --output-format json',
    ]);
    expect(auditOf('oci_deploy')[0]).toEqual([
      '105',
      { app: 'nginx', image: 'docker.io/library/nginx:1.27-alpine', node: 'pve', deployment: d.id, env: [] },
    ]);
  });

  it('reuses a template already pulled and honours the overrides', async () => {
    const d = await deployed(
      await pve91.call('POST', '/api/oci/apps', {
        scopes: WRITE,
        body: {
          app: 'whoami',
          vmid: 140,
          hostname: 'probe',
          rootfs_storage: 'fast',
          bridge: 'vmbr1',
          memory_mb: 128,
          start: false,
        },
      }),
    );
    expect(d).toMatchObject({
      vmid: 140,
      state: 'done',
      tasks: ['UPID:pve:001A2B04:0163F2A4:6A9B1C5A:vzcreate:140:root@pam:'],
    });
    expect(pveshCalls().filter((c) => c.startsWith('create'))).toEqual([
      'create /nodes/pve/lxc --output-format json --vmid 140 --ostemplate local:vztmpl/proxmon-whoami-v1.10.3.tar --hostname probe --cores 1 --memory 128 --swap 0 --rootfs fast:1 --net0 name=eth0,bridge=vmbr1,ip=dhcp --unprivileged 1 --tags proxmon-oci;oci-whoami --description OCI app whoami (docker.io/traefik/whoami:v1.10.3), deployed by proxmon',
    ]);
    // The vmid asked for was checked against the cluster rather than taken from nextid.
    expect(pveshCalls()).toContain('get /cluster/resources --output-format json --type vm');
    expect(pveshCalls()).not.toContain('get /cluster/nextid --output-format json');
  });

  it('ends as failed at the step that failed, with the reason PVE gave', async () => {
    const d = await deployed(
      await pve91.call('POST', '/api/oci/apps', { scopes: WRITE, body: { app: 'adguardhome', vmid: 150 } }),
    );
    expect(d).toMatchObject({
      state: 'failed',
      step: 'pull',
      error: 'failed to pull image: registry answered 429 Too Many Requests',
      tasks: ['UPID:pve:001A2B05:0163F2A5:6A9B1C78:ocipull:local:root@pam:'],
    });
    expect(pveshCalls().some((c) => c.startsWith('create /nodes/pve/lxc'))).toBe(false);
    const list = await pve91.call('GET', '/api/oci/deployments', { scopes: READ });
    expect((list.body.deployments as Array<{ app: string }>).map((x) => x.app).slice(0, 3)).toEqual([
      'adguardhome',
      'whoami',
      'nginx',
    ]);
  });

  it('refuses bad deployments before creating anything', async () => {
    const cases: Array<[unknown, number, RegExp]> = [
      [{ app: 'nginx', vmid: 130 }, 409, /vmid 130 is already in use/],
      [{ app: 'nope' }, 400, /no app "nope" in the catalogue/],
      [{ app: 'whoami', env: { WHOAMI_NAME: 'x' } }, 409, /needs pve\.mode api/],
      [{ app: 'nginx', template_storage: 'local;rm' }, 400, /storage id/],
      [{ app: 'nginx', bridge: 'vmbr0,ip=1.2.3.4' }, 400, /bridge/],
      [{ app: 'nginx', hostname: '-bad-' }, 400, /host name/],
      [{ app: 'nginx', memory_mb: 1 }, 400, /memory_mb/],
      [{ app: 'nginx', env: { 'BAD-NAME': 'x' } }, 400, /body\.env\.BAD-NAME/],
      [{ app: 'nginx', image: 'evil/image:latest' }, 400, /body/],
      [{ app: 'nginx', vmid: 99 }, 400, /vmid/],
    ];
    for (const [body, status, message] of cases) {
      const r = await pve91.call('POST', '/api/oci/apps', { scopes: WRITE, body });
      expect([JSON.stringify(body), r.status]).toEqual([JSON.stringify(body), status]);
      expect((r.body.error as { message: string }).message).toMatch(message);
    }
    expect(pveshCalls().filter((c) => c.startsWith('create'))).toEqual([]);
  });

  it('answers every route 401 anonymous and 403 under-scoped, before calling PVE', async () => {
    expect(await scopeViolations(pve91, [router91])).toEqual([]);
    expect(pveshCalls()).toEqual([]);
  });

  it('needs the write scope to deploy, and the read scope to look', async () => {
    expect((await pve91.call('POST', '/api/oci/apps', { scopes: READ, body: { app: 'nginx' } })).status).toBe(
      403,
    );
    expect((await pve91.call('POST', '/api/oci/apps', { body: { app: 'nginx' } })).status).toBe(401);
    expect((await pve91.call('GET', '/api/oci/apps')).status).toBe(401);
    expect((await pve91.call('GET', '/api/oci/catalogue', { scopes: ['terminal'] })).status).toBe(403);
    expect(pveshCalls()).toEqual([]);
  });
});

describe('start, stop and remove on 9.1', () => {
  it('starts a stopped app and stops a running one, and audits both', async () => {
    const start = await pve91.call('POST', '/api/oci/apps/131/start', { scopes: WRITE });
    expect(start.status).toBe(202);
    expect(start.body).toEqual({
      vmid: 131,
      node: 'pve',
      action: 'start',
      upid: 'UPID:pve:001A2B06:0163F2A6:6A9B1CC8:vzstart:131:root@pam:',
    });
    const stop = await pve91.call('POST', '/api/oci/apps/130/stop', { scopes: WRITE });
    expect(stop.status).toBe(202);
    expect(pveshCalls().filter((c) => c.startsWith('create'))).toEqual([
      'create /nodes/pve/lxc/131/status/start --output-format json',
      'create /nodes/pve/lxc/130/status/stop --output-format json',
    ]);
    expect(auditOf('oci_start')[0]).toEqual(['131', { app: 'uptime-kuma', node: 'pve', ok: true }]);
    expect(auditOf('oci_stop')[0]).toEqual(['130', { app: 'whoami', node: 'pve', ok: true }]);
  });

  it('refuses impossible transitions and other containers without calling PVE to act', async () => {
    const cases: Array<[string, string, number]> = [
      ['POST', '/api/oci/apps/130/start', 409],
      ['POST', '/api/oci/apps/131/stop', 409],
      ['DELETE', '/api/oci/apps/130', 409],
      ['POST', '/api/oci/apps/120/start', 404],
      ['DELETE', '/api/oci/apps/211', 404],
      ['POST', '/api/oci/apps/abc/stop', 400],
    ];
    for (const [method, path, status] of cases) {
      const r = await pve91.call(method, path, { scopes: WRITE });
      expect([method, path, r.status]).toEqual([method, path, status]);
    }
    expect(pveshCalls().filter((c) => !c.startsWith('get'))).toEqual([]);
    expect((await pve91.call('POST', '/api/oci/apps/131/start', { scopes: READ })).status).toBe(403);
  });

  it('removes a stopped app with its disks', async () => {
    const r = await pve91.call('DELETE', '/api/oci/apps/132', { scopes: WRITE });
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({
      vmid: 132,
      action: 'remove',
      upid: expect.stringMatching(/:vzdestroy:132:/),
    });
    expect(pveshCalls().filter((c) => c.startsWith('delete'))).toEqual([
      'delete /nodes/pve/lxc/132 --output-format json --purge 1 --destroy-unreferenced-disks 1',
    ]);
    expect(auditOf('oci_remove')[0]).toEqual(['132', { app: 'retired-app', node: 'pve', ok: true }]);
  });
});
