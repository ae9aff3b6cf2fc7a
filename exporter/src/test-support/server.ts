import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validate, type Config } from '../config.js';
import { start, type Running } from '../main.js';
import { silentLogger } from './tools.js';

export const ADMIN = { username: 'admin', password: 'correct horse battery staple' };

export interface TestServer extends Running {
  url: string;
  config: Config;
  /** Logs in as the bootstrap admin and returns an access token. */
  adminToken(): Promise<string>;
  /** JSON request with an optional bearer token; never throws on HTTP errors. */
  call(
    method: string,
    path: string,
    opts?: { token?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }>;
}

/** Starts the whole exporter in-process on a free loopback port with a fresh data dir and an admin. */
export async function startTestServer(overrides: Record<string, unknown> = {}): Promise<TestServer> {
  const { auth, ...rest } = overrides as { auth?: Record<string, unknown> };
  const dataDir = mkdtempSync(join(tmpdir(), 'proxmon-data-'));
  const config = validate(
    {
      port: 0,
      host: '127.0.0.1',
      data_dir: dataDir,
      latency_targets: ['127.0.0.1'],
      auth: { bootstrap_admin: ADMIN, fail2ban_jail: '', log_file: join(dataDir, 'auth.log'), ...auth },
      ...rest,
    },
    'test',
  );
  const running = await start(config, { logger: silentLogger(), shutdownGraceMs: 1000 });
  const url = `http://127.0.0.1:${running.port}`;
  const call: TestServer['call'] = async (method, path, opts = {}) => {
    const res = await fetch(url + path, {
      method,
      headers: {
        ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
        ...opts.headers,
      },
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
    const text = await res.text();
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      body = { text };
    }
    return { status: res.status, body, headers: res.headers };
  };
  let token: string | undefined;
  const adminToken = async () => {
    if (token) return token;
    const r = await call('POST', '/api/auth/login', { body: ADMIN });
    if (r.status !== 200) throw new Error(`admin login failed: ${r.status} ${JSON.stringify(r.body)}`);
    return (token = r.body.access_token as string);
  };
  return { ...running, config, url, call, adminToken };
}
