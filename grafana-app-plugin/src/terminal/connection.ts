import {
  type CloseInfo,
  describeClose,
  encodeControl,
  firstFrame,
  clampDim,
  MAX_INPUT_FRAME_BYTES,
  parseServerMessage,
  type TerminalTarget,
} from './protocol';
import { withTicket } from './urls';

export type TerminalStatus =
  | { state: 'idle' }
  | { state: 'connecting'; attempt: number }
  | { state: 'connected'; target: string; sessionId: string }
  | { state: 'reconnecting'; attempt: number; inMs: number; reason: string }
  | { state: 'closed'; reason: string };

/** A ticket, or why none: `retry` false when asking again cannot help (refused, turned off, too many). */
export class TicketError extends Error {
  constructor(
    message: string,
    readonly retry: boolean,
  ) {
    super(message);
    this.name = 'TicketError';
  }
}

export interface Backoff {
  /** First delay; doubled per failed attempt, with ±20% jitter. */
  initialMs: number;
  maxMs: number;
  /** Consecutive failed attempts before giving up (the user can still reconnect by hand). */
  maxAttempts: number;
}

export const DEFAULT_BACKOFF: Backoff = { initialMs: 1000, maxMs: 30_000, maxAttempts: 6 };

export interface ConnectionOptions {
  /** The WebSocket URL without the ticket (urls.ts: proxyWsUrl or directWsUrl). */
  url: () => string;
  /** A fresh single-use ticket for each attempt (POST api/terminal/ticket through the plugin proxy). */
  ticket: () => Promise<string>;
  target: TerminalTarget;
  /** The terminal's size now; sent as the first frame and whenever it changes. */
  size: () => { cols: number; rows: number };
  onOutput: (bytes: Uint8Array) => void;
  onStatus: (status: TerminalStatus) => void;
  ticketInQuery?: boolean;
  backoff?: Backoff;
  /** Keep-alive: a ping this often (proxies close idle sockets), and a socket with no answer is dead. */
  pingIntervalMs?: number;
  pongTimeoutMs?: number;
  WebSocketImpl?: typeof WebSocket;
}

const encoder = new TextEncoder();

/**
 * One terminal's link to the exporter: ticket, WebSocket, first frame, keep-alive, and reconnects with
 * backoff (a new ticket each time) when the link or the exporter went away. A session the exporter
 * ended on purpose (the shell exited, idle timeout, refused) is not reopened by itself: that would
 * start a new shell the user did not ask for. Every reconnect is a new session.
 */
export class TerminalConnection {
  private ws: WebSocket | undefined;
  private status: TerminalStatus = { state: 'idle' };
  private attempt = 0;
  private stopped = true;
  /** Bumped by every start() and stop(): answers for an older attempt are dropped. */
  private generation = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private pongTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly o: Required<Omit<ConnectionOptions, 'WebSocketImpl'>> & {
    WebSocketImpl?: typeof WebSocket;
  };

  constructor(options: ConnectionOptions) {
    this.o = {
      ticketInQuery: false,
      backoff: DEFAULT_BACKOFF,
      pingIntervalMs: 20_000,
      pongTimeoutMs: 10_000,
      ...options,
    };
  }

  get current(): TerminalStatus {
    return this.status;
  }

  /** Connects (again), resetting the attempt count; a live socket is closed first. */
  start(): void {
    this.teardown();
    this.stopped = false;
    this.attempt = 0;
    void this.connect();
  }

  /** Closes for good (until start()); no reconnect follows. */
  stop(reason = 'disconnected'): void {
    const wasActive = !this.stopped;
    this.stopped = true;
    this.teardown();
    if (wasActive) {
      this.setStatus({ state: 'closed', reason });
    }
  }

  /** Terminal input: typed text or bytes, always as binary frames, cut to the exporter's frame limit. */
  send(data: string | Uint8Array): void {
    const ws = this.ws;
    if (!ws || ws.readyState !== 1 /* OPEN */ || this.status.state !== 'connected') {
      return;
    }
    const bytes = typeof data === 'string' ? encoder.encode(data) : data;
    for (let i = 0; i < bytes.length; i += MAX_INPUT_FRAME_BYTES) {
      ws.send(bytes.subarray(i, i + MAX_INPUT_FRAME_BYTES));
    }
  }

  resize(cols: number, rows: number): void {
    if (this.ws?.readyState === 1 && this.status.state === 'connected') {
      this.ws.send(encodeControl({ type: 'resize', cols: clampDim(cols), rows: clampDim(rows) }));
    }
  }

