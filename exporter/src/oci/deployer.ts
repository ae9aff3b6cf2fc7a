import type { Logger } from 'pino';
import type { PveAccess } from '../pve/index.js';
import { runDeployment, type DeployPlan } from './deploy.js';
import type { Deployment, DeploymentStore } from './store.js';

export interface OciDeployerDeps {
  pve: PveAccess;
  store: DeploymentStore;
  logger: Logger;
  pollMs?: number;
  taskTimeoutMs?: number;
}

/** Runs deployments in the background: an image pull outlives any HTTP request. */
export interface OciDeployer {
  /** Records the deployment and starts it; the caller gets it at once, in state `running`. */
  start(plan: DeployPlan, actor: string | null): Deployment;
  /** A deployment for this vmid is still running. */
  busy(vmid: number): boolean;
  /** Resolves when every running deployment has finished (tests, shutdown). */
  idle(): Promise<void>;
}

export function createOciDeployer(deps: OciDeployerDeps): OciDeployer {
  const running = new Map<number, Promise<void>>();
  const interrupted = deps.store.failInterrupted();
  if (interrupted > 0)
    deps.logger.warn({ module: 'oci', interrupted }, 'OCI deployments cut off by a restart marked failed');
  return {
    start(plan, actor) {
      const d = deps.store.create({ appId: plan.app.id, vmid: plan.vmid, node: plan.node, actor });
      const job = runDeployment(deps, d.id, plan)
        // Only a store gone away (shutdown mid-deployment) gets here; the next start marks it failed.
        .catch((err: unknown) =>
          deps.logger.warn({ module: 'oci', err, deployment: d.id }, 'OCI deployment cut off'),
        )
        .finally(() => running.delete(plan.vmid));
      running.set(plan.vmid, job);
      return d;
    },
    busy: (vmid) => running.has(vmid),
    async idle() {
      while (running.size > 0) await Promise.all(running.values());
    },
  };
}
