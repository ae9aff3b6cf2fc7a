import { spawn, type ChildProcess } from 'node:child_process';
import { createServer as createHttpServer, type IncomingHttpHeaders } from 'node:http';
import { createServer } from 'node:net';

/** A long-running test daemon (Prometheus, Alertmanager) with its output kept for failure messages. */
export interface Daemon {
  url: string;
  logs(): string;
  stop(): Promise<void>;
}

/** A port free right now (bound and released; the daemon start retries when another takes it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Starts `command` listening on a free port (`args(port)`), and resolves once `GET <url>/-/ready`
 * answers 200 — the readiness endpoint Prometheus and Alertmanager share.
 */
export async function startDaemon(command: string, args: (port: number) => string[]): Promise<Daemon> {
  let last = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = spawn(command, args(port), { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    const url = `http://127.0.0.1:${port}`;
    const daemon: Daemon = { url, logs: () => log, stop: () => stopChild(child) };
    const deadline = Date.now() + 20_000;
    while (child.exitCode === null && Date.now() < deadline) {
      const ready = await fetch(`${url}/-/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ready) return daemon;
      await new Promise((r) => setTimeout(r, 100));
    }
    last = log;
    await daemon.stop();
  }
  throw new Error(`${command} did not become ready:\n${last}`);
}

export interface Recorded {
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

/** A local HTTP endpoint that answers 200 to every POST and keeps what it got. */
export interface Recorder {
  url: string;
  received: Recorded[];
  close(): Promise<void>;
}

export function startRecorder(): Promise<Recorder> {
  const received: Recorded[] = [];
  const server = createHttpServer((req, res) => {
    let text = '';
    req.on('data', (d: Buffer) => (text += d.toString()));
    req.on('end', () => {
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // kept as text
      }
      received.push({ path: req.url ?? '', headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolve({
        url: `http://127.0.0.1:${port}`,
        received,
        close: () => new Promise((r) => server.close(() => r())),
      });
    });
  });
}

/** Polls `check` until it returns a value (not undefined) or the deadline passes; then throws `explain()`. */
export async function waitFor<T>(
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  explain: () => string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(explain());
    await new Promise((r) => setTimeout(r, 250));
  }
}
