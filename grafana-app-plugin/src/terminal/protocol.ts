/**
 * The browser's side of the exporter's terminal protocol (exporter/src/terminal/protocol.ts and
 * websocket.ts): a ticket from POST /api/terminal/ticket, then a WebSocket on /api/terminal/ws that
 * carries the ticket as the subprotocol `proxmon.ticket.<ticket>` (or `?ticket=`).
 *
 * Client → server: terminal input in binary frames (never mistaken for a control frame), control
 * frames as JSON text: resize, ping, and attach (an LXC console; only as the first frame).
 * Server → client: output in binary frames, control messages as JSON text.
 */

export const TICKET_PROTOCOL_PREFIX = 'proxmon.ticket.';
/** The exporter closes the socket (1009) on a bigger inbound frame; input is sent in smaller pieces. */
export const MAX_INPUT_FRAME_BYTES = 16 * 1024;
export const VMID_MIN = 100;
export const VMID_MAX = 999_999_999;

/** What the terminal runs: a shell on the host, or `pct enter <vmid>` (an LXC container's console). */
export type TerminalTarget = { kind: 'shell' } | { kind: 'lxc'; vmid: number };

export type ServerMessage =
  | { type: 'ready'; session_id: string; target: string }
  | { type: 'pong' }
  | { type: 'exit'; code: number; signal: number | null }
  | { type: 'error'; code: string; message: string };

export type ControlFrame =
  | { type: 'resize'; cols: number; rows: number }
  | { type: 'ping' }
  | { type: 'attach'; vmid: number; cols?: number; rows?: number };

export const encodeControl = (frame: ControlFrame): string => JSON.stringify(frame);

/** The server's first-frame rule: an attach opens the container console, anything else the host shell. */
export function firstFrame(target: TerminalTarget, size: { cols: number; rows: number }): ControlFrame {
  const dims = { cols: clampDim(size.cols), rows: clampDim(size.rows) };
  return target.kind === 'lxc' ? { type: 'attach', vmid: target.vmid, ...dims } : { type: 'resize', ...dims };
}

/** The server accepts 1..1000 columns and rows; a hidden element can measure 0. */
export const clampDim = (n: number): number => Math.min(1000, Math.max(1, Math.floor(n) || 1));

export function parseServerMessage(text: string): ServerMessage | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  const m = v as Partial<Record<string, unknown>> | null;
  if (typeof m !== 'object' || m === null || typeof m.type !== 'string') {
    return undefined;
  }
  switch (m.type) {
    case 'ready':
      return { type: 'ready', session_id: String(m.session_id ?? ''), target: String(m.target ?? '') };
    case 'pong':
      return { type: 'pong' };
    case 'exit':
      return {
        type: 'exit',
        code: typeof m.code === 'number' ? m.code : -1,
        signal: typeof m.signal === 'number' ? m.signal : null,
      };
    case 'error':
      return { type: 'error', code: String(m.code ?? 'error'), message: String(m.message ?? '') };
    default:
      return undefined;
  }
}

/** Close codes the exporter sends (exporter/src/terminal/protocol.ts CLOSE), plus the browser's own. */
export const CLOSE = {
  exited: 1000,
  shutdown: 1001,
  abnormal: 1006,
  policy: 1008,
  tooBig: 1009,
  spawnFailed: 1011,
  tooManySessions: 1013,
  idleTimeout: 4001,
  maxDuration: 4002,
  killed: 4003,
} as const;

export interface CloseInfo {
  code: number;
  /** The socket's close reason text, if any. */
  reason: string;
  /** The socket opened before it closed (false: the handshake itself failed). */
  opened: boolean;
  /** The last `error` message the server sent on this socket. */
  error?: { code: string; message: string };
  exit?: { code: number; signal: number | null };
}

export interface CloseVerdict {
  /** For the status line. */
  message: string;
  /** Worth an automatic reconnect: the link or the exporter went away, not the session's own end. */
  transient: boolean;
}

/** Why the terminal went away, in words, and whether to reconnect by itself. */
export function describeClose(c: CloseInfo): CloseVerdict {
  if (!c.opened) {
    return {
      message:
        'the WebSocket could not be opened (the ticket or origin was refused, or Grafana or a proxy in front of it does not pass WebSocket upgrades)',
      transient: true,
    };
  }
  if (c.exit) {
    const how = c.exit.signal ? `signal ${c.exit.signal}` : `code ${c.exit.code}`;
    return { message: `the shell exited (${how})`, transient: false };
  }
  const told = c.error?.message || c.reason;
  switch (c.code) {
    case CLOSE.exited:
      return { message: told || 'the session ended', transient: false };
    case CLOSE.shutdown:
      return { message: 'the exporter is shutting down', transient: true };
    case CLOSE.policy:
      return { message: told || 'the exporter refused the session', transient: false };
    case CLOSE.tooBig:
      return { message: 'input too large for one frame', transient: false };
    case CLOSE.spawnFailed:
      return { message: told || 'the exporter could not start the terminal', transient: false };
    case CLOSE.tooManySessions:
      return { message: told || 'too many terminal sessions are open', transient: false };
    case CLOSE.idleTimeout:
      return { message: 'closed after being idle too long', transient: false };
    case CLOSE.maxDuration:
      return { message: 'the maximum session length was reached', transient: false };
    case CLOSE.killed:
      return { message: 'closed by an administrator', transient: false };
    default:
      return { message: told || `connection lost (code ${c.code})`, transient: true };
  }
}
