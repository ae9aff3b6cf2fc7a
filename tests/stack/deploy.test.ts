import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support.js';
import { repo } from './paths.js';

const run = promisify(execFile);

/**
 * The host install without a host: deploy/package.sh assembles the release tree (what the tarball
 * holds), and that tree's own install.sh installs it under a scratch root as if it were `/`. The
 * installed exporter then starts with the unit's ExecStart, moved under that root.
 */
let dir: string;
let stage: string;
let root: string;
let installLog: string;

beforeAll(async () => {
  dir = tempDir('deploy');
  stage = join(dir, 'stage');
  root = join(dir, 'root');
  // The global setup has built exporter/dist already.
  await run('bash', [join(repo, 'deploy/package.sh'), '--stage', stage], {
    env: { ...process.env, PROXMON_PACKAGE_NO_BUILD: '1' },
    maxBuffer: 1 << 24,
  });
  const r = await run('bash', [join(stage, 'deploy/install.sh'), '--root', root], { maxBuffer: 1 << 24 });
  installLog = r.stdout + r.stderr;
}, 180_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('host install (deploy/package.sh, deploy/install.sh, deploy/systemd)', () => {
  it('stages a self-contained release: node, the built exporter, production modules only', () => {
    expect(existsSync(join(stage, 'bin/node'))).toBe(true);
    expect(existsSync(join(stage, 'exporter/dist/cli.js'))).toBe(true);
    expect(existsSync(join(stage, 'node_modules/better-sqlite3/package.json'))).toBe(true);
    expect(existsSync(join(stage, 'node_modules/prom-client/package.json'))).toBe(true);
    for (const dev of ['vitest', 'typescript', 'eslint', 'prettier', 'fast-check'])
      expect(existsSync(join(stage, 'node_modules', dev)), dev).toBe(false);
  });

  it('installs the app, config, data dir with auth.log, unit and fail2ban files', () => {
    expect(installLog).toContain('installing the release');
    for (const path of [
      'opt/proxmon/bin/node',
      'opt/proxmon/exporter/dist/cli.js',
      'etc/proxmon/proxmon.yaml',
      'etc/systemd/system/proxmon.service',
      'etc/fail2ban/filter.d/proxmon.conf',
      'etc/fail2ban/jail.d/proxmon.conf',
    ])
      expect(existsSync(join(root, path)), path).toBe(true);
    expect(statSync(join(root, 'var/lib/proxmon/data')).mode & 0o777).toBe(0o750);
    expect(statSync(join(root, 'var/lib/proxmon/data/auth.log')).mode & 0o777).toBe(0o640);
  });

  it("points the fail2ban jail at the auth.log of the unit's data dir", () => {
    const unit = readFileSync(join(root, 'etc/systemd/system/proxmon.service'), 'utf8');
    const dataDir = /^Environment=PROXMON_DATA_DIR=(.+)$/m.exec(unit)?.[1];
    expect(dataDir).toBe('/var/lib/proxmon/data');
    const jail = readFileSync(join(root, 'etc/fail2ban/jail.d/proxmon.conf'), 'utf8');
    expect(/^logpath\s*=\s*(\S+)/m.exec(jail)?.[1]).toBe(`${dataDir}/auth.log`);
  });

  it("starts with the unit's ExecStart and config, and answers /healthz", async () => {
    const unit = readFileSync(join(root, 'etc/systemd/system/proxmon.service'), 'utf8');
    const [node = '', ...args] = (/^ExecStart=(.+)$/m.exec(unit)?.[1] ?? '').split(' ');
    expect(node).toBe('/opt/proxmon/bin/node');
    const installed = spawn(
      join(root, node),
      args.map((a) => (a.startsWith('/opt/') ? join(root, a) : a)),
      {
        env: {
          PATH: process.env.PATH ?? '',
          PROXMON_CONFIG: join(root, 'etc/proxmon/proxmon.yaml'),
          PROXMON_DATA_DIR: join(root, 'var/lib/proxmon/data'),
          PROXMON_HOST: '127.0.0.1',
          PROXMON_PORT: '0',
          PROXMON_LATENCY_TARGETS: '127.0.0.1',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    installed.stdout.on('data', (d: Buffer) => (out += d.toString()));
    installed.stderr.on('data', (d: Buffer) => (out += d.toString()));
    try {
      const deadline = Date.now() + 20_000;
      let port: string | undefined;
      while (!(port = /"port":(\d+)[^\n]*"msg":"proxmon listening"/.exec(out)?.[1])) {
        if (installed.exitCode !== null || Date.now() > deadline) throw new Error(`did not start:\n${out}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(res.status).toBe(200);
    } finally {
      if (installed.exitCode === null) {
        installed.kill('SIGTERM');
        await new Promise((r) => installed.once('exit', r));
      }
    }
  }, 60_000);

  it('has shell scripts bash can parse', async () => {
    for (const script of ['deploy/install.sh', 'deploy/package.sh'])
      await expect(run('bash', ['-n', join(repo, script)])).resolves.toBeDefined();
  });
});
