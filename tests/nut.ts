import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

/**
 * A real NUT `upsd` serving `dummy-ups` drivers on 127.0.0.1, with every path in a temp folder
 * (environment-probe.md 3b): NUT_CONFPATH/NUT_STATEPATH/NUT_ALTPIDPATH redirect the config and
 * sockets, and the daemons are called from /lib/nut directly because the /usr/sbin wrappers read
 * /etc/nut/nut.conf (MODE=none) and refuse to start. Needs Debian's `nut-server` package.
 */
export const NUT_BIN = '/lib/nut';
export const UPSD = join(NUT_BIN, 'upsd');
export const DUMMY_UPS = join(NUT_BIN, 'dummy-ups');

export interface DummyUps {
  name: string;
  /** The device dump dummy-ups serves (`var: value` lines, as in networkupstools/nut-ddl). */
  dev: string;
  /** dummy-loop re-reads the file about every 2 s, so edits show up; dummy-once reads it once. */
  mode?: 'dummy-loop' | 'dummy-once';
  desc?: string;
}

export interface NutOptions {
  /** upsd's MAXAGE: seconds without driver updates before a UPS reads as DATA-STALE (default 15). */
  maxAgeSeconds?: number;
  /** Extra upsd.users text. A `monuser`/`secret` and an `admin`/`adminpw` (SET) are always there. */
  users?: string;
}

export interface NutServer {
  host: string;
  port: number;
  dir: string;
  /** The .dev file a UPS's driver reads: rewrite it to change what the UPS reports. */
  devPath(ups: string): string;
  /** Stops (SIGSTOP) or resumes (SIGCONT) one driver, so upsd stops getting updates from it. */
  pauseDriver(ups: string): void;
  resumeDriver(ups: string): void;
  /** Kills one driver for good (upsd then answers DRIVER-NOT-CONNECTED for it). */
  killDriver(ups: string): Promise<void>;
  logs(): string;
  stop(): Promise<void>;
}

export function nutInstalled(): boolean {
  return existsSync(UPSD) && existsSync(DUMMY_UPS);
}

export async function startNut(upses: readonly DummyUps[], options: NutOptions = {}): Promise<NutServer> {
  if (!nutInstalled()) throw new Error(`${UPSD} or ${DUMMY_UPS} missing: apt-get install nut-server`);
  let lastError: unknown;
  // The free port is found by binding and releasing it, so another process can take it meanwhile.
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(upses, options, await freePort());
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError;
}

async function startOnce(upses: readonly DummyUps[], options: NutOptions, port: number): Promise<NutServer> {
  const dir = mkdtempSync(join(tmpdir(), 'proxmon-nut-'));
  const etc = join(dir, 'etc');
  const state = join(dir, 'state');
  mkdirSync(etc);
  mkdirSync(state);
  chmodSync(state, 0o770);
  const devPath = (ups: string) => join(etc, `${ups}.dev`);

  const write = (file: string, text: string) => {
    writeFileSync(join(etc, file), text);
    chmodSync(join(etc, file), 0o640);
  };
  write('nut.conf', 'MODE=standalone\n');
  write(
    'upsd.conf',
    `LISTEN 127.0.0.1 ${port}\n${options.maxAgeSeconds ? `MAXAGE ${options.maxAgeSeconds}\n` : ''}`,
  );
  write(
    'ups.conf',
    ['maxretry = 3', '']
      .concat(
        upses.flatMap((u) => [
          `[${u.name}]`,
          '  driver = dummy-ups',
          `  port = ${devPath(u.name)}`,
          `  mode = ${u.mode ?? 'dummy-loop'}`,
          `  desc = "${(u.desc ?? `proxmon test UPS ${u.name}`).replace(/[\\"]/g, '\\$&')}"`,
        ]),
      )
      .join('\n') + '\n',
  );
  write(
    'upsd.users',
    '[monuser]\n  password = secret\n  upsmon primary\n' +
      '[admin]\n  password = adminpw\n  actions = SET\n  instcmds = ALL\n' +
      (options.users ?? ''),
  );
  for (const u of upses) write(`${u.name}.dev`, u.dev);

  const env = { ...process.env, NUT_CONFPATH: etc, NUT_STATEPATH: state, NUT_ALTPIDPATH: state };
  const user = userInfo().username;
  let log = '';
  const start = (command: string, args: string[]) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const tag = `[${args[1] ?? 'upsd'}] `;
    child.stdout?.on('data', (d: Buffer) => (log += tag + d.toString()));
    child.stderr?.on('data', (d: Buffer) => (log += tag + d.toString()));
    return child;
  };

  const drivers = new Map<string, ChildProcess>();
  for (const u of upses) drivers.set(u.name, start(DUMMY_UPS, ['-a', u.name, '-u', user, '-F']));
  const upsd = start(UPSD, ['-u', user, '-F']);
  const children = (): ChildProcess[] => [upsd, ...drivers.values()];

  const server: NutServer = {
    host: '127.0.0.1',
    port,
    dir,
    devPath,
    pauseDriver: (ups) => driverOf(ups).kill('SIGSTOP'),
    resumeDriver: (ups) => driverOf(ups).kill('SIGCONT'),
    killDriver: async (ups) => {
      const d = driverOf(ups);
      d.kill('SIGCONT');
      await stopChild(d);
    },
    logs: () => log,
    stop: async () => {
      await Promise.all(children().map(stopChild));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  function driverOf(ups: string): ChildProcess {
    const d = drivers.get(ups);
    if (!d) throw new Error(`no dummy UPS ${ups}`);
    return d;
  }

  try {
    await waitReady(port, upses, () => children().find((c) => c.exitCode !== null));
  } catch (err) {
    await server.stop();
    throw new Error(`${(err as Error).message}\n${log}`);
  }
  return server;
}

/**
 * Until upsd answers and every UPS has data: drivers connect to upsd a moment after it starts, and
 * dummy-ups reports `ups.status "WAIT"` until it has read its file.
 */
async function waitReady(port: number, upses: readonly DummyUps[], exited: () => ChildProcess | undefined) {
  const deadline = Date.now() + 15_000;
  const commands = upses.map((u) => `GET VAR ${u.name} ups.status`);
  for (;;) {
    const dead = exited();
    if (dead) throw new Error(`NUT daemon exited early (${dead.spawnfile} exit ${dead.exitCode})`);
    const reply = await talk(port, commands).catch(() => '');
    const lines = reply.split('\n').filter((l) => l !== '');
    if (lines.length === commands.length && lines.every((l) => l.startsWith('VAR ') && !l.endsWith('"WAIT"')))
      return;
    if (Date.now() > deadline) throw new Error(`NUT never became ready: ${reply}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Sends protocol lines and returns everything upsd wrote back until LOGOUT closed the connection. */
export function talk(port: number, commands: readonly string[], timeoutMs = 3000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no reply from upsd within ${timeoutMs} ms: ${text}`));
    }, timeoutMs);
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (text += d));
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      // Drop LOGOUT's own "OK Goodbye" so callers see the replies to their commands only.
      resolve(text.replace(/OK Goodbye\n$/, ''));
    });
    socket.on('connect', () => socket.write([...commands, 'LOGOUT'].map((c) => `${c}\n`).join('')));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 2000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    // A paused driver would not see SIGTERM until resumed.
    child.kill('SIGCONT');
    child.kill('SIGTERM');
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}
