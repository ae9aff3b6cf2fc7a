import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from 'otplib';
import { describe, expect, it } from 'vitest';
import { startTestServer } from '../test-support/server.js';

describe('first start without an admin', () => {
  it('writes a 0600 one-time setup token that alone opens setup, then removes it', async () => {
    const s = await startTestServer({ auth: { bootstrap_admin: undefined } });
    try {
      const file = join(s.config.data_dir, 'setup-token');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect((await s.call('GET', '/api/auth/status')).body).toMatchObject({
        setup_required: true,
        authenticated: false,
      });
      expect((await s.call('GET', '/api/system')).status).toBe(401);
      const body = { username: 'root', password: 'a long enough secret' };
      expect(
        (await s.call('POST', '/api/auth/setup', { body: { ...body, setup_token: 'guess' } })).status,
      ).toBe(403);
      const setup_token = readFileSync(file, 'utf8').trim();
      const created = await s.call('POST', '/api/auth/setup', { body: { ...body, setup_token } });
      expect(created.status).toBe(201);
      expect(existsSync(file)).toBe(false);
      expect(
        (await s.call('GET', '/api/system', { token: created.body.access_token as string })).status,
      ).toBe(200);
      expect((await s.call('POST', '/api/auth/setup', { body: { ...body, setup_token } })).status).toBe(403);
    } finally {
      await s.stop();
    }
  });
});

describe('TOTP', () => {
  it('enrols, then demands a code at login, refuses a replayed code, and takes a backup code once', async () => {
    const s = await startTestServer();
    try {
      const token = await s.adminToken();
      const setup = (await s.call('POST', '/api/auth/totp/setup', { token })).body as {
        secret: string;
        qr_data_url: string;
      };
      expect(setup.qr_data_url).toMatch(/^data:image\/svg\+xml;base64,/);
      const code = await generate({ secret: setup.secret });
      const enabled = await s.call('POST', '/api/auth/totp/enable', { token, body: { totp: code } });
      expect(enabled.status).toBe(200);
      const backup = (enabled.body.backup_codes as string[])[0]!;
      expect(enabled.body.backup_codes).toHaveLength(8);

      const creds = { username: 'admin', password: 'correct horse battery staple' };
      expect((await s.call('POST', '/api/auth/login', { body: creds })).body).toEqual({
        requires_totp: true,
      });
      // The enrolment code's step is spent: the same code again is a replay.
      expect((await s.call('POST', '/api/auth/login', { body: { ...creds, totp: code } })).status).toBe(401);
      const withBackup = await s.call('POST', '/api/auth/login', { body: { ...creds, totp: backup } });
      expect(withBackup.status).toBe(200);
      expect((await s.call('POST', '/api/auth/login', { body: { ...creds, totp: backup } })).status).toBe(
        401,
      );

      // Changing the password now needs a code too; the change revokes the old sessions.
      const session = withBackup.body.access_token as string;
      const change = { current_password: creds.password, new_password: 'another long passphrase' };
      expect((await s.call('POST', '/api/auth/password', { token: session, body: change })).status).toBe(400);
      const second = (enabled.body.backup_codes as string[])[1]!;
      expect(
        (await s.call('POST', '/api/auth/password', { token: session, body: { ...change, totp: second } }))
          .status,
      ).toBe(200);
      expect((await s.call('GET', '/api/auth/me', { token: session })).status).toBe(401);
    } finally {
      await s.stop();
    }
  });
});
