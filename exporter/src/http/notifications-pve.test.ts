import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../auth/audit.js';
import { startFakePveApi } from '../pve/fixtures/api-server.js';
import {
  createApiClient,
  createPveAccess,
  createPveshClient,
  type PveClient,
  type PveParams,
} from '../pve/index.js';
import { createExec } from '../sources/exec.js';
import { fail, ok, type Result } from '../sources/source.js';
import { openStore, type Db } from '../store/db.js';
import { scopeViolations, serveRouters, type RouterServer } from '../test-support/serve-routers.js';
import { createPveWebhookRouter, PVE_WEBHOOK_BODY, receiverUrlProblem } from './notifications-pve.js';
import type { ApiRouter } from './route.js';

const pveshRecorded = fileURLToPath(new URL('../../../tests/fake-bin/pvesh-recorded', import.meta.url));
const argsLog = join(mkdtempSync(join(tmpdir(), 'proxmon-pvesh-notify-')), 'calls.log');
process.env.PVESH_ARGS_LOG = argsLog;
const pveshCalls = () => readFileSync(argsLog, 'utf8').split('\n').filter(Boolean);

/** The values the recorded routes (fixtures/pve/routes.json) were written for. */
const SECRET = 'pve-webhook-secret-0123456789';
const b64 = (s: string) => Buffer.from(s).toString('base64');
const TARGET_ARGS = (url: string) =>
  `--method post --url ${url} --header name=Content-Type,value=${b64('application/json')} ` +
  `--header name=X-Proxmon-Secret,value=${b64('{{ secrets.proxmon }}')} --body ${b64(PVE_WEBHOOK_BODY)} ` +
  `--secret name=proxmon,value=${b64(SECRET)} --comment managed by proxmon`;
const LISTS = [
  'get /cluster/notifications/endpoints/webhook --output-format json',
  'get /cluster/notifications/matchers --output-format json',
];
const ADMIN = ['read', 'write', 'admin'] as const;

let db: Db;
let audit: AuditLog;
let srv: RouterServer;
let router: ApiRouter;
const auditOf = (action: string) =>
  audit
    .page(100)
    .entries.filter((e) => e.action === action)
    .map((e) => ({ actor: e.actor, target: e.target, detail: e.detail }));

beforeAll(async () => {
  db = openStore(mkdtempSync(join(tmpdir(), 'proxmon-pve-webhook-')));
  audit = new AuditLog(db);
  const pve = createPveAccess({
    client: createPveshClient(createExec({ pvesh: pveshRecorded })),
    hostname: 'pve',
  });
  router = createPveWebhookRouter({ pve, audit, pveWebhookSecret: SECRET });
  srv = await serveRouters([router]);
});
afterAll(async () => {
  await srv.close();
  db.close();
});
beforeEach(() => writeFileSync(argsLog, ''));

