import { api } from '../api/client';
import { configureApp, setRole } from '../test-support/grafana';
import type { TestExporter } from '../test-support/exporter';
import { TerminalConnection, TicketError, type ConnectionOptions, type TerminalStatus } from './connection';
import { startGrafanaStandIn, type GrafanaStandIn } from './testing/grafanaServer';
import { startTerminalExporter } from './testing/terminalExporter';
import { requestTicket } from './ticket';
import { proxyWsUrl } from './urls';

// The protocol glue against a real exporter: tickets through the plugin proxy's POST route (the jest
// Grafana shim), the WebSocket through a Grafana stand-in that applies the GET route and forwards the
// upgrade (jsdom's WebSocket, a real one), and a real shell behind it.

let exporter: TestExporter;
let grafana: GrafanaStandIn;

beforeAll(async () => {
  exporter = await startTerminalExporter();
  configureApp(exporter);
  grafana = await startGrafanaStandIn({ exporter });
}, 120_000);

afterAll(async () => {
  await grafana?.close();
  await exporter?.stop();
});

beforeEach(() => {
  setRole('Admin');
  grafana.role = 'Admin';
  configureApp(exporter);
});

const proxyUrl = () => proxyWsUrl(new URL(grafana.url), '');

interface Harness {
  conn: TerminalConnection;
  statuses: TerminalStatus[];
  output: () => string;
  waitFor: <T>(what: string, check: () => T | undefined | false, ms?: number) => Promise<T>;
  waitState: (state: TerminalStatus['state'], ms?: number) => Promise<TerminalStatus>;
}

const open: TerminalConnection[] = [];
afterEach(() => {
  open.splice(0).forEach((c) => c.stop());
});

function connect(opts: Partial<ConnectionOptions> = {}): Harness {
  const statuses: TerminalStatus[] = [];
  const decoder = new TextDecoder();
  let out = '';
  const conn = new TerminalConnection({
    url: proxyUrl,
    ticket: requestTicket,
    target: { kind: 'shell' },
    size: () => ({ cols: 100, rows: 30 }),
    onOutput: (b) => {
      out += decoder.decode(b, { stream: true });
    },
    onStatus: (s) => statuses.push(s),
    backoff: { initialMs: 50, maxMs: 200, maxAttempts: 3 },
    ...opts,
  });
  open.push(conn);
  const waitFor = async <T>(what: string, check: () => T | undefined | false, ms = 20_000): Promise<T> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = check();
      if (v !== undefined && v !== false) {
        return v;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `timed out waiting for ${what}; statuses ${JSON.stringify(statuses)}; output ${JSON.stringify(out.slice(-500))}`,
        );
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  return {
    conn,
    statuses,
    output: () => out,
    waitFor,
    waitState: (state, ms) =>
      waitFor(`state ${state}`, () => (conn.current.state === state ? conn.current : undefined), ms),
  };
}

/**
 * A command's own output line, not the echo of the typed command (which has the `echo` in front); bash
 * may put mode switches such as bracketed paste (ESC[?2004l) and a CR before it.
 */
const printed = (out: string, line: string) => new RegExp(`[\\r\\n]${line}\\r?\\n`).test(out);

