import { request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../config.js';
import { securityHeaders, type SecurityHeadersOptions } from './headers.js';

const GRAFANA = 'https://grafana.example:3000';

let server: Server | undefined;
afterEach(async () => {
  const s = server;
  server = undefined;
  if (s) await new Promise((resolve) => s.close(resolve));
});

/** A tiny app: the middleware, one API route (GET and POST) and a /metrics-like text route. */
async function start(options: SecurityHeadersOptions): Promise<number> {
  const app = express();
  app.use(securityHeaders(options));
  app.get('/api/things', (_req, res) => res.json({ things: [] }));
  app.post('/api/things', (_req, res) => res.status(201).json({ ok: true }));
  app.get('/apiary', (_req, res) => res.send('bees'));
  app.get('/metrics', (_req, res) => res.type('text/plain').send('up 1\n'));
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server!.once('listening', resolve));
  return (server!.address() as AddressInfo).port;
}

function send(port: number, method: string, path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const corsHeaders = (h: IncomingHttpHeaders) => Object.keys(h).filter((k) => k.startsWith('access-control-'));
const preflight = (origin: string) => ({
  Origin: origin,
  'Access-Control-Request-Method': 'POST',
  'Access-Control-Request-Headers': 'authorization, content-type',
});

describe('securityHeaders', () => {
  it('sets the strict headers on every response, and no-store under /api only', async () => {
    const port = await start({ corsOrigins: [] });
    for (const path of ['/api/things', '/metrics', '/apiary']) {
      const r = await send(port, 'GET', path);
      expect(r.headers, path).toMatchObject({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'referrer-policy': 'no-referrer',
        'content-security-policy':
          "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
      });
      expect(r.headers['strict-transport-security'], path).toBeUndefined();
    }
    expect((await send(port, 'GET', '/api/things?x=1')).headers['cache-control']).toBe('no-store');
    expect((await send(port, 'GET', '/api/nope')).headers['cache-control']).toBe('no-store');
    expect((await send(port, 'GET', '/metrics')).headers['cache-control']).toBeUndefined();
    expect((await send(port, 'GET', '/apiary')).headers['cache-control']).toBeUndefined();
  });

  it('sends no CORS headers at all when no origins are configured', async () => {
    const port = await start({ corsOrigins: [] });
    const r = await send(port, 'GET', '/api/things', { Origin: GRAFANA });
    expect(r.status).toBe(200);
    expect(corsHeaders(r.headers)).toEqual([]);
    expect(r.headers.vary).toBeUndefined();

    const pre = await send(port, 'OPTIONS', '/api/things', preflight(GRAFANA));
    expect(pre.status).toBe(403);
    expect(corsHeaders(pre.headers)).toEqual([]);
    expect(JSON.parse(pre.body)).toEqual({
      error: { code: 'cors_forbidden', message: 'origin not allowed' },
    });
  });

  it('allows a configured origin (config may spell it with a trailing slash)', async () => {
    const port = await start({ corsOrigins: [`${GRAFANA}/`, 'https://other.example'] });
    const r = await send(port, 'GET', '/api/things', { Origin: GRAFANA });
    expect(r.status).toBe(200);
    expect(r.headers).toMatchObject({
      'access-control-allow-origin': GRAFANA,
      'access-control-expose-headers': 'Retry-After',
      vary: 'Origin',
    });
    expect(r.headers['access-control-allow-credentials']).toBeUndefined();

    const pre = await send(port, 'OPTIONS', '/api/things', preflight(GRAFANA));
    expect(pre.status).toBe(204);
    expect(pre.body).toBe('');
    expect(pre.headers).toMatchObject({
      'access-control-allow-origin': GRAFANA,
      'access-control-allow-methods': 'GET, POST, PUT, PATCH, DELETE',
      'access-control-allow-headers': 'Authorization, Content-Type',
      'access-control-max-age': '600',
      vary: 'Origin',
    });
  });

  it('ignores other origins: no CORS headers, and their preflight gets 403', async () => {
    const port = await start({ corsOrigins: [GRAFANA] });
    for (const origin of ['https://evil.example', 'http://grafana.example:3000', `${GRAFANA}.evil`, 'null']) {
      const r = await send(port, 'GET', '/api/things', { Origin: origin });
      expect(r.status, origin).toBe(200);
      expect(corsHeaders(r.headers), origin).toEqual([]);
      // The answer depends on Origin once CORS is configured, so shared caches must key on it.
      expect(r.headers.vary, origin).toBe('Origin');

      const pre = await send(port, 'OPTIONS', '/api/things', preflight(origin));
      expect(pre.status, origin).toBe(403);
      expect(corsHeaders(pre.headers), origin).toEqual([]);
    }
    const noOrigin = await send(port, 'GET', '/api/things');
    expect(corsHeaders(noOrigin.headers)).toEqual([]);
  });

  it('lets a plain OPTIONS (not a preflight) through to the app', async () => {
    const port = await start({ corsOrigins: [GRAFANA] });
    const r = await send(port, 'OPTIONS', '/api/things');
    expect(r.status).toBe(200);
    expect(r.headers.allow).toBe('GET, HEAD, POST');
    expect(corsHeaders(r.headers)).toEqual([]);
  });

  it("adds and overrides headers from the web config's http_server_config", async () => {
    const port = await start({
      corsOrigins: [],
      extraHeaders: { 'Strict-Transport-Security': 'max-age=31536000', 'X-Frame-Options': 'sameorigin' },
    });
    const r = await send(port, 'GET', '/metrics');
    expect(r.headers).toMatchObject({
      'strict-transport-security': 'max-age=31536000',
      'x-frame-options': 'sameorigin',
      'x-content-type-options': 'nosniff',
    });
  });

  it('refuses origins that are not http(s) URLs', () => {
    expect(() => securityHeaders({ corsOrigins: ['file:///tmp/x'] })).toThrow(
      new ConfigError('CORS origin "file:///tmp/x" must be an http or https URL'),
    );
    expect(() => securityHeaders({ corsOrigins: ['grafana'] })).toThrow(
      new ConfigError('CORS origin "grafana" is not a URL'),
    );
  });
});
