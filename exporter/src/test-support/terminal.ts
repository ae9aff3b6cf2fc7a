import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { WebSocket } from 'ws';
import { createClientIpResolver } from '../auth/client-ip.js';
import { createAuth, type Auth } from '../auth/index.js';
import { validate } from '../config.js';
import { createApp } from '../http/app.js';
import { createAuthRouter } from '../http/auth.js';
import { authenticate } from '../http/authenticate.js';
import { createTerminalRouter } from '../http/terminal.js';
import type { MetricsRenderer } from '../metrics/render.js';
import { openStore, type Db } from '../store/db.js';
import { createTerminalService, type TerminalService, type TerminalServiceDeps } from '../terminal/index.js';
import { WS_PATH } from '../terminal/protocol.js';
import { parseStatIds } from '../terminal/process-tree.js';
import { defaultSpawner, type PtySpawner } from '../terminal/pty.js';
import { defaultTerminalSettings } from '../terminal/settings.js';
import { attachTerminalWebSocket } from '../terminal/websocket.js';

// Self-contained (no test-support imports) so the production build does not pull test helpers in.
export const ADMIN = { username: 'admin', password: 'correct horse battery staple' };
export const FAKE_PCT = fileURLToPath(new URL('../../../tests/fake-bin/pct-enter-sh', import.meta.url));

