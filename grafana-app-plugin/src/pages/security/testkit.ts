import { spawn, spawnSync } from 'child_process';
import { createHmac } from 'crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import path from 'path';
import { repoRoot } from '../../test-support/exporter';

// Test helpers for Security.test.tsx (not shipped: nothing in the app imports this file).

/** RFC 4648 base32, as otpauth secrets are written. */
function base32Decode(s: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const c of s.replace(/=+$/, '').toUpperCase()) {
    const i = alphabet.indexOf(c);
    if (i < 0) {
      throw new Error(`not base32: ${c}`);
    }
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** The RFC 6238 code an authenticator app shows for `secret` (SHA-1, 6 digits, 30 s) at `now`. */
export function totpCode(secret: string, now = Date.now()): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(now / 1000 / 30)));
  const mac = createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const n = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(n % 1_000_000).padStart(6, '0');
}

const DUMMY_ACTION = '/etc/fail2ban/action.d/dummy.conf';
const SHIPPED = path.join(repoRoot, 'deploy', 'fail2ban');

/** Debian's fail2ban package (scripts/install-test-deps.sh installs it for CI). */
export const fail2banInstalled = () =>
  spawnSync('fail2ban-server', ['--version']).status === 0 && existsSync(DUMMY_ACTION);

export interface Fail2ban {
  socket: string;
  /** `fail2ban-client -s <socket> <args>`; throws on a non-zero exit. */
  client: (args: string[]) => string;
  stop: () => Promise<void>;
}

/**
 * A real fail2ban-server with every path in a temp folder and the `dummy` ban action (no firewall is
 * touched), running the shipped proxmon filter and jail on `logFile`. Like tests/fail2ban.ts, which
 * jest cannot import (it imports the exporter's ESM sources).
 */
export async function startFail2ban(logFile: string): Promise<Fail2ban> {
  const dir = mkdtempSync(path.join(tmpdir(), 'proxmon-plugin-f2b-'));
  const conf = path.join(dir, 'etc');
  const run = path.join(dir, 'run');
  for (const sub of ['action.d', 'filter.d', 'jail.d']) {
    mkdirSync(path.join(conf, sub), { recursive: true });
  }
  mkdirSync(run);
  const socket = path.join(run, 'fail2ban.sock');
  const log = path.join(dir, 'fail2ban.log');
  writeFileSync(
    path.join(conf, 'fail2ban.conf'),
    [
      '[Definition]',
      'loglevel = INFO',
      `logtarget = ${log}`,
      `socket = ${socket}`,
      `pidfile = ${path.join(run, 'fail2ban.pid')}`,
      `dbfile = ${path.join(dir, 'fail2ban.sqlite3')}`,
      '',
    ].join('\n'),
  );
  writeFileSync(
    path.join(conf, 'jail.conf'),
    [
      '[DEFAULT]',
      'backend = polling',
      'banaction = dummy',
      `action = %(banaction)s[target=${path.join(run, 'fail2ban.dummy')}]`,
      '',
    ].join('\n'),
  );
  copyFileSync(DUMMY_ACTION, path.join(conf, 'action.d', 'dummy.conf'));
  copyFileSync(path.join(SHIPPED, 'filter.d', 'proxmon.conf'), path.join(conf, 'filter.d', 'proxmon.conf'));
  const jail = readFileSync(path.join(SHIPPED, 'jail.d', 'proxmon.conf'), 'utf8');
  writeFileSync(
    path.join(conf, 'jail.d', 'proxmon.conf'),
    jail.replace(/^logpath\s*=.*$/m, `logpath  = ${logFile}`),
  );
  if (!existsSync(logFile)) {
    writeFileSync(logFile, '');
  }

  // Its own process group, so stop() reaches the server and its threads.
  const child = spawn('fail2ban-server', ['-c', conf, '-f', '-x'], { detached: true, stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const client = (args: string[]) => {
    const r = spawnSync('fail2ban-client', ['-s', socket, ...args], { encoding: 'utf8', timeout: 10_000 });
    if (r.status !== 0) {
      throw new Error(`fail2ban-client ${args.join(' ')} (${r.status}): ${r.stdout}${r.stderr}`);
    }
    return r.stdout;
  };
  const kill = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // already gone
    }
  };
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      kill('SIGTERM');
      const timer = setTimeout(() => kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if (existsSync(socket)) {
        client(['status', 'proxmon']);
        break;
      }
    } catch {
      // not ready yet
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      const why = existsSync(log) ? readFileSync(log, 'utf8') : '';
      await stop();
      throw new Error(`fail2ban-server did not start:\n${why}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { socket, client, stop };
}
