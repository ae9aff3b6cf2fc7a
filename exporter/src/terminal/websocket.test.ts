import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionMembers } from './process-tree.js';
import { isRunning, startTerminalHarness, type TerminalHarness } from '../test-support/terminal.js';
import { originAllowed } from './websocket.js';

describe('originAllowed', () => {
  const allowed = ['https://grafana.example.com'];
  it('allows no Origin (not a browser), the same host, and listed origins', () => {
    expect(originAllowed(undefined, 'pve:8008', [])).toBe(true);
    expect(originAllowed('http://pve:8008', 'pve:8008', [])).toBe(true);
    expect(originAllowed('https://PVE.example.com', 'pve.example.com:443', [])).toBe(true);
    expect(originAllowed('https://grafana.example.com', 'pve:8008', allowed)).toBe(true);
  });

  it('refuses other sites, other ports, opaque and non-web origins', () => {
    expect(originAllowed('https://evil.example', 'pve:8008', allowed)).toBe(false);
    expect(originAllowed('http://pve:9999', 'pve:8008', [])).toBe(false);
    expect(originAllowed('https://grafana.example.com:3000', 'pve:8008', allowed)).toBe(false);
    expect(originAllowed('null', 'pve:8008', [])).toBe(false);
    expect(originAllowed('file://pve:8008', 'pve:8008', [])).toBe(false);
    expect(originAllowed('http://pve:8008', undefined, [])).toBe(false);
  });
});

const PASSWORD = 'a long enough test password';