describe('TerminalConnection through the plugin proxy', () => {
  it('opens a host shell, runs a command and sees its output', async () => {
    const h = connect();
    h.conn.start();
    const ready = await h.waitState('connected');
    expect(ready).toMatchObject({ state: 'connected', target: 'shell' });
    h.conn.send('echo proxmon-$((40+2))\r');
    await h.waitFor('the echo', () => printed(h.output(), 'proxmon-42'));
    // The ticket went through the POST route and the socket through the GET route, both Admin.
    expect(grafana.log).toContainEqual({
      method: 'GET',
      path: `/api/plugin-proxy/proxmon-monitor-app/api/terminal/ws`,
      status: 101,
    });
  });

  it('sizes the PTY from the first frame and from resizes', async () => {
    const h = connect();
    h.conn.start();
    await h.waitState('connected');
    h.conn.send('stty size\r');
    await h.waitFor('the first size', () => printed(h.output(), '30 100'));
    h.conn.resize(132, 43);
    h.conn.send('stty size\r');
    await h.waitFor('the new size', () => printed(h.output(), '43 132'));
  });

  it('sends large input in frames under the exporter limit', async () => {
    const h = connect();
    h.conn.start();
    await h.waitState('connected');
    // 100 KB in one paste: one frame would be over the exporter's 64 KiB limit and close the socket.
    const payload = 'x'.repeat(100_000);
    h.conn.send(`cat > /dev/null <<'EOF'\r${payload}\rEOF\recho pasted-ok\r`);
    await h.waitFor('the paste to go through', () => printed(h.output(), 'pasted-ok'), 30_000);
    expect(h.conn.current.state).toBe('connected');
  });

  it('stays closed when the shell exits, with the exit code as the reason', async () => {
    const h = connect();
    h.conn.start();
    await h.waitState('connected');
    h.conn.send('exit 3\r');
    const closed = await h.waitState('closed');
    expect(closed).toEqual({ state: 'closed', reason: 'the shell exited (code 3)' });
    await new Promise((r) => setTimeout(r, 300));
    expect(h.statuses.filter((s) => s.state === 'connecting')).toHaveLength(1);
  });

  it('reconnects with a new ticket and a new session when the link drops', async () => {
    const h = connect();
    h.conn.start();
    const first = await h.waitState('connected');
    grafana.dropSockets();
    await h.waitFor('a reconnect', () => h.statuses.find((s) => s.state === 'reconnecting'));
    const second = await h.waitFor('the second session', () => {
      const s = h.conn.current;
      return s.state === 'connected' && s !== first ? s : undefined;
    });
    expect(second).not.toEqual(first);
    h.conn.send('echo again-ok\r');
    await h.waitFor('the echo', () => printed(h.output(), 'again-ok'));
  });

  it('does not reconnect a session an administrator ended', async () => {
    const h = connect();
    h.conn.start();
    const ready = await h.waitState('connected');
    const id = ready.state === 'connected' ? ready.sessionId : '';
    await api(`terminal/sessions/${id}`, { method: 'DELETE' });
    expect(await h.waitState('closed')).toEqual({ state: 'closed', reason: 'closed by an administrator' });
  });

  it('opens an LXC console with attach as the first frame', async () => {
    const h = connect({ target: { kind: 'lxc', vmid: 101 } });
    h.conn.start();
    expect(await h.waitState('connected')).toMatchObject({ target: 'lxc/101' });
    await h.waitFor('the stand-in pct', () => h.output().includes('entered CT 101'));
  });

  it('ends the session on stop(), and the exporter lets go of it', async () => {
    const h = connect();
    h.conn.start();
    await h.waitState('connected');
    h.conn.stop();
    expect(h.conn.current).toEqual({ state: 'closed', reason: 'disconnected' });
    const deadline = Date.now() + 15_000;
    let sessions: unknown[] = [{}];
    while (sessions.length && Date.now() < deadline) {
      sessions = (await api<{ sessions: unknown[] }>('terminal/sessions')).sessions;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(sessions).toEqual([]);
  });

  it('gives up after the attempts when the handshake keeps failing (an unknown ticket)', async () => {
    // The exporter refuses the upgrade (401) and a browser only sees the socket fail to open.
    const h = connect({ ticket: async () => 'not-a-ticket' });
    h.conn.start();
    const closed = await h.waitState('closed');
    expect(closed.state === 'closed' && closed.reason).toMatch(
      /could not be opened .*\(gave up after 3 attempts\)$/,
    );
    expect(h.statuses.filter((s) => s.state === 'reconnecting')).toHaveLength(2);
  });

  it('does not retry when Grafana refuses a Viewer the ticket route', async () => {
    setRole('Viewer');
    const h = connect();
    h.conn.start();
    expect(await h.waitState('closed')).toEqual({
      state: 'closed',
      reason: 'no terminal ticket: only Grafana admins may open the terminal',
    });
    // And the WebSocket route refuses a Viewer too, before anything reaches the exporter.
    grafana.role = 'Viewer';
    const denied = grafana.log.length;
    setRole('Admin');
    const h2 = connect({ backoff: { initialMs: 10, maxMs: 10, maxAttempts: 1 } });
    h2.conn.start();
    await h2.waitState('closed');
    expect(grafana.log.slice(denied)).toContainEqual(expect.objectContaining({ status: 403 }));
  });

  it('retries a ticket failure that may pass, and not one that cannot', async () => {
    let calls = 0;
    const h = connect({
      ticket: async () => {
        calls += 1;
        if (calls === 1) {
          throw new TicketError('Grafana could not reach the exporter', true);
        }
        return requestTicket();
      },
    });
    h.conn.start();
    await h.waitState('connected');
    expect(h.statuses.map((s) => s.state)).toEqual(['connecting', 'reconnecting', 'connecting', 'connected']);

    const h2 = connect({ ticket: async () => Promise.reject(new TicketError('turned off', false)) });
    h2.conn.start();
    expect(await h2.waitState('closed')).toEqual({
      state: 'closed',
      reason: 'no terminal ticket: turned off',
    });
  });
});
