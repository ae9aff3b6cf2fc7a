import { once } from 'node:events';
import { createServer, request, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { Gauge, Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetricsRenderer, type MetricsRenderer } from '../metrics/render.js';
import { silentLogger } from '../test-support/tools.js';
import { createApp } from './app.js';
import { fixedSecurityHeaders, securityHeaders } from './headers.js';
import { withMetricsFastPath } from './metrics-fast-path.js';

const security = { corsOrigins: [], extraHeaders: { 'X-Extra': 'yes', 'X-Frame-Options': 'SAMEORIGIN' } };

function renderer(): MetricsRenderer {
  const registry = new Registry();
  new Gauge({ name: 'fast_path_test', help: 'a test gauge', registers: [registry] }).set(42);
  return createMetricsRenderer(registry, { generation: () => 1, maxAgeMs: 60_000 });
}

function appWith(metrics: MetricsRenderer): RequestListener {
  const app = createApp({
    logger: silentLogger(),
    metrics,
    routers: [],
    bodyLimit: '1kb',
    version: '0.0.0-test',
    headers: securityHeaders(security),
  });
  return app as unknown as RequestListener;
}

async function listen(handler: RequestListener): Promise<{ server: Server; port: number }> {
  const server = createServer(handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port };
}

interface Answer {
  status: number;
  headers: Record<string, unknown>;
  body: string;
}

function send(port: number, method: string, path: string, headers: Record<string, string> = {}) {
  return new Promise<Answer>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        const { date: _date, connection: _connection, 'keep-alive': _keepAlive, ...rest } = res.headers;
        const gzipped = res.headers['content-encoding'] === 'gzip' && raw.length > 0;
        resolve({
          status: res.statusCode ?? 0,
          headers: rest,
          body: (gzipped ? gunzipSync(raw) : raw).toString(),
        });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the /metrics fast path', () => {
  const metrics = renderer();
  let appCalls = 0;
  const app = appWith(metrics);
  let viaExpress: { server: Server; port: number };
  let viaFastPath: { server: Server; port: number };
  beforeAll(async () => {
    viaExpress = await listen(app);
    const counted: RequestListener = (req, res) => {
      appCalls++;
      app(req, res);
    };
    viaFastPath = await listen(withMetricsFastPath(counted, metrics, fixedSecurityHeaders(security) ?? []));
  });
  afterAll(() => {
    viaExpress.server.close();
    viaFastPath.server.close();
  });

  const scrapes: Array<[string, string, Record<string, string>]> = [
    ['GET', '/metrics', {}],
    ['GET', '/metrics', { 'accept-encoding': 'gzip, deflate' }],
    ['GET', '/metrics', { 'accept-encoding': 'gzip;q=0, identity' }],
    ['GET', '/metrics', { 'accept-encoding': '*' }],
    ['GET', '/metrics?name[]=x', { 'accept-encoding': 'gzip' }],
    ['HEAD', '/metrics', { 'accept-encoding': 'gzip' }],
  ];
  const others: Array<[string, string, Record<string, string>]> = [
    ['POST', '/metrics', {}],
    ['GET', '/metrics/', {}],
    ['GET', '/metricsx', {}],
    ['GET', '/healthz', {}],
    ['OPTIONS', '/metrics', { origin: 'https://elsewhere.example', 'access-control-request-method': 'GET' }],
  ];

  it('answers plain scrapes itself, exactly as express would', async () => {
    for (const [method, path, headers] of scrapes) {
      const before = appCalls;
      const fast = await send(viaFastPath.port, method, path, headers);
      expect(appCalls, `${method} ${path}`).toBe(before);
      expect(fast, `${method} ${path} ${JSON.stringify(headers)}`).toEqual(
        await send(viaExpress.port, method, path, headers),
      );
      expect(fast.status).toBe(200);
      expect(fast.headers['x-extra']).toBe('yes');
      if (method === 'GET') expect(fast.body).toMatch(/^fast_path_test 42$/m);
    }
  });

  it('hands every other request to express', async () => {
    for (const [method, path, headers] of others) {
      const before = appCalls;
      const fast = await send(viaFastPath.port, method, path, headers);
      expect(appCalls, `${method} ${path}`).toBe(before + 1);
      expect(fast).toEqual(await send(viaExpress.port, method, path, headers));
    }
  });

  it('hands a scrape whose rendering fails to express, which answers 500', async () => {
    const broken: MetricsRenderer = {
      contentType: 'text/plain',
      text: () => Promise.reject(new Error('render failed')),
      gzipped: () => Promise.reject(new Error('render failed')),
    };
    const { server, port } = await listen(withMetricsFastPath(appWith(broken), broken, []));
    try {
      const r = await send(port, 'GET', '/metrics', { 'accept-encoding': 'gzip' });
      expect(r.status).toBe(500);
      expect(JSON.parse(r.body)).toMatchObject({ error: { code: 'internal_error' } });
    } finally {
      server.close();
    }
  });

  it('is not offered when CORS makes headers depend on the request', () => {
    expect(fixedSecurityHeaders({ corsOrigins: ['https://grafana.example'] })).toBeUndefined();
    expect(fixedSecurityHeaders({ corsOrigins: [] })).toContainEqual(['X-Content-Type-Options', 'nosniff']);
  });
});
