import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { open, readFile } from 'node:fs/promises';
import { httpGetText, sleep } from './http-get.js';
import type { Endpoint } from './scrape.js';

export interface ServerSpec extends Endpoint {
  name: string;
  /** The server binary itself (not a wrapper), so the child's pid is the process we measure. */
  command: string;
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  /** stdout and stderr go here, read back when something fails. */
  logFile: string;
  /** Answers 200 once the server is ready. */
  readyPath: string;
  readyTimeoutMs: number;
}

export interface Server extends Endpoint {
  readonly name: string;
  readonly pid: number;
  /** Undefined while running, else how it ended. */
  exitStatus(): string | undefined;
  /** Resident set size from /proc/<pid>/status. */
  rssBytes(): Promise<number>;
  logTail(lines?: number): Promise<string>;
  /** SIGTERM to its process group, SIGKILL after a grace period. */
  stop(): Promise<void>;
}

const STOP_GRACE_MS = 3_000;

export async function startServer(spec: ServerSpec): Promise<Server> {
  const log = await open(spec.logFile, 'a');
  // detached: the server leads its own process group, so stop() reaches anything it started in that
  // group, and a Ctrl-C on the terminal reaches only the bench, which then shuts things down in order.
  const child = spawn(spec.command, [...spec.args], {
    detached: true,
    stdio: ['ignore', log.fd, log.fd],
    env: spec.env,
  });
  const spawned = once(child, 'spawn'); // rejects with the spawn error (ENOENT, EACCES)
  await log.close(); // the child holds its own copy of the descriptor
  try {
    await spawned;
  } catch (error) {
    throw new Error(`${spec.name}: could not start ${spec.command}: ${(error as Error).message}`);
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${spec.name}: started without a pid`);

  let exitStatus: string | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exitStatus = signal ? `killed by ${signal}` : `exited with code ${code}`;
      resolve();
    }),
  );
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      // the group is already gone
    }
  };

  const server: Server = {
    name: spec.name,
    host: spec.host,
    port: spec.port,
    pid,
    exitStatus: () => exitStatus,
    rssBytes: () => readRssBytes(pid),
    logTail: (lines = 20) => tail(spec.logFile, lines),
    async stop() {
      signalGroup('SIGTERM');
      const graceful = await Promise.race([exited.then(() => true), sleep(STOP_GRACE_MS).then(() => false)]);
      // Also after a clean exit: a child left in the group must not outlive the bench.
      signalGroup('SIGKILL');
      if (!graceful) await exited;
    },
  };

  try {
    await waitUntilReady(server, spec);
  } catch (error) {
    await server.stop();
    throw new Error(
      `${spec.name}: ${(error as Error).message}\n--- ${spec.logFile} (last lines) ---\n${await server.logTail()}`,
    );
  }
  return server;
}

async function waitUntilReady(server: Server, spec: ServerSpec): Promise<void> {
  const deadline = Date.now() + spec.readyTimeoutMs;
  let lastProblem = 'no answer yet';
  while (Date.now() < deadline) {
    const exitStatus = server.exitStatus();
    if (exitStatus) throw new Error(`${exitStatus} before it was ready`);
    try {
      const { status } = await httpGetText(server, spec.readyPath, 1_000);
      if (status === 200) return;
      lastProblem = `GET ${spec.readyPath} answered ${status}`;
    } catch (error) {
      lastProblem = (error as Error).message;
    }
    await sleep(100);
  }
  throw new Error(`not ready after ${spec.readyTimeoutMs} ms (${lastProblem})`);
}

async function readRssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!match?.[1]) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

async function tail(file: string, lines: number): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trimEnd().split('\n').slice(-lines).join('\n');
  } catch (error) {
    return `(could not read: ${(error as Error).message})`;
  }
}
