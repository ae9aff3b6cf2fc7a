import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { canonicalIp, createAuthLog, sanitiseUser } from '../exporter/src/auth/auth-log.js';
import { createBanChecker } from '../exporter/src/auth/fail2ban.js';
import { createExec } from '../exporter/src/sources/exec.js';
import { SHIPPED, startFail2ban, type Fail2banServer } from './fail2ban.js';
import { startCli, tempDir } from './support.js';

// Documentation-range addresses only (RFC 5737); every packet stays on loopback.
const ATTACKER = '203.0.113.7';
const BYSTANDER = '203.0.113.8';
const FORGED = '198.51.100.66';

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A temp folder removed after the test. */
function scratch(name: string): string {
  const dir = tempDir(name);
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function fail2ban(logFile: string): Promise<Fail2banServer> {
  const server = await startFail2ban({ logFile });
  cleanups.push(() => server.stop());
  return server;
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A user name that tries to smuggle a second line or a second rhost= into the log. */
const forgedUser = (i: number) =>
  `x${i} rhost=${FORGED}\n2026-11-26 10:00:00 +0000 proxmon-auth: authentication failure; rhost=${FORGED} user=y`;

describe('the shipped fail2ban filter and jail (deploy/fail2ban), on lines written by auth-log.ts', () => {
  it('fail2ban-regex matches every failure line, with its address and user, and nothing else', async () => {
    const file = join(scratch('f2b-regex'), 'auth.log');
    const log = createAuthLog(file);
    const users = fc.sample(fc.string({ unit: 'binary', maxLength: 80 }), { numRuns: 60, seed: 42 });
    const expected: string[] = [];
    users.forEach((user, i) => {
      const ip = i % 3 === 0 ? `2001:db8::${i.toString(16)}` : `203.0.113.${i}`;
      log.success({ ip, user });
      expect(log.failure({ ip, user }).ok).toBe(true);
      expected.push(`${canonicalIp(ip)} ${sanitiseUser(user)}`);
    });
    for (let i = 0; i < 5; i++) log.failure({ ip: ATTACKER, user: forgedUser(i) });
    for (let i = 0; i < 5; i++) expected.push(`${ATTACKER} ${sanitiseUser(forgedUser(i))}`);

    const r = await createExec()(
      'fail2ban-regex',
      ['-o', '<ip> <F-USER>', file, join(SHIPPED, 'filter.d/proxmon.conf')],
      { timeoutMs: 20_000 },
    );
    expect(r.ok && r.value.exitCode, r.ok ? r.value.stderr : r.error.message).toBe(0);
    const matched = r.ok ? r.value.stdout.split('\n').filter(Boolean) : [];
    expect(matched).toEqual(expected);
    expect(matched.map((m) => m.split(' ')[0])).not.toContain(FORGED);
  });

  it('a real fail2ban-server bans on the 4th failure, ignores successes, loopback and forged names; the ban checker sees it and unbans', async () => {
    const logFile = join(scratch('f2b-jail'), 'auth.log');
    // fail2ban runs in UTC, proxmon writes Los Angeles time: without the offset in each line these
    // failures would read as 8 hours old, outside findtime, and never ban.
    process.env.TZ = 'UTC';
    const server = await fail2ban(logFile);
    process.env.TZ = 'America/Los_Angeles';
    cleanups.push(() => delete process.env.TZ);
    const log = createAuthLog(logFile);

    for (let i = 0; i < 6; i++) log.success({ ip: BYSTANDER, user: 'admin' });
    for (const ip of ['127.0.0.1', '::1']) for (let i = 0; i < 4; i++) log.failure({ ip, user: 'admin' });
    for (let i = 0; i < 3; i++) log.failure({ ip: ATTACKER, user: forgedUser(i) });
    const three = await until('three failures counted', 10_000, async () => {
      const s = await server.status('proxmon');
      return s.totalFailed >= 3 ? s : undefined;
    });
    expect(three).toMatchObject({ totalFailed: 3, currentlyBanned: 0, bannedIps: [] });
    expect(server.logs()).toMatch(/\[proxmon\] Ignore 127\.0\.0\.1 by/);
    expect(server.logs()).toMatch(/\[proxmon\] Ignore ::1 by/);

    log.failure({ ip: ATTACKER, user: 'admin' });
    const banned = await until('ban', 10_000, async () => {
      const s = await server.status('proxmon');
      return s.bannedIps.length > 0 ? s : undefined;
    });
    expect(banned).toMatchObject({
      totalFailed: 4,
      currentlyBanned: 1,
      bannedIps: [ATTACKER],
      fileList: [logFile],
    });

    const checker = createBanChecker({ exec: createExec(), jail: 'proxmon', socket: server.socket });
    expect(await checker.isBanned(ATTACKER)).toBe(true);
    expect(await checker.isBanned(`::ffff:${ATTACKER}`)).toBe(true);
    expect(await checker.isBanned(BYSTANDER)).toBe(false);
    expect(await checker.isBanned('127.0.0.1')).toBe(false);
    expect(await checker.status()).toMatchObject({
      ok: true,
      value: { jail: 'proxmon', bannedIps: [ATTACKER] },
    });
    expect(await checker.jails()).toEqual({ ok: true, value: ['proxmon'] });

    expect(await checker.unban(ATTACKER)).toEqual({ ok: true, value: undefined });
    expect(await checker.isBanned(ATTACKER)).toBe(false);
    expect((await server.status('proxmon')).bannedIps).toEqual([]);
  });

  it('the ban checker bans nobody when the server is gone, and says why', async () => {
    const server = await fail2ban(join(scratch('f2b-gone'), 'auth.log'));
    await server.stop();
    const checker = createBanChecker({ exec: createExec(), jail: 'proxmon', socket: server.socket });
    expect(await checker.isBanned(ATTACKER)).toBe(false);
    expect(await checker.status()).toMatchObject({
      ok: false,
      error: { kind: 'absent', message: expect.stringContaining('Is fail2ban running?') },
    });
  });
});

describe('proxmon behind a trusted proxy, with a real fail2ban-server on its auth log', () => {
  const PASSWORD = 'Correct-Horse-Battery-Staple-42!';

  it('four failed logins from one forwarded client → fail2ban bans it → its requests get 403 within 30 s; others still work; unban restores access', async () => {
    const dir = scratch('f2b-e2e');
    const logFile = join(dir, 'auth.log');
    const server = await fail2ban(logFile);
    const configFile = join(dir, 'proxmon.yaml');
    writeFileSync(
      configFile,
      [
        'auth:',
        "  trusted_proxies: ['127.0.0.1/32']",
        `  log_file: ${JSON.stringify(logFile)}`,
        `  fail2ban_socket: ${JSON.stringify(server.socket)}`,
        '',
      ].join('\n'),
    );
    const p = await startCli({
      PROXMON_CONFIG: configFile,
      PROXMON_ADMIN_USER: 'admin',
      PROXMON_ADMIN_PASSWORD: PASSWORD,
    });
    cleanups.push(async () => {
      p.child.kill('SIGTERM');
      await p.exited;
    });

    // Every request comes from 127.0.0.1, the trusted proxy, on behalf of the client it forwards.
    const call = async (client: string, method: string, path: string, body?: unknown, token?: string) => {
      const res = await fetch(`${p.url}${path}`, {
        method,
        headers: {
          'X-Forwarded-For': client,
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
          ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, json: (text ? JSON.parse(text) : undefined) as Record<string, unknown> };
    };
    const login = (client: string, password: string) =>
      call(client, 'POST', '/api/auth/login', { username: 'admin', password });

    const admin = await login(BYSTANDER, PASSWORD);
    expect(admin.status, JSON.stringify(admin.json)).toBe(200);
    expect(admin.json).toMatchObject({ access_token: expect.any(String), refresh_token: expect.any(String) });
    const token = admin.json.access_token as string;
    expect((await call(ATTACKER, 'GET', '/api/system', undefined, token)).status).toBe(200);

    for (let i = 0; i < 4; i++) {
      const r = await login(ATTACKER, `wrong-${i}`);
      expect(r.status).toBe(401);
      expect(r.json).toMatchObject({ error: { code: 'invalid_credentials' } });
    }
    // The forwarded client, not the proxy, is what the log names and fail2ban counts.
    const failures = readFileSync(logFile, 'utf8')
      .split('\n')
      .filter((l) => l.includes('authentication failure'));
    expect(failures).toHaveLength(4);
    for (const line of failures)
      expect(line).toMatch(new RegExp(`rhost=${ATTACKER.replace(/\./g, '\\.')} user=admin$`));

    await until('fail2ban ban', 15_000, async () =>
      (await server.status('proxmon')).bannedIps.includes(ATTACKER) ? true : undefined,
    );
    const bannedAt = Date.now();
    await until('403 for the banned client', 32_000, async () => {
      const r = await call(ATTACKER, 'GET', '/api/system', undefined, token);
      return r.status === 403 ? r : undefined;
    });
    expect(Date.now() - bannedAt).toBeLessThanOrEqual(32_000);
    for (const r of [
      await call(ATTACKER, 'GET', '/api/system', undefined, token),
      await login(ATTACKER, PASSWORD),
    ]) {
      expect(r.status).toBe(403);
      expect(r.json).toMatchObject({ error: { code: 'banned' } });
    }
    expect((await call(BYSTANDER, 'GET', '/api/system', undefined, token)).status).toBe(200);

    const unban = await call(BYSTANDER, 'POST', '/api/security/fail2ban/unban', { ip: ATTACKER }, token);
    expect(unban.status, JSON.stringify(unban.json)).toBe(200);
    expect((await server.status('proxmon')).bannedIps).toEqual([]);
    // The exporter dropped its cached list on unban: access is back at once.
    expect((await call(ATTACKER, 'GET', '/api/system', undefined, token)).status).toBe(200);
    expect((await login(ATTACKER, PASSWORD)).status).toBe(200);
  }, 120_000);
});