  private setStatus(s: TerminalStatus): void {
    this.status = s;
    this.o.onStatus(s);
  }

  private async connect(): Promise<void> {
    this.attempt += 1;
    const gen = this.generation;
    this.setStatus({ state: 'connecting', attempt: this.attempt });
    let ticket: string;
    try {
      ticket = await this.o.ticket();
    } catch (e) {
      if (this.stopped || gen !== this.generation) {
        return;
      }
      const err = e instanceof TicketError ? e : new TicketError(String(e), true);
      return this.failed(`no terminal ticket: ${err.message}`, err.retry);
    }
    if (this.stopped || gen !== this.generation) {
      return;
    }
    const { url, protocols } = withTicket(this.o.url(), ticket, this.o.ticketInQuery);
    const Impl = this.o.WebSocketImpl ?? WebSocket;
    let ws: WebSocket;
    try {
      ws = new Impl(url, protocols);
    } catch (e) {
      return this.failed(`bad terminal URL ${url}: ${e instanceof Error ? e.message : String(e)}`, false);
    }
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    const info: CloseInfo = { code: 0, reason: '', opened: false };

    ws.onopen = () => {
      info.opened = true;
      ws.send(encodeControl(firstFrame(this.o.target, this.o.size())));
      this.startKeepAlive(ws);
    };
    ws.onmessage = (ev: MessageEvent) => {
      this.alive();
      const data: unknown = ev.data;
      if (typeof data === 'string') {
        const m = parseServerMessage(data);
        if (m?.type === 'ready') {
          this.attempt = 0;
          this.setStatus({ state: 'connected', target: m.target, sessionId: m.session_id });
        } else if (m?.type === 'error') {
          info.error = { code: m.code, message: m.message };
        } else if (m?.type === 'exit') {
          info.exit = { code: m.code, signal: m.signal };
        }
        return;
      }
      // An ArrayBuffer (possibly from another realm in tests, so no instanceof), or a view of one.
      const bytes = ArrayBuffer.isView(data)
        ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
        : new Uint8Array(data as ArrayBuffer);
      this.o.onOutput(bytes);
    };
    ws.onclose = (ev: CloseEvent) => {
      if (this.ws !== ws) {
        return;
      }
      this.ws = undefined;
      this.stopKeepAlive();
      if (this.stopped) {
        return;
      }
      const verdict = describeClose({ ...info, code: ev.code, reason: ev.reason });
      this.failed(verdict.message, verdict.transient);
    };
    // onclose follows every error; nothing to add here.
    ws.onerror = () => undefined;
  }

  /** An attempt ended: retry after a backoff when it may help and attempts are left, else stay closed. */
  private failed(reason: string, transient: boolean): void {
    const { initialMs, maxMs, maxAttempts } = this.o.backoff;
    if (!transient || this.attempt >= maxAttempts) {
      this.stopped = true;
      const gaveUp = transient ? ` (gave up after ${this.attempt} attempts)` : '';
      this.setStatus({ state: 'closed', reason: `${reason}${gaveUp}` });
      return;
    }
    const base = Math.min(maxMs, initialMs * 2 ** Math.max(0, this.attempt - 1));
    const inMs = Math.round(base * (0.8 + Math.random() * 0.4));
    this.setStatus({ state: 'reconnecting', attempt: this.attempt + 1, inMs, reason });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.stopped) {
        void this.connect();
      }
    }, inMs);
  }

  private startKeepAlive(ws: WebSocket): void {
    this.stopKeepAlive();
    this.pingTimer = setInterval(() => {
      if (ws.readyState !== 1) {
        return;
      }
      ws.send(encodeControl({ type: 'ping' }));
      if (!this.pongTimer) {
        // No answer at all in time: the link is dead even if the socket does not know it yet.
        this.pongTimer = setTimeout(() => ws.close(4000, 'no answer to ping'), this.o.pongTimeoutMs);
      }
    }, this.o.pingIntervalMs);
  }

  private alive(): void {
    if (this.pongTimer) {
      clearTimeout(this.pongTimer);
      this.pongTimer = undefined;
    }
  }

  private stopKeepAlive(): void {
    if (this.pingTimer) {
      clearInterval(this.pingTimer);
    }
    this.pingTimer = undefined;
    this.alive();
  }

  private teardown(): void {
    this.generation += 1;
    if (this.retryTimer) {
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
    }
    this.stopKeepAlive();
    const ws = this.ws;
    this.ws = undefined;
    if (ws && (ws.readyState === 0 || ws.readyState === 1)) {
      ws.close(1000, 'closed by the user');
    }
  }
}