describe('PVE webhook setup through pvesh', () => {
  it('updates an existing proxmon target and matcher (a second setup is an update)', async () => {
    const url = 'http://192.0.2.10:8008/api/notifications/pve-webhook';
    const r = await srv.call('POST', '/api/notifications/pve-webhook/setup', {
      scopes: ADMIN,
      body: { url, severities: ['warning', 'error', 'warning'] },
    });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      name: 'proxmon',
      url,
      endpoint: 'updated',
      matcher: 'updated',
      severities: ['warning', 'error'],
    });
    expect(pveshCalls()).toEqual([
      ...LISTS,
      `set /cluster/notifications/endpoints/webhook/proxmon --output-format json ${TARGET_ARGS(url)} --delete disable`,
      'set /cluster/notifications/matchers/proxmon --output-format json --target proxmon --mode all ' +
        '--match-severity warning,error --comment managed by proxmon --delete disable',
    ]);
    expect(r.text).not.toContain(SECRET);
    expect(r.text).not.toContain(b64(SECRET));
    expect(auditOf('pve_webhook_setup')[0]).toEqual({
      actor: 'tester (token test)',
      target: 'proxmon',
      detail: { url, endpoint: 'updated', matcher: 'updated', severities: ['warning', 'error'] },
    });
    expect(JSON.stringify(audit.page(100))).not.toContain(SECRET);
  });

  it('creates both under a new name, target first, with the secret only in the secret entry', async () => {
    const url = 'http://192.0.2.11:8008/api/notifications/pve-webhook';
    const r = await srv.call('POST', '/api/notifications/pve-webhook/setup', {
      scopes: ADMIN,
      body: { url, name: 'pve2' },
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ name: 'pve2', endpoint: 'created', matcher: 'created', severities: null });
    expect(pveshCalls()).toEqual([
      ...LISTS,
      `create /cluster/notifications/endpoints/webhook --output-format json --name pve2 ${TARGET_ARGS(url)}`,
      'create /cluster/notifications/matchers --output-format json --name pve2 --target pve2 --mode all ' +
        '--comment managed by proxmon',
    ]);
  });

  it('leaves a target someone else made alone: 409, nothing written', async () => {
    const r = await srv.call('POST', '/api/notifications/pve-webhook/setup', {
      scopes: ADMIN,
      body: { url: 'http://192.0.2.10:8008/api/notifications/pve-webhook', name: 'team-chat' },
    });
    expect(r.status).toBe(409);
    expect(r.body).toEqual({
      error: { code: 'conflict', message: expect.stringMatching(/not made by proxmon/) },
    });
    expect(pveshCalls()).toEqual(LISTS);
    const cleanup = await srv.call('DELETE', '/api/notifications/pve-webhook/setup?name=team-chat', {
      scopes: ADMIN,
    });
    expect(cleanup.status).toBe(409);
    expect(pveshCalls()).toEqual([...LISTS, ...LISTS]);
  });

  it('answers a PVE refusal as 502 pve_error, with the secret masked out of its reason', async () => {
    const r = await srv.call('POST', '/api/notifications/pve-webhook/setup', {
      scopes: ADMIN,
      body: { url: 'http://192.0.2.12:8008/api/notifications/pve-webhook', name: 'refused' },
    });
    expect(r.status).toBe(502);
    expect(r.body).toEqual({
      error: {
        code: 'pve_error',
        message:
          '400 Parameter verification failed. (secret[0]: invalid format - name=proxmon,value=<masked>)',
      },
    });
    expect(r.text).not.toContain(b64(SECRET));
    expect(pveshCalls()).toHaveLength(3);
  });

  it('cleans up the matcher, then the target; absent ones are fine', async () => {
    const r = await srv.call('DELETE', '/api/notifications/pve-webhook/setup', { scopes: ADMIN });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ name: 'proxmon', endpoint: 'deleted', matcher: 'deleted' });
    expect(pveshCalls()).toEqual([
      ...LISTS,
      'delete /cluster/notifications/matchers/proxmon --output-format json',
      'delete /cluster/notifications/endpoints/webhook/proxmon --output-format json',
    ]);
    writeFileSync(argsLog, '');
    const gone = await srv.call('DELETE', '/api/notifications/pve-webhook/setup?name=gone', {
      scopes: ADMIN,
    });
    expect(gone.status).toBe(200);
    expect(gone.body).toEqual({ name: 'gone', endpoint: 'absent', matcher: 'absent' });
    expect(pveshCalls()).toEqual(LISTS);
    expect(auditOf('pve_webhook_cleanup').map((a) => [a.target, a.detail])).toEqual([
      ['gone', { endpoint: 'absent', matcher: 'absent' }],
      ['proxmon', { endpoint: 'deleted', matcher: 'deleted' }],
    ]);
  });

  it('reports the current state to a reader', async () => {
    const r = await srv.call('GET', '/api/notifications/pve-webhook/setup', { scopes: ['read'] });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      name: 'proxmon',
      receiver_configured: true,
      endpoint: {
        exists: true,
        managed: true,
        url: 'http://192.0.2.10:8008/api/notifications/pve-webhook',
        disabled: false,
      },
      matcher: { exists: true, managed: true, severities: ['warning', 'error'] },
    });
    const other = await srv.call('GET', '/api/notifications/pve-webhook/setup?name=team-chat', {
      scopes: ['read'],
    });
    expect(other.body).toMatchObject({
      endpoint: { exists: true, managed: false, disabled: true },
      matcher: { exists: true, managed: false, severities: null },
    });
  });
});

