import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../store/db.js';
import { migrations } from '../store/migrations.js';
import { silentLogger } from '../test-support/tools.js';
import { createOciDeployer } from './deployer.js';
import { DEPLOYMENTS_KEPT, DeploymentStore } from './store.js';
import type { PveAccess } from '../pve/index.js';

describe('DeploymentStore', () => {
  it('marks deployments a restart cut off as failed, and keeps a bounded history', () => {
    const dir = mkdtempSync(join(tmpdir(), 'proxmon-oci-store-'));
    const db = openStore(dir, migrations);
    let t = 0;
    const store = new DeploymentStore(db, () => ++t);
    const a = store.create({ appId: 'nginx', vmid: 105, node: 'pve', actor: 'admin' });
    store.update(a.id, { step: 'create', tasks: ['UPID:pve:1:2:3:vzcreate:105:root@pam:'] });
    for (let i = 0; i < DEPLOYMENTS_KEPT + 3; i++) {
      const d = store.create({ appId: 'whoami', vmid: 200 + i, node: 'pve', actor: null });
      store.update(d.id, { state: 'done', step: 'done' });
    }
    // The running one survives the pruning; finished ones beyond the limit go.
    expect(store.get(a.id)).toMatchObject({
      state: 'running',
      step: 'create',
      tasks: ['UPID:pve:1:2:3:vzcreate:105:root@pam:'],
    });
    expect(store.list(1000).length).toBeLessThanOrEqual(DEPLOYMENTS_KEPT + 1);

    // A new deployer at start-up (proxmon restarted) fails what was left running.
    createOciDeployer({ pve: {} as PveAccess, store, logger: silentLogger() });
    expect(store.get(a.id)).toMatchObject({
      state: 'failed',
      step: 'create',
      error: 'proxmon restarted before the deployment finished',
    });
    db.close();
  });
});