/** Alive and not a zombie: a child that PID 1 has not reaped yet is dead for our purposes. */
export function isRunning(pid: number): boolean {
  try {
    return parseStatIds(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.state !== 'Z';
  } catch {
    return false;
  }
}

/** A terminal client: output collected as text, control messages parsed, and how it closed. */
export interface TerminalClient {
  ws: WebSocket;
  output(): string;
  messages: Array<Record<string, unknown>>;
  closed: Promise<{ code: number; reason: string }>;
  /** Resolves with the output once `pattern` matches it. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  type(text: string): void;
  control(frame: Record<string, unknown>): void;
}

export type Connected = { ok: true; client: TerminalClient } | { ok: false; status: number; body: string };

export interface TerminalHarness {
  url: string;
  port: number;
  server: Server;
  auth: Auth;
  db: Db;
  terminal: TerminalService;
  /** pids of every PTY spawned, in order. */
  spawned: number[];
  /** Moves the ticket store's clock (and the sessions') by this many ms. */
  clock: { skewMs: number };
  call(
    method: string,
    path: string,
    opts?: { token?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<{ status: number; body: Record<string, unknown> }>;
  login(username?: string, password?: string): Promise<string>;
  ticket(token: string, headers?: Record<string, string>): Promise<string>;
  connect(opts: {
    ticket?: string;
    asProtocol?: boolean;
    headers?: Record<string, string>;
    path?: string;
  }): Promise<Connected>;
  /** Connects and fails the test if refused. */
  open(token: string, headers?: Record<string, string>): Promise<TerminalClient>;
  stop(): Promise<void>;
}

const stubMetrics: MetricsRenderer = {
  contentType: 'text/plain',
  text: () => Promise.resolve(Buffer.from('')),
  gzipped: () => Promise.resolve(Buffer.from('')),
};

/**
 * The pieces main.ts wires for the terminal (auth, the API pipeline, the router and the WebSocket) on a
 * loopback port, with a PTY spawner that records pids so tests can prove nothing was left behind.
 */
export async function startTerminalHarness(
  settings: Parameters<typeof defaultTerminalSettings>[0] = {},
  extra: Partial<TerminalServiceDeps> & { trustedProxies?: string[] } = {},
): Promise<TerminalHarness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'proxmon-terminal-'));
  const config = validate(
    {
      port: 0,
      host: '127.0.0.1',
      data_dir: dataDir,
      auth: {
        bootstrap_admin: ADMIN,
        fail2ban_jail: '',
        log_file: join(dataDir, 'auth.log'),
        trusted_proxies: extra.trustedProxies ?? [],
      },
    },
    'test',
  );
  const logger = pino({ level: 'silent' });
  const db = openStore(dataDir);
  const auth = await createAuth(config, db, logger);
  const spawned: number[] = [];
  const spawner: PtySpawner = (file, args, options) => {
    const pty = defaultSpawner(file, args, options);
    spawned.push(pty.pid);
    return pty;
  };
  const clock = { skewMs: 0 };
  const terminal = createTerminalService({
    settings: defaultTerminalSettings({ shell: ['bash', '--noprofile', '--norc'], ...settings }),
    audit: auth.audit,
    users: auth.users,
    logger,
    pctPath: FAKE_PCT,
    spawner,
    now: () => Date.now() + clock.skewMs,
    killGraceMs: 300,
    startDelayMs: 150,
    ...extra,
  });
  const clientIp = createClientIpResolver(config.auth.trusted_proxies);
  const app = createApp({
    logger,
    metrics: stubMetrics,
    routers: [createAuthRouter(auth), createTerminalRouter(terminal)],
    bodyLimit: '1mb',
    version: 'test',
    authenticate: authenticate({
      sessions: auth.sessions,
      apiTokens: auth.apiTokens,
      clientIp,
      isBanned: () => Promise.resolve(false),
    }),
  });
  const server = createServer(app);
  const socket = attachTerminalWebSocket(server, { terminal, clientIp });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;

  const call: TerminalHarness['call'] = async (method, path, opts = {}) => {
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
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      body = { text };
    }
    return { status: res.status, body };
  };
  const login = async (username = ADMIN.username, password = ADMIN.password) => {
    const r = await call('POST', '/api/auth/login', { body: { username, password } });
    if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.access_token as string;
  };
  const ticket = async (token: string, headers?: Record<string, string>) => {
    const r = await call('POST', '/api/terminal/ticket', { token, headers });
    if (r.status !== 201) throw new Error(`ticket: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.ticket as string;
  };
  const connect: TerminalHarness['connect'] = (opts) =>
    new Promise((resolve) => {
      const query = opts.ticket && !opts.asProtocol ? `?ticket=${encodeURIComponent(opts.ticket)}` : '';
      const protocols = opts.ticket && opts.asProtocol ? [`proxmon.ticket.${opts.ticket}`] : [];
      const ws = new WebSocket(`ws://127.0.0.1:${port}${opts.path ?? WS_PATH}${query}`, protocols, {
        headers: opts.headers,
      });
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ ok: false, status: res.statusCode ?? 0, body }));
      });
      ws.once('open', () => resolve({ ok: true, client: wrap(ws) }));
      // A socket destroyed before any response (another upgrade listener took it).
      ws.on('error', (err) => resolve({ ok: false, status: 0, body: err.message }));
    });
  const open = async (token: string, headers?: Record<string, string>) => {
    const c = await connect({ ticket: await ticket(token, headers), headers });
    if (!c.ok) throw new Error(`refused: ${c.status} ${c.body}`);
    return c.client;
  };

  return {
    url,
    port,
    server,
    auth,
    db,
    terminal,
    spawned,
    clock,
    call,
    login,
    ticket,
    connect,
    open,
    stop: async () => {
      await terminal.sessions.closeAll();
      socket.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      db.close();
    },
  };
}

function wrap(ws: WebSocket): TerminalClient {
  let out = '';
  const messages: Array<Record<string, unknown>> = [];
  const waiters = new Set<() => void>();
  ws.on('message', (data: Buffer, isBinary) => {
    if (isBinary) out += data.toString('utf8');
    else messages.push(JSON.parse(data.toString()) as Record<string, unknown>);
    for (const w of waiters) w();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  return {
    ws,
    output: () => out,
    messages,
    closed,
    waitFor: (pattern, timeoutMs = 5000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const m = out.match(pattern);
          if (!m) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(m);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no ${String(pattern)} in terminal output:\n${out.slice(-2000)}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    type: (text) => ws.send(Buffer.from(text), { binary: true }),
    control: (frame) => ws.send(JSON.stringify(frame)),
  };
}
