import type { Db } from '../store/db.js';

/** Schema for OCI app deployments; for the lead to append to store/migrations.ts as one new entry. */
export const OCI_SCHEMA = `CREATE TABLE oci_deployments (
     id INTEGER PRIMARY KEY,
     app_id TEXT NOT NULL,
     vmid INTEGER NOT NULL,
     node TEXT NOT NULL,
     state TEXT NOT NULL CHECK (state IN ('running', 'done', 'failed')),
     step TEXT NOT NULL,            -- pull, create, configure, start, done
     error TEXT,
     tasks TEXT NOT NULL,           -- JSON array of the PVE task UPIDs, in order
     actor TEXT,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL
   ) STRICT;
   CREATE INDEX oci_deployments_vmid ON oci_deployments (vmid);`;

export type DeploymentState = 'running' | 'done' | 'failed';
export type DeploymentStep = 'pull' | 'create' | 'configure' | 'start' | 'done';

export interface Deployment {
  id: number;
  appId: string;
  vmid: number;
  node: string;
  state: DeploymentState;
  step: DeploymentStep;
  error: string | null;
  tasks: string[];
  actor: string | null;
  createdAt: number;
  updatedAt: number;
}

interface Row {
  id: number;
  app_id: string;
  vmid: number;
  node: string;
  state: string;
  step: string;
  error: string | null;
  tasks: string;
  actor: string | null;
  created_at: number;
  updated_at: number;
}

function tasksOf(text: string): string[] {
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) ? v.filter((t): t is string => typeof t === 'string') : [];
  } catch {
    return [];
  }
}

const toDeployment = (r: Row): Deployment => ({
  id: r.id,
  appId: r.app_id,
  vmid: r.vmid,
  node: r.node,
  state: r.state as DeploymentState,
  step: r.step as DeploymentStep,
  error: r.error,
  tasks: tasksOf(r.tasks),
  actor: r.actor,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** Deployments kept; older finished ones are dropped as new ones start. */
export const DEPLOYMENTS_KEPT = 200;

export class DeploymentStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  create(d: Pick<Deployment, 'appId' | 'vmid' | 'node' | 'actor'>): Deployment {
    const at = this.now();
    const id = this.db.transaction(() => {
      const { lastInsertRowid } = this.db
        .prepare(
          `INSERT INTO oci_deployments (app_id, vmid, node, state, step, error, tasks, actor, created_at, updated_at)
           VALUES (?, ?, ?, 'running', 'pull', NULL, '[]', ?, ?, ?)`,
        )
        .run(d.appId, d.vmid, d.node, d.actor, at, at);
      this.db
        .prepare(
          `DELETE FROM oci_deployments WHERE state != 'running' AND id NOT IN
             (SELECT id FROM oci_deployments ORDER BY id DESC LIMIT ?)`,
        )
        .run(DEPLOYMENTS_KEPT);
      return Number(lastInsertRowid);
    })();
    return this.get(id)!;
  }

  get(id: number): Deployment | undefined {
    const row = this.db.prepare('SELECT * FROM oci_deployments WHERE id = ?').get(id) as Row | undefined;
    return row && toDeployment(row);
  }

  /** Newest first. */
  list(limit: number): Deployment[] {
    return (
      this.db.prepare('SELECT * FROM oci_deployments ORDER BY id DESC LIMIT ?').all(limit) as Row[]
    ).map(toDeployment);
  }

  update(id: number, patch: Partial<Pick<Deployment, 'state' | 'step' | 'error' | 'tasks'>>): void {
    const d = this.get(id);
    if (!d) return;
    const next = { ...d, ...patch };
    this.db
      .prepare(
        'UPDATE oci_deployments SET state = ?, step = ?, error = ?, tasks = ?, updated_at = ? WHERE id = ?',
      )
      .run(next.state, next.step, next.error, JSON.stringify(next.tasks), this.now(), id);
  }

  /** At start-up: a deployment still `running` was cut off by a restart and will not finish. */
  failInterrupted(): number {
    return this.db
      .prepare(
        `UPDATE oci_deployments SET state = 'failed', error = 'proxmon restarted before the deployment finished',
           updated_at = ? WHERE state = 'running'`,
      )
      .run(this.now()).changes;
  }
}
