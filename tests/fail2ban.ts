import { spawn, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseJailStatus, type JailStatus } from '../exporter/src/auth/fail2ban.js';
import { createExec } from '../exporter/src/sources/exec.js';
import { root } from './support.js';

/**
 * A real fail2ban-server (Debian's `fail2ban` package) with every path in a temp folder
 * (environment-probe.md 3c): its own fail2ban.conf (socket, pid file, database, log), a jail.conf
 * with nothing but defaults (the `dummy` action, so no firewall is touched), and the filter and jail
 * copied from deploy/fail2ban, so the files we ship are the ones tested. Only the jail's logpath is
 * rewritten, to `logFile`.
 */
export const SHIPPED = join(root, 'deploy/fail2ban');
export const DUMMY_ACTION = '/etc/fail2ban/action.d/dummy.conf';

export interface Fail2banServer {
  /** Pass to `fail2ban-client -s` (and proxmon's auth.fail2ban_socket). */
  socket: string;
  confDir: string;
  /** `fail2ban-client -s <socket> <args>` */
  client(args: string[]): Promise<{ stdout: string; stderr: string; exitCode: number }>;
  /** The jail's parsed status; throws when fail2ban cannot give it. */
  status(jail: string): Promise<JailStatus>;
  /** fail2ban's own log (Found/Ban/Unban lines). */
  logs(): string;
  stop(): Promise<void>;
}

export function fail2banInstalled(): boolean {
  return spawnSync('fail2ban-server', ['--version']).status === 0 && existsSync(DUMMY_ACTION);
}

export async function startFail2ban({ logFile }: { logFile: string }): Promise<Fail2banServer> {
  if (!fail2banInstalled())
    throw new Error('fail2ban-server or its dummy action missing: apt-get install fail2ban');
  const dir = mkdtempSync(join(tmpdir(), 'proxmon-f2b-'));
  const confDir = join(dir, 'etc');
  const run = join(dir, 'run');
  for (const sub of ['action.d', 'filter.d', 'jail.d']) mkdirSync(join(confDir, sub), { recursive: true });
  mkdirSync(run);
  const socket = join(run, 'fail2ban.sock');
  const fail2banLog = join(dir, 'fail2ban.log');

  writeFileSync(
    join(confDir, 'fail2ban.conf'),
    [
      '[Definition]',
      'loglevel = INFO',
      `logtarget = ${fail2banLog}`,
      'syslogsocket = auto',
      `socket = ${socket}`,
      `pidfile = ${join(run, 'fail2ban.pid')}`,
      `dbfile = ${join(dir, 'fail2ban.sqlite3')}`,
      'dbpurgeage = 1d',
      'allowipv6 = auto',
      '',
    ].join('\n'),
  );
  // No paths-*.conf and no system jail.d: only the shipped jail runs.
  writeFileSync(
    join(confDir, 'jail.conf'),
    [
      '[DEFAULT]',
      'backend = polling',
      'banaction = dummy',
      `action = %(banaction)s[target=${join(run, 'fail2ban.dummy')}]`,
      '',
    ].join('\n'),
  );
  copyFileSync(DUMMY_ACTION, join(confDir, 'action.d/dummy.conf'));
  copyFileSync(join(SHIPPED, 'filter.d/proxmon.conf'), join(confDir, 'filter.d/proxmon.conf'));
  const jail = readFileSync(join(SHIPPED, 'jail.d/proxmon.conf'), 'utf8');
  const rewritten = jail.replace(/^logpath\s*=.*$/m, `logpath  = ${logFile}`);
  if (rewritten === jail) throw new Error('deploy/fail2ban/jail.d/proxmon.conf has no logpath line');
  writeFileSync(join(confDir, 'jail.d/proxmon.conf'), rewritten);
  // fail2ban will not start a jail whose log file does not exist yet.
  if (!existsSync(logFile)) writeFileSync(logFile, '', { mode: 0o640 });

  // detached: the server leads its own process group, so stop() reaches every thread and child.
  const child = spawn('fail2ban-server', ['-c', confDir, '-f', '-x'], {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const exec = createExec();
  const client: Fail2banServer['client'] = async (args) => {
    const r = await exec('fail2ban-client', ['-s', socket, ...args], { timeoutMs: 10_000 });
    if (!r.ok) throw new Error(`fail2ban-client ${args.join(' ')}: ${r.error.message}`);
    return r.value;
  };
  const logs = () => (existsSync(fail2banLog) ? readFileSync(fail2banLog, 'utf8') : '');
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      killGroup(child.pid, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child.pid!, 'SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  // Ready once the jail answers; the server logs to its file, so a failed start shows there.
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (existsSync(socket) && (await client(['status', 'proxmon'])).exitCode === 0) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      const why = `fail2ban-server did not start:\n${stderr}\n${logs()}`;
      await stop();
      throw new Error(why);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    socket,
    confDir,
    client,
    logs,
    stop,
    async status(name) {
      const out = await client(['status', name]);
      const parsed = parseJailStatus(out.stdout);
      if (out.exitCode !== 0 || !parsed.ok)
        throw new Error(`fail2ban-client status ${name} (exit ${out.exitCode}):\n${out.stdout}${out.stderr}`);
      return parsed.value;
    },
  };
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}
