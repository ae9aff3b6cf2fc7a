import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocketServer } from 'ws';
import { roleScopes } from '../auth/scopes.js';
import type { TerminalService } from './index.js';
import { refusalMessage } from './manager.js';
import { CLOSE, MAX_FRAME_BYTES, serverMessage, TICKET_PROTOCOL_PREFIX, WS_PATH } from './protocol.js';

export interface TerminalWebSocketDeps {
  terminal: TerminalService;
  /** The resolver the API uses (trusted proxies), so the ticket's address and the socket's agree. */
  clientIp: (peer: string | undefined, forwardedFor: string | string[] | undefined) => string;
  /** fail2ban's verdict, as for the API. */
  isBanned?: (ip: string) => Promise<boolean>;
}

/**
 * True when a browser page at `origin` may open the terminal: the exporter's own host (the Host header,
 * so it holds behind a reverse proxy that keeps Host) or one of `allowed`. No Origin header means no
 * browser, and the ticket alone decides. The scheme is not compared: behind a TLS proxy it is unknown.
 */
export function originAllowed(
  origin: string | undefined,
  host: string | undefined,
  allowed: readonly string[],
): boolean {
  if (origin === undefined) return true;
  let o: URL;
  try {
    o = new URL(origin);
  } catch {
    return false; // includes the opaque `null` origin of sandboxed frames and file: pages
  }
  if (o.protocol !== 'http:' && o.protocol !== 'https:') return false;
  if (host) {
    try {
      if (new URL(`${o.protocol}//${host}`).host === o.host) return true;
    } catch {
      // a Host header that is not a host: only the allow-list can help
    }
  }
  return allowed.some((a) => URL.canParse(a) && new URL(a).origin === o.origin);
}

/** The ticket, from `?ticket=` or a `proxmon.ticket.<ticket>` subprotocol (which keeps it out of URLs). */
export function ticketOf(req: IncomingMessage): { ticket?: string; protocol?: string } {
  const offered = (req.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((p) => p.trim())
    .find((p) => p.startsWith(TICKET_PROTOCOL_PREFIX));
  if (offered) return { ticket: offered.slice(TICKET_PROTOCOL_PREFIX.length), protocol: offered };
  const query = new URL(req.url ?? '/', 'http://x').searchParams.get('ticket');
  return query ? { ticket: query } : {};
}

const pathOf = (url: string | undefined) => {
  try {
    return new URL(url ?? '/', 'http://x').pathname;
  } catch {
    return '';
  }
};

/** An HTTP error in the API's `{error:{code,message}}` shape, written on a socket that never upgraded. */
function refuse(socket: Duplex, status: number, code: string, message: string): void {
  const body = JSON.stringify({ error: { code, message } });
  if (socket.writable) {
    socket.once('finish', () => socket.destroy());
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
        'Connection: close\r\nContent-Type: application/json\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  } else socket.destroy();
}

/**
 * Serves the terminal WebSocket at /api/terminal/ws on `server`. Every check happens before the
 * upgrade, so a refused client never gets a socket, let alone a PTY: enabled, not banned, Origin, a
 * valid ticket for this address, and a user who still exists with the terminal scope. Only the session
 * caps are told over the socket (close 1013), because a browser cannot read a refused handshake.
 * Other upgrade requests are left to other listeners, or answered 404 when there are none.
 */
export function attachTerminalWebSocket(server: Server, deps: TerminalWebSocketDeps): { close(): void } {
  const { settings, tickets, sessions, users, logger } = deps.terminal;
  // ws is loaded on the first terminal connection: most scrapes-only installations never open one,
  // and the exporter's resident memory is one of its targets.
  let wss: Promise<WebSocketServer> | undefined;
  const webSockets = () =>
    (wss ??= import('ws').then(
      ({ WebSocketServer }) =>
        new WebSocketServer({
          noServer: true,
          clientTracking: false,
          maxPayload: MAX_FRAME_BYTES,
          perMessageDeflate: false,
          handleProtocols: (offered) =>
            [...offered].find((p) => p.startsWith(TICKET_PROTOCOL_PREFIX)) ?? false,
        }),
    ));

  const handle = async (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!settings.enabled) return refuse(socket, 404, 'not_found', 'the web terminal is turned off');
    const ip = deps.clientIp(req.socket.remoteAddress, req.headers['x-forwarded-for']);
    if (deps.isBanned && (await deps.isBanned(ip)))
      return refuse(socket, 403, 'banned', 'this address is banned after repeated authentication failures');
    if (!originAllowed(req.headers.origin, req.headers.host, settings.allowed_origins)) {
      logger?.warn({ ip, origin: req.headers.origin }, 'terminal refused: origin not allowed');
      return refuse(socket, 403, 'forbidden', 'this origin may not open the terminal');
    }
    const { ticket } = ticketOf(req);
    if (!ticket) return refuse(socket, 401, 'unauthorized', 'a terminal ticket is required');
    const redeemed = tickets.redeem(ticket, ip);
    if (!redeemed.ok) {
      if (redeemed.reason === 'wrong_ip')
        logger?.warn({ ip }, 'terminal ticket presented from another address');
      return refuse(
        socket,
        401,
        'unauthorized',
        'the terminal ticket is invalid, used, expired or not yours',
      );
    }
    // The ticket is up to 30 s old: the user may have been deleted or demoted since.
    const user = users.byId(redeemed.userId);
    if (!user) return refuse(socket, 401, 'unauthorized', 'the user no longer exists');
    if (!roleScopes(user.role).includes('terminal'))
      return refuse(socket, 403, 'forbidden', 'this needs the terminal scope');

    (await webSockets()).handleUpgrade(req, socket, head, (ws) => {
      const opened = sessions.open(ws, { userId: user.id, username: user.username, clientIp: ip });
      if (typeof opened === 'string') {
        const message = refusalMessage(opened, sessions.ctx);
        sessions.ctx.audit.record({
          actor: user.username,
          ip,
          action: 'terminal_refused',
          detail: { reason: opened },
        });
        ws.send(serverMessage({ type: 'error', code: 'too_many_sessions', message }));
        ws.close(CLOSE.tooManySessions, 'too many terminal sessions');
      }
    });
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (pathOf(req.url) !== WS_PATH) {
      if (server.listenerCount('upgrade') === 1) refuse(socket, 404, 'not_found', 'no WebSocket here');
      return;
    }
    socket.on('error', () => socket.destroy());
    handle(req, socket, head).catch((err: unknown) => {
      logger?.error({ err }, 'terminal upgrade failed');
      refuse(socket, 500, 'internal_error', 'internal error; see the exporter log');
    });
  };
  server.on('upgrade', onUpgrade);
  return {
    close: () => {
      server.off('upgrade', onUpgrade);
      void wss?.then((w) => w.close());
    },
  };
}
