import { readFileSync } from 'node:fs';
import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startTestServer, type TestServer } from '../test-support/server.js';

// TOTP managed for a user by an admin API token (what Grafana's plugin proxy sends), proven by the
// user's current password: /api/auth/users/:id/totp/{setup,enable,disable}.

let s: TestServer;
/** An admin-scoped API token, as the Grafana app holds it. */
let adminApi: string;
let readApi: string;
let adminId: number;

interface AuditEntry {
  action: string;
  actor: string | null;
  target: string | null;
  detail: Record<string, unknown> | null;
}

const totpPath = (id: number, step: 'setup' | 'enable' | 'disable') => `/api/auth/users/${id}/totp/${step}`;

async function audit(): Promise<AuditEntry[]> {
  return (await s.call('GET', '/api/security/audit?limit=500', { token: adminApi })).body
    .entries as AuditEntry[];
}

/** /metrics is served from a cached rendering, so a new count shows up within a moment, not at once. */
async function failuresMetric(): Promise<number> {
  const text = await (await fetch(`${s.url}/metrics`)).text();
  const m = /^proxmon_auth_failures_total (\d+)/m.exec(text);
  return m ? Number(m[1]) : 0;
}

async function createToken(name: string, scopes: string[]): Promise<string> {
  const r = await s.call('POST', '/api/auth/tokens', {
    token: await s.adminToken(),
    body: { name, scopes },
  });
  expect(r.status).toBe(201);
  return r.body.token as string;
}

beforeAll(async () => {
  s = await startTestServer({
    auth: { login_rate_limit: { max_failures_per_user: 3, max_failures_per_ip: 50 } },
  });
  adminApi = await createToken('grafana-admin', ['read', 'write', 'admin', 'terminal']);
  readApi = await createToken('grafana-read', ['read']);
  const users = (await s.call('GET', '/api/auth/users', { token: adminApi })).body as unknown as Array<{
    id: number;
    username: string;
  }>;
  adminId = users.find((u) => u.username === ADMIN.username)!.id;
});
afterAll(() => s.stop());

