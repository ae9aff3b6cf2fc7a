import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, get, startCli, tempDir } from './support.js';

/** Runs a `proxmon` admin command against a data dir, as root on the host would. */
function proxmon(dataDir: string, args: string[], input?: string) {
  const r = spawnSync(process.execPath, [cli, ...args], {
    env: { ...process.env, PROXMON_DATA_DIR: dataDir, PROXMON_LOG_LEVEL: 'silent' },
    input: input ?? '',
    encoding: 'utf8',
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}`.trim() };
}

async function login(url: string, username: string, password: string) {
  const r = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  return { status: r.status, body: (await r.json()) as Record<string, string> };
}

describe('admin commands on the host', () => {
  it('user add, token create, reset-password, rotate-key, backup and restore', async () => {
    const data = tempDir('data');
    expect(
      proxmon(data, ['user', 'add', 'root', '--role', 'admin'], 'correct horse battery staple\n'),
    ).toEqual({
      status: 0,
      out: 'created admin root',
    });
    expect(proxmon(data, ['user', 'add', 'short'], 'short\n')).toMatchObject({
      status: 2,
      out: expect.stringMatching(/at least 12/),
    });
    const token = proxmon(data, ['token', 'create', '--name', 'grafana', '--scope', 'read']);
    expect(token.status).toBe(0);
    expect(token.out).toMatch(/^pxm_[A-Za-z0-9_-]{40,}$/);
    expect(proxmon(data, ['token', 'create', '--name', 'x', '--scope', 'root']).status).toBe(2);

    const reset = proxmon(data, ['user', 'reset-password', 'root']);
    expect(reset.status).toBe(0);
    const newPassword = /new password for root: (\S+)/.exec(reset.out)?.[1];
    expect(newPassword).toBeDefined();
    expect(proxmon(data, ['secrets', 'rotate-key']).out).toMatch(/re-encrypted [1-9]\d* secrets/);

    const backupFile = join(tempDir('backup'), 'proxmon.db');
    expect(proxmon(data, ['backup', backupFile]).status).toBe(0);
    expect(statSync(`${backupFile}.key`).mode & 0o077).toBe(0);
    const restored = tempDir('restored');
    expect(proxmon(restored, ['restore', backupFile]).status).toBe(0);
    expect(existsSync(join(restored, 'proxmon.db'))).toBe(true);

    // The restored copy serves: the reset password logs in, the CLI-made token reads, the old password does not.
    const p = await startCli({ PROXMON_DATA_DIR: restored });
    try {
      expect((await login(p.url, 'root', 'correct horse battery staple')).status).toBe(401);
      const ok = await login(p.url, 'root', newPassword!);
      expect(ok.status).toBe(200);
      const system = await fetch(`${p.url}/api/system`, {
        headers: { authorization: `Bearer ${token.out}` },
      });
      expect(system.status).toBe(200);
      expect((await get(`${p.url}/healthz`)).status).toBe(200);
    } finally {
      p.child.kill('SIGTERM');
    }
    expect(await p.exited).toBe(0);
  });
});
