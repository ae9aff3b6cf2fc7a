import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../test-support/tools.js';
import { sessionMembers } from './process-tree.js';
import { CLOSE } from './protocol.js';
import {
  isRunning,
  startTerminalHarness,
  type TerminalClient,
  type TerminalHarness,
} from '../test-support/terminal.js';

const PASSWORD = 'a long enough test password';

/** Every process a harness ever spawned, and everything in their sessions, is gone. */
async function expectNoOrphans(h: TerminalHarness): Promise<void> {
  for (const pid of h.spawned) {
    expect(isRunning(pid), `shell ${pid}`).toBe(false);
    expect(await sessionMembers(pid), `session ${pid}`).toEqual([]);
  }
}

const auditOf = (h: TerminalHarness, action: string) =>
  h.auth.audit
    .page(500)
    .entries.filter((e) => e.action === action)
    .reverse();

describe('terminal sessions', () => {
  let h: TerminalHarness;
  let admin: string;
  const open: TerminalClient[] = [];
  beforeAll(async () => {
    h = await startTerminalHarness({ max_sessions_per_user: 2, max_sessions: 3 });
    admin = await h.login();
  });
  afterEach(async () => {
    for (const c of open.splice(0)) c.ws.close();
    await waitFor(() => h.terminal.sessions.size === 0);
  });
  afterAll(async () => {
    await h.stop();
    await expectNoOrphans(h);
  });
  const connect = async (token = admin) => {
    const c = await h.open(token);
    open.push(c);
    return c;
  };

  it('makes an echo round trip, and a resize changes stty size', async () => {
    const c = await connect();
    c.control({ type: 'resize', cols: 100, rows: 30 });
    c.type('echo "size:$(stty size) term:$TERM home:$PWD"\r');
    const [, rows, cols, term] = (await c.waitFor(/size:(\d+) (\d+) term:(\S+) home:\//)) as string[];
    expect([rows, cols, term]).toEqual(['30', '100', 'xterm-256color']);
    c.control({ type: 'resize', cols: 132, rows: 43 });
    c.type('echo "size:$(stty size)!"\r');
    await c.waitFor(/size:43 132!/);
    expect(c.messages[0]).toMatchObject({ type: 'ready', target: 'shell' });
    c.control({ type: 'ping' });
    await waitFor(() => c.messages.some((m) => m.type === 'pong'));
  });

  it('gives the shell a clean environment: no exporter secrets', async () => {
    process.env.PROXMON_TEST_SECRET = 'do-not-leak';
    try {
      const c = await connect();
      c.type('env | grep -c PROXMON_TEST_SECRET | sed s/^/count:/\r');
      await c.waitFor(/count:0/);
    } finally {
      delete process.env.PROXMON_TEST_SECRET;
    }
  });

  it('closing the socket kills the shell and its background jobs', async () => {
    const c = await connect();
    c.type('sleep 300 & echo "pids:$$:$!"\r');
    const [, shell, job] = (await c.waitFor(/pids:(\d+):(\d+)/)).map(Number) as [number, number, number];
    expect(isRunning(shell) && isRunning(job)).toBe(true);
    c.ws.close();
    await waitFor(() => !isRunning(shell) && !isRunning(job), 3000);
    expect(await sessionMembers(shell)).toEqual([]);
  });

  it('an exiting shell closes the socket with its exit code', async () => {
    const c = await connect();
    c.type('exit 3\r');
    expect(await c.closed).toEqual({ code: CLOSE.exited, reason: 'shell exited' });
    expect(c.messages.at(-1)).toEqual({ type: 'exit', code: 3, signal: null });
  });

  it('refuses sessions over the per-user and the global cap, cleanly and without a PTY', async () => {
    // Tickets first, while no session is open: the cap is then enforced by the socket itself.
    const tickets = [await h.ticket(admin), await h.ticket(admin), await h.ticket(admin)];
    for (const t of tickets.slice(0, 2)) {
      const c = await h.connect({ ticket: t });
      if (!c.ok) throw new Error('refused');
      open.push(c.client);
      c.client.type('true\r');
      await waitFor(() => c.client.messages.some((m) => m.type === 'ready'));
    }
    const spawned = h.spawned.length;
    const third = await h.connect({ ticket: tickets[2] });
    if (!third.ok) throw new Error('the handshake itself should succeed');
    expect(await third.client.closed).toEqual({
      code: CLOSE.tooManySessions,
      reason: 'too many terminal sessions',
    });
    expect(third.client.messages).toEqual([
      { type: 'error', code: 'too_many_sessions', message: 'you already have 2 terminal sessions open' },
    ]);
    expect(h.spawned.length).toBe(spawned);
    // Over the cap a browser learns it from the ticket request already.
    const r = await h.call('POST', '/api/terminal/ticket', { token: admin });
    expect(r.status).toBe(429);
    expect(r.body).toMatchObject({ error: { code: 'too_many_sessions' } });

    // The global cap (3): a second admin gets one session, then is refused.
    await h.call('POST', '/api/auth/users', {
      token: admin,
      body: { username: 'second', password: PASSWORD, role: 'admin' },
    });
    const second = await h.login('second', PASSWORD);
    await connect(second);
    const over = await h.call('POST', '/api/terminal/ticket', { token: second });
    expect(over.body).toMatchObject({
      error: { code: 'too_many_sessions', message: 'the exporter already has 3 terminal sessions open' },
    });
    expect(auditOf(h, 'terminal_refused').at(-1)).toMatchObject({
      actor: 'admin',
      detail: { reason: 'user_limit' },
    });
  });

  it('lists sessions for admins and ends one on request, with its processes', async () => {
    const c = await connect();
    c.type('echo "shell:$$"\r');
    const shell = Number((await c.waitFor(/shell:(\d+)/))[1]);
    const listed = await h.call('GET', '/api/terminal/sessions', { token: admin });
    const sessions = listed.body.sessions as Array<Record<string, unknown>>;
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({ user: 'admin', client_ip: '127.0.0.1', target: 'shell', pid: shell });
    expect(sessions[0]!.bytes_in).toBeGreaterThan(0);
    const id = sessions[0]!.id as string;
    expect((await h.call('DELETE', `/api/terminal/sessions/${id}`, { token: admin })).status).toBe(200);
    expect(await c.closed).toEqual({ code: CLOSE.killed, reason: 'closed by an administrator' });
    expect(isRunning(shell)).toBe(false);
    expect(auditOf(h, 'terminal_killed').at(-1)).toMatchObject({
      actor: 'admin',
      detail: { session_id: id },
    });
    expect(auditOf(h, 'terminal_end').at(-1)).toMatchObject({ detail: { session_id: id, reason: 'killed' } });
  });

  it('audits start and end with duration and byte counts, never the content', async () => {
    const c = await connect();
    c.type('echo "secret-$((1+2))-marker"\r');
    await c.waitFor(/secret-3-marker/);
    c.ws.close();
    await waitFor(() => h.terminal.sessions.size === 0);
    const start = auditOf(h, 'terminal_start').at(-1)!;
    const end = auditOf(h, 'terminal_end').at(-1)!;
    expect(start).toMatchObject({ actor: 'admin', ip: '127.0.0.1', target: 'shell' });
    expect(end).toMatchObject({
      actor: 'admin',
      ip: '127.0.0.1',
      target: 'shell',
      detail: {
        session_id: start.detail!.session_id,
        reason: 'client_closed',
        bytes_in: Buffer.byteLength('echo "secret-$((1+2))-marker"\r'),
        bytes_out: expect.any(Number),
        duration_seconds: expect.any(Number),
      },
    });
    expect(end.detail!.bytes_out).toBeGreaterThan(20);
    expect(JSON.stringify(h.auth.audit.page(500))).not.toMatch(/secret-/);
  });

  it('attaches to a container with pct enter when the first frame asks', async () => {
    const c = await connect();
    c.control({ type: 'attach', vmid: 101, cols: 90, rows: 20 });
    await c.waitFor(/entered CT 101/);
    expect(c.messages[0]).toMatchObject({ type: 'ready', target: 'lxc/101' });
    c.type('echo "ct-size:$(stty size)"\r');
    await c.waitFor(/ct-size:20 90/);
    c.control({ type: 'attach', vmid: 102 });
    await waitFor(() => c.messages.some((m) => m.code === 'attach_too_late'));
  });

  it('refuses a bad vmid without starting anything', async () => {
    const spawned = h.spawned.length;
    for (const vmid of [99, 101.5, '101; reboot', 1_000_000_000]) {
      const c = await connect();
      c.control({ type: 'attach', vmid });
      expect((await c.closed).code).toBe(CLOSE.policy);
      expect(c.messages[0]).toMatchObject({ type: 'error', code: 'bad_control' });
    }
    expect(h.spawned.length).toBe(spawned);
  });
});

describe('terminal limits', () => {
  // One harness (a user costs a bcrypt hash); each test sets the limits it exercises.
  let h: TerminalHarness;
  let token: string;
  let base: TerminalHarness['terminal']['settings'];
  let stopped = false;
  beforeAll(async () => {
    h = await startTerminalHarness();
    base = { ...h.terminal.settings };
    token = await h.login();
  });
  beforeEach(() => {
    Object.assign(h.terminal.settings, base);
  });
  afterEach(async () => {
    await waitFor(() => h.terminal.sessions.size === 0, 3000);
    await expectNoOrphans(h);
  });
  afterAll(async () => {
    if (!stopped) await h.stop();
    await expectNoOrphans(h);
  });

  it('the idle timeout closes the socket and kills the process group, stubborn children included', async () => {
    h.terminal.settings.idle_timeout_seconds = 0.6;
    const c = await h.open(token);
    // A job in its own group, and one that ignores SIGHUP (only SIGKILL ends it).
    c.type('sleep 300 & (trap "" HUP; exec sleep 301) & echo "pids:$$:$!"\r');
    const [, shell, stubborn] = (await c.waitFor(/pids:(\d+):(\d+)/)).map(Number) as [number, number, number];
    const members = await sessionMembers(shell);
    expect(members.length).toBeGreaterThanOrEqual(3);
    expect(await c.closed).toEqual({ code: CLOSE.idleTimeout, reason: 'idle timeout' });
    await waitFor(() => h.terminal.sessions.size === 0, 3000);
    for (const pid of [shell, stubborn, ...members]) expect(isRunning(pid), `pid ${pid}`).toBe(false);
    expect(auditOf(h, 'terminal_end').at(-1)).toMatchObject({ detail: { reason: 'idle_timeout' } });
  });

  it('ends a session at its maximum length even while it is in use', async () => {
    h.terminal.settings.max_session_seconds = 0.8;
    const c = await h.open(token);
    const typing = setInterval(() => c.type(' '), 100);
    try {
      expect(await c.closed).toEqual({ code: CLOSE.maxDuration, reason: 'maximum session length reached' });
    } finally {
      clearInterval(typing);
    }
  });

  it('caps the output rate by pausing the shell, losing nothing', async () => {
    h.terminal.settings.output_rate_bytes_per_second = 100_000;
    const c = await h.open(token);
    c.type('echo ready-$((2*2))\r');
    await c.waitFor(/ready-4/);
    const t0 = Date.now();
    // 200 kB: the first second's worth goes at once, the rest at the capped rate (about 1 s).
    c.type(`head -c 200000 /dev/zero | tr '\\0' x; echo "<done-$((3*3))>"\r`);
    await c.waitFor(/<done-9>/, 10_000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(800);
    expect(c.output()).toContain('x'.repeat(200_000));
    c.ws.close();
  });

  it('refuses an attach when the LXC console is off, and the shell never starts', async () => {
    h.terminal.settings.lxc_console = false;
    const spawned = h.spawned.length;
    const c = await h.open(token);
    c.control({ type: 'attach', vmid: 101 });
    expect((await c.closed).code).toBe(CLOSE.policy);
    expect(c.messages[0]).toMatchObject({ code: 'lxc_console_disabled' });
    expect(h.spawned.length).toBe(spawned);
  });

  it('shutdown closes every session and kills its processes', async () => {
    const c = await h.open(token);
    c.type('echo "shell:$$"\r');
    const shell = Number((await c.waitFor(/shell:(\d+)/))[1]);
    stopped = true;
    await h.stop();
    expect((await c.closed).code).toBe(CLOSE.shutdown);
    expect(isRunning(shell)).toBe(false);
  });
});
