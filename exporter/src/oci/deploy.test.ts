import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPveAccess, type PveClient, type PveParams } from '../pve/index.js';
import { fail, ok, type Result } from '../sources/source.js';
import { openStore } from '../store/db.js';
import { migrations } from '../store/migrations.js';
import { silentLogger } from '../test-support/tools.js';
import { loadCatalogue } from './catalogue.js';
import { runDeployment, type DeployPlan } from './deploy.js';
import { DeploymentStore } from './store.js';

type Reply = Result<unknown> | ((params: PveParams) => Result<unknown>);

/** An API-mode client answering from a table, recording every call (the env step needs PUT with a NUL list). */
function fakeApi(routes: Record<string, Reply>) {
  const calls: Array<[string, string, PveParams]> = [];
  const answer = (verb: string, path: string, params: PveParams = {}) => {
    calls.push([verb, path, params]);
    const r = routes[`${verb} ${path}`];
    const value = typeof r === 'function' ? r(params) : r;
    return Promise.resolve(value ?? fail('exit', `404 no route ${verb} ${path}`));
  };
  const client = {
    mode: 'api' as const,
    get: (p: string, q?: PveParams) => answer('GET', p, q),
    post: (p: string, b?: PveParams) => answer('POST', p, b),
    put: (p: string, b?: PveParams) => answer('PUT', p, b),
    close() {},
  } as PveClient;
  return { client, calls };
}

const app = loadCatalogue().apps.find((a) => a.id === 'uptime-kuma')!;
const plan: DeployPlan = {
  app,
  node: 'pve',
  vmid: 160,
  hostname: 'kuma',
  templateStorage: 'local',
  rootfsStorage: 'local-lvm',
  bridge: 'vmbr0',
  cores: 1,
  memoryMb: 512,
  swapMb: 256,
  diskGb: 4,
  start: false,
  env: { TZ: 'Europe/Madrid' },
};
const PULL = 'UPID:pve:00000001:00000002:00000003:ocipull:local:root@pam:';
const CREATE = 'UPID:pve:00000004:00000005:00000006:vzcreate:160:root@pam:';

function setup(routes: Record<string, Reply>) {
  const db = openStore(mkdtempSync(join(tmpdir(), 'proxmon-oci-deploy-')), migrations);
  const store = new DeploymentStore(db);
  const api = fakeApi(routes);
  const pve = createPveAccess({ client: api.client, hostname: 'pve' });
  const d = store.create({ appId: app.id, vmid: plan.vmid, node: 'pve', actor: 'admin' });
  return {
    db,
    store,
    api,
    id: d.id,
    deps: { pve, store, logger: silentLogger(), pollMs: 1, taskTimeoutMs: 200 },
  };
}

describe('runDeployment', () => {
  it("merges the requested variables into the image's environment after creating the container", async () => {
    let running = 2;
    const { store, api, id, deps, db } = setup({
      'GET /nodes/pve/storage/local/content': ok([]),
      'POST /nodes/pve/storage/local/oci-registry-pull': ok(PULL),
      // The pull runs for two polls first.
      [`GET /nodes/pve/tasks/${PULL}/status`]: () =>
        ok(running-- > 0 ? { status: 'running' } : { status: 'stopped', exitstatus: 'OK' }),
      'POST /nodes/pve/lxc': ok(CREATE),
      [`GET /nodes/pve/tasks/${CREATE}/status`]: ok({ status: 'stopped', exitstatus: 'OK' }),
      'GET /nodes/pve/lxc/160/config': ok({ env: 'PATH=/usr/local/bin:/usr/bin\0NODE_ENV=production' }),
      'PUT /nodes/pve/lxc/160/config': ok(null),
    });
    await runDeployment(deps, id, plan);
    expect(store.get(id)).toMatchObject({ state: 'done', step: 'done', error: null, tasks: [PULL, CREATE] });
    expect(api.calls.map(([v, p]) => `${v} ${p}`)).toEqual([
      'GET /nodes/pve/storage/local/content',
      'POST /nodes/pve/storage/local/oci-registry-pull',
      `GET /nodes/pve/tasks/${PULL}/status`,
      `GET /nodes/pve/tasks/${PULL}/status`,
      `GET /nodes/pve/tasks/${PULL}/status`,
      'POST /nodes/pve/lxc',
      `GET /nodes/pve/tasks/${CREATE}/status`,
      'GET /nodes/pve/lxc/160/config',
      'PUT /nodes/pve/lxc/160/config',
    ]);
    expect(api.calls.at(-1)![2]).toEqual({
      env: 'PATH=/usr/local/bin:/usr/bin\0NODE_ENV=production\0TZ=Europe/Madrid',
    });
    db.close();
  });

  it('gives up on a task that outlives its deadline, at that step', async () => {
    const { store, id, deps, db } = setup({
      'GET /nodes/pve/storage/local/content': ok([{ volid: 'local:vztmpl/proxmon-uptime-kuma-1.23.16.tar' }]),
      'POST /nodes/pve/lxc': ok(CREATE),
      [`GET /nodes/pve/tasks/${CREATE}/status`]: ok({ status: 'running' }),
    });
    await runDeployment(deps, id, plan);
    expect(store.get(id)).toMatchObject({
      state: 'failed',
      step: 'create',
      error: `task ${CREATE} still running after 0.2 s`,
      tasks: [CREATE],
    });
    db.close();
  });

  it('fails cleanly on a reply that is not a task id, or PVE refusing', async () => {
    const a = setup({
      'GET /nodes/pve/storage/local/content': ok([]),
      'POST /nodes/pve/storage/local/oci-registry-pull': ok({}),
    });
    await runDeployment(a.deps, a.id, plan);
    expect(a.store.get(a.id)).toMatchObject({
      state: 'failed',
      step: 'pull',
      error: '/nodes/pve/storage/local/oci-registry-pull: no task id in the reply',
    });
    a.db.close();
    const b = setup({
      'GET /nodes/pve/storage/local/content': fail(
        'exit',
        '403 Permission check failed (/storage/local, Datastore.Audit)',
      ),
    });
    await runDeployment(b.deps, b.id, plan);
    expect(b.store.get(b.id)).toMatchObject({
      state: 'failed',
      step: 'pull',
      error: '403 Permission check failed (/storage/local, Datastore.Audit)',
    });
    b.db.close();
  });
});