describe('terminal handshake', () => {
  let h: TerminalHarness;
  let admin: string;
  beforeAll(async () => {
    h = await startTerminalHarness(
      { allowed_origins: ['https://grafana.example.com'] },
      // A long start delay: a socket that sends nothing never gets a PTY here.
      { trustedProxies: ['127.0.0.1/32'], startDelayMs: 10_000 },
    );
    admin = await h.login();
  });
  afterAll(async () => {
    await h.stop();
    for (const pid of h.spawned) {
      expect(isRunning(pid), `pid ${pid}`).toBe(false);
      expect(await sessionMembers(pid)).toEqual([]);
    }
  });

  const createUser = async (username: string, role: 'admin' | 'viewer') => {
    const r = await h.call('POST', '/api/auth/users', {
      token: admin,
      body: { username, password: PASSWORD, role },
    });
    expect(r.status).toBe(201);
    return { id: r.body.id as number, token: await h.login(username, PASSWORD) };
  };

  it('each route answers 401 anonymous and 403 under-scoped', async () => {
    const viewer = await createUser('viewer', 'viewer');
    const read = (
      await h.call('POST', '/api/auth/tokens', { token: admin, body: { name: 'ro', scopes: ['read'] } })
    ).body.token as string;
    const terminalOnly = (
      await h.call('POST', '/api/auth/tokens', {
        token: admin,
        body: { name: 'term', scopes: ['terminal'] },
      })
    ).body.token as string;
    const id = '00000000-0000-4000-8000-000000000000';
    for (const [method, path] of [
      ['POST', '/api/terminal/ticket'],
      ['GET', '/api/terminal/sessions'],
      ['DELETE', `/api/terminal/sessions/${id}`],
    ] as const) {
      expect((await h.call(method, path)).status, `${method} ${path}`).toBe(401);
      expect((await h.call(method, path, { token: viewer.token })).status, `${method} ${path}`).toBe(403);
    }
    // A read token cannot get a ticket; a terminal token can, but cannot see or end sessions.
    expect((await h.call('POST', '/api/terminal/ticket', { token: read })).status).toBe(403);
    expect((await h.call('POST', '/api/terminal/ticket', { token: terminalOnly })).status).toBe(201);
    expect((await h.call('GET', '/api/terminal/sessions', { token: terminalOnly })).status).toBe(403);
    expect((await h.call('DELETE', `/api/terminal/sessions/${id}`, { token: admin })).status).toBe(404);
  });

  it('refuses no ticket, a made-up, used, expired or foreign-address ticket before any PTY exists', async () => {
    const spawnedBefore = h.spawned.length;
    const refused = async (opts: Parameters<TerminalHarness['connect']>[0]) => {
      const c = await h.connect(opts);
      expect(c.ok).toBe(false);
      return c.ok ? 0 : c.status;
    };
    expect(await refused({})).toBe(401);
    expect(await refused({ ticket: 'not-a-ticket' })).toBe(401);

    const used = await h.ticket(admin);
    const first = await h.connect({ ticket: used });
    expect(first.ok).toBe(true);
    if (first.ok) {
      first.client.ws.close();
      await first.client.closed;
    }
    expect(await refused({ ticket: used })).toBe(401);

    const old = await h.ticket(admin);
    h.clock.skewMs = 31_000;
    try {
      expect(await refused({ ticket: old })).toBe(401);
    } finally {
      h.clock.skewMs = 0;
    }

    // 127.0.0.1 is a trusted proxy here, so X-Forwarded-For names the client, as it would in production.
    const bound = await h.ticket(admin, { 'x-forwarded-for': '198.51.100.1' });
    expect(await refused({ ticket: bound, headers: { 'x-forwarded-for': '198.51.100.2' } })).toBe(401);
    expect(await refused({ ticket: bound, headers: { 'x-forwarded-for': '198.51.100.1' } })).toBe(401);

    // The one that connected closed before its first frame: no PTY at all.
    expect(h.spawned.length).toBe(spawnedBefore);
  });

  it('refuses a ticket whose user was deleted or demoted since', async () => {
    const spawnedBefore = h.spawned.length;
    const gone = await createUser('gone', 'admin');
    const t1 = await h.ticket(gone.token);
    expect((await h.call('DELETE', `/api/auth/users/${gone.id}`, { token: admin })).status).toBe(200);
    const r1 = await h.connect({ ticket: t1 });
    expect(r1.ok ? 0 : r1.status).toBe(401);

    const demoted = await createUser('demoted', 'admin');
    const t2 = await h.ticket(demoted.token);
    await h.call('PATCH', `/api/auth/users/${demoted.id}`, { token: admin, body: { role: 'viewer' } });
    const r2 = await h.connect({ ticket: t2 });
    expect(r2.ok ? 0 : r2.status).toBe(403);
    expect(h.spawned.length).toBe(spawnedBefore);
  });

  it('checks Origin before the ticket: other sites get 403 and the ticket stays unused', async () => {
    const t = await h.ticket(admin);
    const evil = await h.connect({ ticket: t, headers: { origin: 'https://evil.example' } });
    expect(evil.ok ? 0 : evil.status).toBe(403);
    if (!evil.ok)
      expect(JSON.parse(evil.body)).toEqual({ error: { code: 'forbidden', message: expect.any(String) } });
    const same = await h.connect({ ticket: t, headers: { origin: h.url } });
    expect(same.ok).toBe(true);
    if (same.ok) same.client.ws.close();
    const listed = await h.connect({
      ticket: await h.ticket(admin),
      headers: { origin: 'https://grafana.example.com' },
    });
    expect(listed.ok).toBe(true);
    if (listed.ok) listed.client.ws.close();
  });

  it('takes the ticket as a subprotocol and echoes it back', async () => {
    const c = await h.connect({ ticket: await h.ticket(admin), asProtocol: true });
    expect(c.ok).toBe(true);
    if (!c.ok) return;
    expect(c.client.ws.protocol).toMatch(/^proxmon\.ticket\./);
    c.client.type('echo sub-$((40+2))\r');
    await c.client.waitFor(/sub-42/);
    c.client.ws.close();
    await c.client.closed;
  });

  it('answers other upgrade paths 404 and leaves them alone when another listener exists', async () => {
    const other = await h.connect({ path: '/api/other/ws' });
    expect(other.ok ? 0 : other.status).toBe(404);
    let seen = '';
    const listener = (req: { url?: string }, socket: { destroy(): void }) => {
      seen = req.url ?? '';
      socket.destroy();
    };
    h.server.on('upgrade', listener);
    try {
      await h.connect({ path: '/api/other/ws' });
      expect(seen).toBe('/api/other/ws');
    } finally {
      h.server.off('upgrade', listener);
    }
  });
});

describe('terminal turned off', () => {
  it('hands out no tickets and serves no socket', async () => {
    const h = await startTerminalHarness({ enabled: false });
    try {
      const admin = await h.login();
      expect((await h.call('POST', '/api/terminal/ticket', { token: admin })).status).toBe(404);
      const c = await h.connect({ ticket: 'x' });
      expect(c.ok ? 0 : c.status).toBe(404);
      expect(h.spawned).toEqual([]);
    } finally {
      await h.stop();
    }
  });
});