describe('validation and scopes', () => {
  it('refuses a bad receiver URL with 400 before asking PVE', async () => {
    for (const url of [
      'not a url',
      'ftp://192.0.2.10/hook',
      'http://admin:pw@192.0.2.10:8008/api/notifications/pve-webhook',
      'http://192.0.2.10:8008/{{ secrets.proxmon }}',
      '/api/notifications/pve-webhook',
    ]) {
      const r = await srv.call('POST', '/api/notifications/pve-webhook/setup', {
        scopes: ADMIN,
        body: { url },
      });
      expect(r.status, url).toBe(400);
      expect(r.body, url).toMatchObject({
        error: { code: 'validation_error', message: expect.stringMatching(/^url: /) },
      });
    }
    const noUrl = await srv.call('POST', '/api/notifications/pve-webhook/setup', { scopes: ADMIN, body: {} });
    expect(noUrl.status).toBe(400);
    expect(noUrl.body).toMatchObject({ error: { message: expect.stringMatching(/^url: required/) } });
    const badName = await srv.call('POST', '/api/notifications/pve-webhook/setup', {
      scopes: ADMIN,
      body: { url: 'http://192.0.2.10/x', name: '../x' },
    });
    expect(badName.status).toBe(400);
    expect(pveshCalls()).toEqual([]);
  });

  it('needs the admin scope to change anything (403 for a read or write token, 401 anonymous)', async () => {
    for (const scopes of [['read'], ['read', 'write']] as const) {
      const r = await srv.call('POST', '/api/notifications/pve-webhook/setup', {
        scopes,
        body: { url: 'http://192.0.2.10:8008/api/notifications/pve-webhook' },
      });
      expect(r.status).toBe(403);
      expect((await srv.call('DELETE', '/api/notifications/pve-webhook/setup', { scopes })).status).toBe(403);
    }
    expect(await scopeViolations(srv, [router])).toEqual([]);
    expect(pveshCalls()).toEqual([]);
  });

  it('documents the three routes in the OpenAPI document the app serves', async () => {
    const doc = await srv.call('GET', '/api/openapi.json', { scopes: ['read'] });
    const paths = doc.body.paths as Record<string, Record<string, { 'x-auth': string }>>;
    const setup = paths['/api/notifications/pve-webhook/setup']!;
    expect(Object.keys(setup).sort()).toEqual(['delete', 'get', 'post']);
    expect([setup.get!['x-auth'], setup.post!['x-auth'], setup.delete!['x-auth']]).toEqual([
      'read',
      'admin',
      'admin',
    ]);
  });

  it('receiverUrlProblem accepts http(s) URLs only, without credentials or braces', () => {
    expect(receiverUrlProblem('https://proxmon.lan:8008/api/notifications/pve-webhook')).toBeUndefined();
    expect(receiverUrlProblem('http://[::1]:8008/api/notifications/pve-webhook')).toBeUndefined();
    expect(receiverUrlProblem('http://h/\n')).toMatch(/control/);
    expect(receiverUrlProblem(`http://h/${'a'.repeat(1100)}`)).toMatch(/1024/);
  });
});

/** A PveClient answering from a table and recording calls, for replies the recorded routes lack. */
function fakeClient(reply: (verb: string, path: string) => Result<unknown>) {
  const calls: Array<[string, string, PveParams | undefined]> = [];
  const answer = (verb: string) => (path: string, params?: PveParams) => {
    calls.push([verb, path, params]);
    return Promise.resolve(reply(verb, path));
  };
  const client: PveClient = {
    mode: 'api',
    get: answer('GET') as PveClient['get'],
    post: answer('POST') as PveClient['post'],
    put: answer('PUT') as PveClient['put'],
    delete: answer('DELETE') as PveClient['delete'],
    close: () => {},
  };
  return { client, calls };
}

