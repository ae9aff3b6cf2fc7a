import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { access, constants } from 'node:fs/promises';
import { join } from 'node:path';
import { startServer, type Server } from './server.js';

const BINARY = '/usr/bin/prometheus-node-exporter';
const PACKAGE = 'prometheus-node-exporter';

/** Debian's node_exporter is the yardstick; install it when missing and we may. */
export async function ensureNodeExporter(): Promise<string> {
  if (await isExecutable(BINARY)) return BINARY;
  if (process.getuid?.() !== 0) {
    throw new Error(
      `${BINARY} is missing and the bench is not running as root, so it cannot install it.\n` +
        `Install it first: sudo apt-get install -y --no-install-recommends ${PACKAGE}`,
    );
  }
  process.stderr.write(`${BINARY} is missing; installing ${PACKAGE}…\n`);
  if ((await run('apt-cache', ['show', PACKAGE], 'ignore')) !== 0) {
    await mustRun('apt-get', ['update']);
  }
  await mustRun('apt-get', ['install', '-y', '--no-install-recommends', PACKAGE]);
  if (!(await isExecutable(BINARY))) throw new Error(`${PACKAGE} installed, but ${BINARY} is still missing`);
  return BINARY;
}

export function startNodeExporter(options: {
  binary: string;
  host: string;
  port: number;
  workDir: string;
  env: NodeJS.ProcessEnv;
}): Promise<Server> {
  return startServer({
    name: 'node_exporter',
    command: options.binary,
    args: [`--web.listen-address=${options.host}:${options.port}`],
    env: options.env,
    host: options.host,
    port: options.port,
    logFile: join(options.workDir, 'node_exporter.log'),
    readyPath: '/metrics',
    readyTimeoutMs: 15_000,
  });
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** apt's progress goes to stderr so that stdout stays the report. */
async function run(command: string, args: string[], output: 'stderr' | 'ignore' = 'stderr'): Promise<number> {
  const child = spawn(command, args, {
    stdio: ['ignore', output === 'stderr' ? 2 : 'ignore', output === 'stderr' ? 2 : 'ignore'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  const [code] = (await once(child, 'close')) as [number | null];
  return code ?? -1;
}

async function mustRun(command: string, args: string[]): Promise<void> {
  const code = await run(command, args);
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${code})`);
}
