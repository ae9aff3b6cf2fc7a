import type { Logger } from 'pino';
import type { PveAccess, PveParams } from '../pve/index.js';
import { fail, ok, type Result } from '../sources/source.js';
import { templateName, type OciApp } from './catalogue.js';
import { mergeEnv, parseTaskStatus, taskSucceeded } from './pve.js';
import type { DeploymentStep, DeploymentStore } from './store.js';

/** Tags every deployed container carries: how proxmon tells its OCI apps from other containers. */
export const OCI_TAG = 'proxmon-oci';
export const appTag = (appId: string) => `oci-${appId}`;

const CALL_TIMEOUT_MS = 20_000;

export interface DeployPlan {
  app: OciApp;
  node: string;
  vmid: number;
  hostname: string;
  /** Storage holding container templates, where the image is pulled to. */
  templateStorage: string;
  rootfsStorage: string;
  bridge: string;
  cores: number;
  memoryMb: number;
  swapMb: number;
  diskGb: number;
  start: boolean;
  env: Readonly<Record<string, string>>;
}

export interface DeployRunnerDeps {
  pve: PveAccess;
  store: DeploymentStore;
  logger: Logger;
  /** Between task status polls (default 2 s). */
  pollMs?: number;
  /** How long one PVE task may run: an image pull can take minutes (default 20 min). */
  taskTimeoutMs?: number;
}

export const templateVolid = (plan: Pick<DeployPlan, 'app' | 'templateStorage'>) =>
  `${plan.templateStorage}:vztmpl/${templateName(plan.app)}.tar`;

/** The `create /nodes/{node}/lxc` parameters, in the order they are sent. */
export function createParams(plan: DeployPlan): PveParams {
  return {
    vmid: plan.vmid,
    ostemplate: templateVolid(plan),
    hostname: plan.hostname,
    cores: plan.cores,
    memory: plan.memoryMb,
    swap: plan.swapMb,
    rootfs: `${plan.rootfsStorage}:${plan.diskGb}`,
    net0: `name=eth0,bridge=${plan.bridge},ip=dhcp`,
    unprivileged: 1,
    tags: `${OCI_TAG};${appTag(plan.app.id)}`,
    description: `OCI app ${plan.app.name} (${plan.app.image}), deployed by proxmon`,
  };
}

const UPID = /^UPID:[A-Za-z0-9][A-Za-z0-9.-]*:[^/\s]+$/;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs one deployment to its end, recording each step and PVE task: pull the image into the template
 * storage (unless it is there already), create the container from it, set the environment, start it.
 * Errors end the deployment as `failed` with the reason; nothing throws out of here.
 */
export async function runDeployment(deps: DeployRunnerDeps, id: number, plan: DeployPlan): Promise<void> {
  const { pve, store } = deps;
  const pollMs = deps.pollMs ?? 2000;
  const taskTimeoutMs = deps.taskTimeoutMs ?? 20 * 60_000;
  const log = deps.logger.child({ module: 'oci', deployment: id, vmid: plan.vmid });
  const tasks: string[] = [];
  let step: DeploymentStep = 'pull';
  const at = (s: DeploymentStep) => {
    step = s;
    store.update(id, { step, tasks });
  };

  const waitTask = async (upid: string): Promise<Result<void>> => {
    const started = Date.now();
    const base = `/nodes/${plan.node}/tasks/${upid}`;
    for (;;) {
      const r = await pve.client.get(`${base}/status`, {}, { timeoutMs: CALL_TIMEOUT_MS });
      const s = r.ok ? parseTaskStatus(r.value) : r;
      if (!s.ok) return s;
      if (!s.value.running) {
        if (taskSucceeded(s.value)) return ok(undefined);
        const lines = await pve.client.get<unknown>(
          `${base}/log`,
          { start: 0, limit: 500 },
          { timeoutMs: CALL_TIMEOUT_MS },
        );
        const last = lines.ok && Array.isArray(lines.value) ? lastLine(lines.value) : undefined;
        const why = s.value.exitStatus ?? 'task failed';
        return fail('exit', last && last.replace(/^TASK ERROR:\s*/, '') !== why ? `${why} (${last})` : why);
      }
      if (Date.now() - started > taskTimeoutMs)
        return fail('timeout', `task ${upid} still running after ${taskTimeoutMs / 1000} s`);
      await sleep(pollMs);
    }
  };

  const runTask = async (path: string, params: PveParams): Promise<Result<void>> => {
    const r = await pve.client.post<unknown>(path, params, { timeoutMs: CALL_TIMEOUT_MS });
    if (!r.ok) return r;
    if (typeof r.value !== 'string' || !UPID.test(r.value))
      return fail('parse', `${path}: no task id in the reply`);
    tasks.push(r.value);
    store.update(id, { tasks });
    return waitTask(r.value);
  };

  const steps = async (): Promise<Result<void>> => {
    const volid = templateVolid(plan);
    const content = await pve.client.get<unknown>(
      `/nodes/${plan.node}/storage/${plan.templateStorage}/content`,
      { content: 'vztmpl' },
      { timeoutMs: CALL_TIMEOUT_MS },
    );
    if (!content.ok) return content;
    const have =
      Array.isArray(content.value) && content.value.some((c) => (c as { volid?: unknown })?.volid === volid);
    if (!have) {
      const pulled = await runTask(`/nodes/${plan.node}/storage/${plan.templateStorage}/oci-registry-pull`, {
        reference: plan.app.image,
        filename: templateName(plan.app),
      });
      if (!pulled.ok) return pulled;
    }

    at('create');
    const created = await runTask(`/nodes/${plan.node}/lxc`, createParams(plan));
    if (!created.ok) return created;

    if (Object.keys(plan.env).length > 0) {
      at('configure');
      const configPath = `/nodes/${plan.node}/lxc/${plan.vmid}/config`;
      const config = await pve.client.get<Record<string, unknown>>(
        configPath,
        {},
        { timeoutMs: CALL_TIMEOUT_MS },
      );
      if (!config.ok) return config;
      const set = await pve.client.put(
        configPath,
        { env: mergeEnv(config.value?.env, plan.env) },
        { timeoutMs: CALL_TIMEOUT_MS },
      );
      if (!set.ok) return set;
    }

    if (plan.start) {
      at('start');
      const started = await runTask(`/nodes/${plan.node}/lxc/${plan.vmid}/status/start`, {});
      if (!started.ok) return started;
    }
    return ok(undefined);
  };

  try {
    const r = await steps();
    if (r.ok) {
      store.update(id, { state: 'done', step: 'done', tasks });
      log.info({ app: plan.app.id }, 'OCI app deployed');
    } else {
      store.update(id, { state: 'failed', step, error: r.error.message, tasks });
      log.warn({ app: plan.app.id, step, err: r.error.message }, 'OCI app deployment failed');
    }
  } catch (err) {
    store.update(id, { state: 'failed', step, error: (err as Error).message, tasks });
    log.error({ err, step }, 'OCI app deployment failed');
  }
}

function lastLine(rows: unknown[]): string | undefined {
  for (let i = rows.length - 1; i >= 0; i--) {
    const t = (rows[i] as { t?: unknown })?.t;
    if (typeof t === 'string' && t.trim() !== '' && t.trim() !== 'TASK OK') return t.trim().slice(0, 300);
  }
  return undefined;
}