describe('with a fake PVE client', () => {
  const serve = async (reply: (verb: string, path: string) => Result<unknown>, secret?: string) => {
    const fake = fakeClient(reply);
    const s = await serveRouters([
      createPveWebhookRouter({
        pve: createPveAccess({ client: fake.client, hostname: 'pve' }),
        audit,
        pveWebhookSecret: secret,
        receiverUrl: 'http://127.0.0.1:8008/api/notifications/pve-webhook',
      }),
    ]);
    return { ...fake, s };
  };
  const ours = [{ name: 'proxmon', comment: 'managed by proxmon', 'match-severity': ['error'] }];

  it('an update without severities removes an earlier severity filter; the URL defaults to the configured one', async () => {
    const { s, calls } = await serve((verb) => ok(verb === 'GET' ? ours : null), SECRET);
    try {
      const r = await s.call('POST', '/api/notifications/pve-webhook/setup', { scopes: ADMIN, body: {} });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({
        url: 'http://127.0.0.1:8008/api/notifications/pve-webhook',
        severities: null,
      });
      expect(calls.map(([v, p]) => `${v} ${p}`)).toEqual([
        'GET /cluster/notifications/endpoints/webhook',
        'GET /cluster/notifications/matchers',
        'PUT /cluster/notifications/endpoints/webhook/proxmon',
        'PUT /cluster/notifications/matchers/proxmon',
      ]);
      expect(calls[3]![2]).toEqual({
        target: ['proxmon'],
        mode: 'all',
        comment: 'managed by proxmon',
        delete: ['disable', 'match-severity'],
      });
      expect(calls[2]![2]).toMatchObject({ url: 'http://127.0.0.1:8008/api/notifications/pve-webhook' });
    } finally {
      await s.close();
    }
  });

  it('409 without a configured receiver secret, before asking PVE', async () => {
    const { s, calls } = await serve(() => ok([]));
    try {
      const r = await s.call('POST', '/api/notifications/pve-webhook/setup', { scopes: ADMIN, body: {} });
      expect(r.status).toBe(409);
      expect(r.body).toMatchObject({ error: { message: expect.stringMatching(/pve_webhook_secret/) } });
      expect(calls).toEqual([]);
    } finally {
      await s.close();
    }
  });

  it('maps PVE failures: timeout 504, not a PVE host 503, an old PVE 502 with a hint, a strange reply 502', async () => {
    const cases: Array<[Result<unknown>, number, RegExp]> = [
      [
        fail('timeout', 'PVE API GET /cluster/notifications/endpoints/webhook: timed out'),
        504,
        /did not answer/,
      ],
      [fail('absent', 'pvesh: not found'), 503, /not available here/],
      [
        fail('exit', "No 'get' handler defined for '/cluster/notifications/endpoints/webhook'"),
        502,
        /8\.2 or newer/,
      ],
      [ok({ not: 'a list' }), 502, /unexpected shape/],
    ];
    for (const [reply, status, message] of cases) {
      const { s } = await serve(() => reply, SECRET);
      try {
        const r = await s.call('DELETE', '/api/notifications/pve-webhook/setup', { scopes: ADMIN });
        expect(r.status).toBe(status);
        expect((r.body.error as { message: string }).message).toMatch(message);
      } finally {
        await s.close();
      }
    }
  });

  it('a failing matcher write after the target was written is a 502 (setup again repairs it)', async () => {
    const { s, calls } = await serve(
      (verb, path) =>
        verb === 'GET'
          ? ok([])
          : path.includes('matchers')
            ? fail('exit', '500 internal server error')
            : ok(null),
      SECRET,
    );
    try {
      const r = await s.call('POST', '/api/notifications/pve-webhook/setup', { scopes: ADMIN, body: {} });
      expect(r.status).toBe(502);
      expect(calls.map(([v]) => v)).toEqual(['GET', 'GET', 'POST', 'POST']);
    } finally {
      await s.close();
    }
  });
});

describe('array parameters', () => {
  it('repeat their key in the API client form body, as PVE expects for header and secret entries', async () => {
    const api = await startFakePveApi('PVEAPIToken=t@pve!x=s');
    const client = createApiClient({
      baseUrl: api.url,
      tokenId: 't@pve!x',
      tokenSecret: 's',
      tls: { verify: true, caFile: api.caFile },
    });
    try {
      await client.post('/cluster/notifications/matchers', { name: 'm', target: ['a', 'b'], mode: 'all' });
      expect(api.requests.at(-1)).toMatchObject({
        method: 'POST',
        body: 'name=m&target=a&target=b&mode=all',
      });
    } finally {
      client.close();
      await api.close();
    }
  });
});
