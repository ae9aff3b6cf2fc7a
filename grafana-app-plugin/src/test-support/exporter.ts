import { spawn, spawnSync, type ChildProcess } from 'child_process';
import { existsSync, mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import path from 'path';

/** The repository root and the exporter's built CLI (scripts/test.sh builds it before the plugin tests). */
export const repoRoot = path.resolve(__dirname, '..', '..', '..');
export const exporterCli = path.join(repoRoot, 'exporter', 'dist', 'cli.js');

export interface TestExporter {
  url: string;
  /** `read` scope, what the Viewer routes send. */
  readToken: string;
  /** `read write admin terminal`, what the Admin routes send. */
  adminToken: string;
  dataDir: string;
  pid: number;
  output: () => string;
  stop: () => Promise<void>;
}

export const ADMIN_SCOPES = ['read', 'write', 'admin', 'terminal'] as const;

/** The environment proxmon runs with in tests: none of the caller's PROXMON_*, loopback only. */
function exporterEnv(dataDir: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PROXMON_')));
  return {
    ...base,
    PROXMON_DATA_DIR: dataDir,
    PROXMON_HOST: '127.0.0.1',
    PROXMON_PORT: '0',
    PROXMON_LATENCY_TARGETS: '127.0.0.1',
    ...extra,
  };
}

/** Runs an admin command of the CLI against the data dir, as root on the host would. */
function admin(dataDir: string, args: string[], input = ''): string {
  const r = spawnSync(process.execPath, [exporterCli, ...args], {
    env: { ...exporterEnv(dataDir, {}), PROXMON_LOG_LEVEL: 'silent' },
    input,
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    throw new Error(`proxmon ${args.join(' ')} failed (${r.status}): ${r.stdout}${r.stderr}`);
  }
  return r.stdout.trim();
}

/**
 * Starts the built exporter on a free loopback port with a fresh data dir, an admin user, and a read
 * and an admin token made by the CLI (`user add`, `token create`) before it starts.
 */
export async function startExporter(env: Record<string, string> = {}): Promise<TestExporter> {
  if (!existsSync(exporterCli)) {
    throw new Error(
      `${exporterCli} is missing: build the exporter first (npm run build at the repository root)`,
    );
  }
  const dataDir = mkdtempSync(path.join(tmpdir(), 'proxmon-plugin-test-'));
  admin(dataDir, ['user', 'add', 'admin', '--role', 'admin'], 'plugin test password\n');
  const readToken = admin(dataDir, ['token', 'create', '--name', 'grafana-read', '--scope', 'read']);
  const adminToken = admin(dataDir, [
    'token',
    'create',
    '--name',
    'grafana-admin',
    '--scope',
    ...ADMIN_SCOPES,
  ]);

  const child: ChildProcess = spawn(process.execPath, [exporterCli], {
    env: exporterEnv(dataDir, env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (d: Buffer) => {
    // Only the tail matters for diagnostics; a long run must not grow this without bound.
    out = (out + d.toString()).slice(-200_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const deadline = Date.now() + 60_000;
  let port: string | undefined;
  while (!port) {
    port = /"port":(\d+)[^\n]*"msg":"proxmon listening"/.exec(out)?.[1];
    if (port) {
      break;
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`proxmon did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }

  return {
    url: `http://127.0.0.1:${port}`,
    readToken,
    adminToken,
    dataDir,
    pid: child.pid ?? 0,
    output: () => out,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** What globalSetup hands to the test workers (through the environment, which they inherit). */
export const ENV = {
  url: 'PROXMON_PLUGIN_TEST_URL',
  readToken: 'PROXMON_PLUGIN_TEST_READ_TOKEN',
  adminToken: 'PROXMON_PLUGIN_TEST_ADMIN_TOKEN',
} as const;

/** The exporter globalSetup started for this run. */
export function sharedExporter(): Pick<TestExporter, 'url' | 'readToken' | 'adminToken'> {
  const url = process.env[ENV.url];
  const readToken = process.env[ENV.readToken];
  const adminToken = process.env[ENV.adminToken];
  if (!url || !readToken || !adminToken) {
    throw new Error(
      'no test exporter: run the tests through jest (jest.config.js starts one in globalSetup)',
    );
  }
  return { url, readToken, adminToken };
}
