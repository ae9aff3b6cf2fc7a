import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { startTestServer } from '../test-support/server.js';

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('/metrics access', () => {
  it('is public by default', async () => {
    const s = await startTestServer();
    try {
      expect((await fetch(`${s.url}/metrics`)).status).toBe(200);
    } finally {
      await s.stop();
    }
  });

  it('gets CORS headers for a configured origin (the fast path stands aside)', async () => {
    const s = await startTestServer({ auth: { cors_origins: ['https://grafana.example'] } });
    try {
      const r = await fetch(`${s.url}/metrics`, { headers: { origin: 'https://grafana.example' } });
      expect(r.status).toBe(200);
      expect(r.headers.get('access-control-allow-origin')).toBe('https://grafana.example');
      expect(r.headers.get('vary')).toMatch(/Origin/);
    } finally {
      await s.stop();
    }
  });

  it('metrics.auth: token needs a read-scoped bearer token; web-config basic auth users work too', async () => {
    const webConfig = join(mkdtempSync(join(tmpdir(), 'proxmon-web-')), 'web.yml');
    writeFileSync(webConfig, `basic_auth_users:\n  prometheus: ${bcrypt.hashSync('scrape secret', 10)}\n`);
    const s = await startTestServer({ metrics: { auth: 'token' }, web_config_file: webConfig });
    try {
      const anonymous = await fetch(`${s.url}/metrics`);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic /);
      const created = await s.call('POST', '/api/auth/tokens', {
        token: await s.adminToken(),
        body: { name: 'prometheus', scopes: ['read'] },
      });
      const withToken = await fetch(`${s.url}/metrics`, {
        headers: { authorization: `Bearer ${created.body.token as string}` },
      });
      expect(withToken.status).toBe(200);
      expect(await withToken.text()).toMatch(/^proxmon_build_info/m);
      expect(
        (
          await fetch(`${s.url}/metrics`, {
            headers: { authorization: basic('prometheus', 'scrape secret') },
          })
        ).status,
      ).toBe(200);
      expect(
        (await fetch(`${s.url}/metrics`, { headers: { authorization: basic('prometheus', 'wrong') } }))
          .status,
      ).toBe(401);
      expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
    } finally {
      await s.stop();
    }
  });
});