// Each password check is ~100 ms of scrypt by design; on a loaded CI machine a flow needs more than 30 s.
describe('TOTP through an admin token, proven by the user’s password', { timeout: 120_000 }, () => {
  it('the session-only routes still refuse an API token', async () => {
    const r = await s.call('POST', '/api/auth/totp/setup', { token: adminApi });
    expect(r.status).toBe(403);
    expect(r.body).toMatchObject({ error: { message: 'TOTP is managed from a signed-in session' } });
  });

  it('a read token gets 403, an unknown user 404, a missing password 400', async () => {
    const body = { password: ADMIN.password };
    expect((await s.call('POST', totpPath(adminId, 'setup'), { token: readApi, body })).status).toBe(403);
    expect((await s.call('POST', totpPath(9999, 'setup'), { token: adminApi, body })).status).toBe(404);
    expect((await s.call('POST', totpPath(adminId, 'setup'), { token: adminApi, body: {} })).status).toBe(
      400,
    );
  });

  it('a wrong password is 401 and counts as a failed login: limiter, auth log, metric, audit', async () => {
    const r = await s.call('POST', totpPath(adminId, 'setup'), {
      token: adminApi,
      body: { password: 'not the password' },
    });
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({ error: { code: 'invalid_credentials' } });

    // The first failure of this server.
    await expect.poll(failuresMetric, { timeout: 15_000 }).toBe(1);
    const failures = (await s.call('GET', '/api/security/auth-failures', { token: adminApi })).body
      .failures as Array<{ ip: string; username: string }>;
    expect(failures[0]).toMatchObject({ ip: '127.0.0.1', username: 'admin' });
    expect(readFileSync(s.config.auth.log_file!, 'utf8')).toMatch(
      /authentication failure; rhost=127\.0\.0\.1 user=admin/,
    );
    expect((await audit())[0]).toMatchObject({
      action: 'login_failed',
      actor: null,
      target: 'admin',
      detail: { purpose: 'totp_setup', by: 'admin', via: 'token', token: 'grafana-admin' },
    });
    // Nothing was started: the user has no pending secret to confirm.
    const code = await s.call('POST', totpPath(adminId, 'enable'), {
      token: adminApi,
      body: { password: ADMIN.password, totp: '123456' },
    });
    expect(code.status).toBe(409);
  });

  it('sets up (otpauth URI + QR), enables with a real code, then disables with a backup code', async () => {
    const setup = await s.call('POST', totpPath(adminId, 'setup'), {
      token: adminApi,
      body: { password: ADMIN.password },
    });
    expect(setup.status).toBe(200);
    const { secret, otpauth_uri, qr_data_url } = setup.body as Record<string, string>;
    expect(otpauth_uri).toMatch(/^otpauth:\/\/totp\/proxmon:admin\?/);
    expect(new URL(otpauth_uri!).searchParams.get('secret')).toBe(secret);
    expect(qr_data_url).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(Buffer.from(qr_data_url!.split(',')[1]!, 'base64').toString()).toContain('<svg');

    const code = await generate({ secret: secret! });
    // A wrong code is a plain validation error (the password was right), and TOTP stays off.
    const wrong = await s.call('POST', totpPath(adminId, 'enable'), {
      token: adminApi,
      body: { password: ADMIN.password, totp: code === '000000' ? '111111' : '000000' },
    });
    expect(wrong.status).toBe(400);

    const enabled = await s.call('POST', totpPath(adminId, 'enable'), {
      token: adminApi,
      body: { password: ADMIN.password, totp: code },
    });
    expect(enabled.status).toBe(200);
    const backup = enabled.body.backup_codes as string[];
    expect(backup).toHaveLength(8);

    const users = (await s.call('GET', '/api/auth/users', { token: adminApi })).body as unknown as Array<{
      id: number;
      totp_enabled: boolean;
    }>;
    expect(users.find((u) => u.id === adminId)?.totp_enabled).toBe(true);
    expect((await s.call('POST', '/api/auth/login', { body: ADMIN })).body).toEqual({ requires_totp: true });
    // Enrolling again needs TOTP off first.
    expect(
      (
        await s.call('POST', totpPath(adminId, 'setup'), {
          token: adminApi,
          body: { password: ADMIN.password },
        })
      ).status,
    ).toBe(409);

    // Off needs a code as well as the password: without one 400, a spent one 401 (counted).
    const off = { password: ADMIN.password };
    expect((await s.call('POST', totpPath(adminId, 'disable'), { token: adminApi, body: off })).status).toBe(
      400,
    );
    const replay = await s.call('POST', totpPath(adminId, 'disable'), {
      token: adminApi,
      body: { ...off, totp: code },
    });
    expect(replay.status).toBe(401);
    await expect.poll(failuresMetric, { timeout: 15_000 }).toBe(2);
    const disabled = await s.call('POST', totpPath(adminId, 'disable'), {
      token: adminApi,
      body: { ...off, totp: backup[0] },
    });
    expect(disabled.status).toBe(200);
    expect((await s.call('POST', '/api/auth/login', { body: ADMIN })).status).toBe(200);

    const entries = await audit();
    const mine = entries.filter((e) => e.action.startsWith('totp_'));
    const via = { via: 'token', token: 'grafana-admin' };
    expect(mine.slice(0, 3)).toEqual([
      expect.objectContaining({ action: 'totp_disabled', actor: 'admin', target: 'admin', detail: via }),
      expect.objectContaining({ action: 'totp_enabled', actor: 'admin', target: 'admin', detail: via }),
      expect.objectContaining({ action: 'totp_setup_started', actor: 'admin', target: 'admin', detail: via }),
    ]);
    expect(entries.some((e) => e.action === 'backup_code_used' && e.actor === 'admin')).toBe(true);
  });

  it("needs the target user's own password, not the caller's", async () => {
    const created = await s.call('POST', '/api/auth/users', {
      token: adminApi,
      body: { username: 'operator', password: 'switch on the lights', role: 'viewer' },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as number;
    const withAdmins = await s.call('POST', totpPath(id, 'setup'), {
      token: adminApi,
      body: { password: ADMIN.password },
    });
    expect(withAdmins.status).toBe(401);
    const own = await s.call('POST', totpPath(id, 'setup'), {
      token: adminApi,
      body: { password: 'switch on the lights' },
    });
    expect(own.status).toBe(200);
    expect(own.body.otpauth_uri).toMatch(/^otpauth:\/\/totp\/proxmon:operator\?/);
  });

  it('is rate-limited per user like login: past the limit even the right password gets 429', async () => {
    const created = await s.call('POST', '/api/auth/users', {
      token: adminApi,
      body: { username: 'guessed', password: 'another fine passphrase', role: 'viewer' },
    });
    const id = created.body.id as number;
    for (let i = 0; i < 3; i++) {
      const r = await s.call('POST', totpPath(id, 'setup'), {
        token: adminApi,
        body: { password: `guess ${i}` },
      });
      expect(r.status).toBe(401);
    }
    const limited = await s.call('POST', totpPath(id, 'setup'), {
      token: adminApi,
      body: { password: 'another fine passphrase' },
    });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // And the same budget guards /login: the guesses here spent it.
    expect(
      (
        await s.call('POST', '/api/auth/login', {
          body: { username: 'guessed', password: 'another fine passphrase' },
        })
      ).status,
    ).toBe(429);
  });
});
