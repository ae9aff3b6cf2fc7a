import { request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../test-support/server.js';

let server: Awaited<ReturnType<typeof startTestServer>>;
let auth: Record<string, string>;
beforeAll(async () => {
  server = await startTestServer();
  auth = { authorization: `Bearer ${await server.adminToken()}` };
});
afterAll(() => server.stop());

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function send(
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: Buffer | string,
): Promise<Raw> {
  return new Promise((resolve, reject) => {
    // A connection per request: after a request the server refused (and closed), Node's default
    // keep-alive agent could hand that closing socket to the next request, which then "hangs up".
    const req = request(
      { host: '127.0.0.1', port: server.port, method, path, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      },
    );
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

const json = (r: Raw) => JSON.parse(r.body.toString()) as Record<string, unknown>;

describe('HTTP skeleton', () => {
  it('answers /healthz without auth', async () => {
    const r = await send('GET', '/healthz');
    expect(r.status).toBe(200);
    expect(json(r)).toMatchObject({ status: 'ok' });
  });

  it('serves /metrics plain, and gzipped when asked', async () => {
    const plain = await send('GET', '/metrics');
    expect(plain.status).toBe(200);
    expect(plain.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(plain.body.toString()).toMatch(/^proxmon_build_info\{version="[^"]+",node_version="v\d+/m);
    const zipped = await send('GET', '/metrics', { 'accept-encoding': 'gzip, deflate' });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers.vary).toBe('Accept-Encoding');
    expect(gunzipSync(zipped.body).toString()).toMatch(/^# HELP proxmon_source_up /m);
  });

  it('renders errors in one shape', async () => {
    const missing = await send('GET', '/api/nope');
    expect(missing.status).toBe(404);
    expect(json(missing)).toEqual({ error: { code: 'not_found', message: 'no route GET /api/nope' } });
    const badJson = await send('POST', '/api/auth/login', { 'content-type': 'application/json' }, '{"a":');
    expect(badJson.status).toBe(400);
    expect(json(badJson)).toEqual({
      error: { code: 'invalid_json', message: 'request body is not valid JSON' },
    });
    const big = await send(
      'POST',
      '/api/system',
      { 'content-type': 'application/json' },
      `"${'x'.repeat(2_000_000)}"`,
    );
    expect(big.status).toBe(413);
    expect(json(big)).toMatchObject({ error: { code: 'payload_too_large' } });
  });

  it('describes itself at /api/openapi.json', async () => {
    const doc = json(await send('GET', '/api/openapi.json', auth)) as {
      openapi: string;
      paths: Record<
        string,
        { get?: { responses: Record<string, { content: Record<string, { schema: unknown }> }> } }
      >;
    };
    expect(doc.openapi).toBe('3.0.3');
    const schema = doc.paths['/api/system']?.get?.responses['200']?.content['application/json']?.schema as {
      properties: Record<string, unknown>;
    };
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining([
        'hostname',
        'kernel',
        'uptime_seconds',
        'load',
        'cpu',
        'memory',
        'temperature_celsius',
      ]),
    );
  });

  it('GET /api/system reports this host from the snapshots', async () => {
    // Sources start in the background; wait for the ones /api/system reads.
    let body: Record<string, unknown> = {};
    for (let i = 0; i < 50; i++) {
      body = json(await send('GET', '/api/system', auth));
      if ((body.stale_sources as string[]).length === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(body.stale_sources).toEqual([]);
    expect(body.hostname).toEqual(expect.any(String));
    expect(body.kernel).toMatch(/^\d+\.\d+/);
    expect((body.cpu as { count: number }).count).toBeGreaterThan(0);
    const mem = body.memory as { total_bytes: number; used_bytes: number; usage_ratio: number };
    expect(mem.total_bytes).toBeGreaterThan(mem.used_bytes);
    expect(mem.usage_ratio).toBeGreaterThan(0);
    expect(mem.usage_ratio).toBeLessThan(1);
  });

  it('survives random methods, paths, headers and bodies without a 5xx', async () => {
    const token = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}$/);
    const method = fc.oneof(
      fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE'),
      token.map((t) => t.toUpperCase()),
    );
    const segment = fc.oneof(
      fc.constantFrom(
        'api',
        'system',
        'metrics',
        'healthz',
        'openapi.json',
        '..',
        '%',
        '%zz',
        '%2e%2e',
        '%00',
        '',
        '~',
      ),
      fc.string({ maxLength: 8 }).map(encodeURIComponent),
    );
    const path = fc
      .tuple(fc.array(segment, { maxLength: 5 }), fc.option(fc.string({ maxLength: 20 })))
      .map(([segs, q]) => `/${segs.join('/')}${q === null ? '' : `?${encodeURI(q)}`}`);
    const headerValue = fc.stringMatching(/^[\x20-\x7e]{0,40}$/);
    const headers = fc.dictionary(
      fc.constantFrom(
        'content-type',
        'accept',
        'accept-encoding',
        'content-encoding',
        'x-forwarded-for',
        'authorization',
        'x-any',
      ),
      fc.oneof(
        headerValue,
        fc.constantFrom(
          'application/json',
          'application/json; charset=latin1',
          'gzip',
          'br',
          'text/plain',
          '*/*',
        ),
      ),
    );
    const body = fc.option(
      fc.oneof(
        fc.json().map((s) => Buffer.from(s)),
        fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
      ),
    );
    await fc.assert(
      fc.asyncProperty(method, path, headers, body, fc.boolean(), async (m, p, h, b, signedIn) => {
        const r = await send(m, p, signedIn ? { ...h, ...auth } : h, b ?? undefined).catch((err: Error) => ({
          status: 0,
          error: err.message,
        }));
        // A socket error means Node's parser refused the request line (e.g. an invalid method): a 400, never a crash.
        if (r.status !== 0) expect(r.status, `${m} ${p}`).toBeLessThan(500);
      }),
      { numRuns: 300 },
    );
    expect((await send('GET', '/healthz')).status).toBe(200);
  });
});
