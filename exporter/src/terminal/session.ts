import { randomUUID } from 'node:crypto';
import type { IPty } from 'node-pty';
import type { Logger } from 'pino';
import type { RawData, WebSocket } from 'ws';
import type { AuditLog } from '../auth/audit.js';
import { OutputFlow } from './output-flow.js';
import { killSession } from './process-tree.js';
import { CLOSE, parseClientFrame, serverMessage, type ControlFrame, type ServerMessage } from './protocol.js';
import { spawnTerminal, type PtySpawner } from './pty.js';
import type { TerminalSettings } from './settings.js';

export type EndReason =
  | 'exit'
  | 'client_closed'
  | 'idle_timeout'
  | 'max_duration'
  | 'killed'
  | 'shutdown'
  | 'refused'
  | 'spawn_failed'
  | 'error';

const CLOSE_FOR: Partial<Record<EndReason, { code: number; text: string }>> = {
  exit: { code: CLOSE.exited, text: 'shell exited' },
  idle_timeout: { code: CLOSE.idleTimeout, text: 'idle timeout' },
  max_duration: { code: CLOSE.maxDuration, text: 'maximum session length reached' },
  killed: { code: CLOSE.killed, text: 'closed by an administrator' },
  shutdown: { code: CLOSE.shutdown, text: 'proxmon is shutting down' },
  refused: { code: CLOSE.policy, text: 'refused' },
  spawn_failed: { code: CLOSE.spawnFailed, text: 'could not start the terminal' },
};

/** setTimeout fires at once for delays past 2^31-1 ms; a huge configured limit must not mean "now". */
const MAX_TIMER_MS = 2 ** 31 - 1;
const DEFAULT_COLS = 80;
const DEFAULT_ROWS = 24;

export interface SessionOwner {
  userId: number;
  username: string;
  clientIp: string;
}

/** What every session shares, handed down by the manager. */
export interface SessionContext {
  settings: TerminalSettings;
  audit: Pick<AuditLog, 'record'>;
  logger?: Logger;
  spawner?: PtySpawner;
  /** `pct`, or its configured path (`tools.pct`). */
  pctPath: string;
  now: () => number;
  /** With no frame from the client for this long, the host shell starts (an attach must come first). */
  startDelayMs: number;
  /** SIGHUP first; SIGKILL to whatever is left after this. */
  killGraceMs: number;
  procfs?: string;
}

export interface SessionView {
  id: string;
  user: string;
  user_id: number;
  client_ip: string;
  /** `shell`, `lxc/<vmid>`, or null before the first frame chose one. */
  target: string | null;
  pid: number | null;
  started_at: string;
  last_input_at: string;
  bytes_in: number;
  bytes_out: number;
}

const toBuffer = (data: RawData): Buffer =>
  Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);

/**
 * One browser terminal: a WebSocket joined to a PTY. The PTY starts on the first frame (a host shell,
 * or `pct enter` when that frame is an attach) and everything it started is killed when the session
 * ends, whichever side ends it.
 */
export class TerminalSession {
  readonly id = randomUUID();
  readonly startedAt: number;
  /** Resolves once the session's processes are gone and its end is audited. */
  readonly ended: Promise<void>;
  private resolveEnded!: () => void;
  private lastInput: number;
  private bytesIn = 0;
  private bytesOut = 0;
  private target: string | undefined;
  private pty: IPty | undefined;
  private flow: OutputFlow | undefined;
  private exit: { code: number; signal: number | null } | undefined;
  private state: 'pending' | 'running' | 'ending' = 'pending';
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly log: Logger | undefined;

  constructor(
    private readonly ws: WebSocket,
    readonly owner: SessionOwner,
    private readonly ctx: SessionContext,
  ) {
    this.startedAt = this.lastInput = ctx.now();
    this.log = ctx.logger?.child({ terminal_session: this.id, user: owner.username });
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
    ws.on('message', (data, isBinary) => this.onFrame(toBuffer(data), isBinary));
    ws.on('close', () => void this.end('client_closed'));
    ws.on('error', () => void this.end('error'));
    this.after(ctx.startDelayMs, () => {
      if (this.state === 'pending') this.startShell();
    });
    this.after(ctx.settings.max_session_seconds * 1000, () => void this.end('max_duration'));
    this.watchIdle(ctx.settings.idle_timeout_seconds * 1000);
  }

  view(): SessionView {
    return {
      id: this.id,
      user: this.owner.username,
      user_id: this.owner.userId,
      client_ip: this.owner.clientIp,
      target: this.target ?? null,
      pid: this.pty?.pid ?? null,
      started_at: new Date(this.startedAt).toISOString(),
      last_input_at: new Date(this.lastInput).toISOString(),
      bytes_in: this.bytesIn,
      bytes_out: this.bytesOut,
    };
  }

  /** Idempotent: the first reason wins. */
  end(reason: EndReason): Promise<void> {
    if (this.state === 'ending') return this.ended;
    const started = this.state === 'running';
    this.state = 'ending';
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.flow?.stop();
    // A paused PTY never reads its EOF, so node-pty would only let go of it after its own timeout.
    if (this.flow?.isPaused) this.pty?.resume();
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) {
      if (reason === 'exit' && this.exit) this.send({ type: 'exit', ...this.exit });
      const close = CLOSE_FOR[reason];
      if (close) this.ws.close(close.code, close.text);
      else this.ws.terminate();
    }
    const pid = this.pty?.pid;
    const gone = pid
      ? killSession(pid, { graceMs: this.ctx.killGraceMs, procfs: this.ctx.procfs })
      : Promise.resolve();
    void gone.then(() => {
      if (started) this.auditEnd(reason);
      this.resolveEnded();
    });
    return this.ended;
  }

  private onFrame(data: Buffer, isBinary: boolean): void {
    if (this.state === 'ending') return;
    const frame = parseClientFrame(data, isBinary);
    if (frame.kind === 'invalid') {
      this.send({ type: 'error', code: 'bad_control', message: frame.message });
      // Before the PTY exists the frame may have been a bad attach: never fall back to a host shell.
      if (this.state === 'pending') void this.end('refused');
      return;
    }
    if (frame.kind === 'control' && frame.frame.type === 'ping') return this.send({ type: 'pong' });
    if (frame.kind === 'control' && frame.frame.type === 'attach') {
      if (this.state === 'pending') return this.attach(frame.frame);
      return this.send({
        type: 'error',
        code: 'attach_too_late',
        message: 'attach must be the first frame of a session',
      });
    }
    if (this.state === 'pending') {
      const size = frame.kind === 'control' && frame.frame.type === 'resize' ? frame.frame : undefined;
      this.startShell(size);
      if (size) return this.touch();
    }
    const pty = this.pty;
    if (!pty || this.state !== 'running') return;
    this.touch();
    if (frame.kind === 'data') {
      this.bytesIn += frame.bytes.length;
      pty.write(frame.bytes);
    } else if (frame.frame.type === 'resize') {
      pty.resize(frame.frame.cols, frame.frame.rows);
    }
  }

  private startShell(size?: { cols: number; rows: number }): void {
    this.spawn(this.ctx.settings.shell, 'shell', size);
  }

  private attach(frame: Extract<ControlFrame, { type: 'attach' }>): void {
    if (!this.ctx.settings.lxc_console) {
      this.send({
        type: 'error',
        code: 'lxc_console_disabled',
        message: 'the LXC console is turned off (terminal.lxc_console)',
      });
      void this.end('refused');
      return;
    }
    // The vmid was validated as an integer in range by the protocol schema; it is one argv item, no shell.
    const size = frame.cols && frame.rows ? { cols: frame.cols, rows: frame.rows } : undefined;
    this.spawn([this.ctx.pctPath, 'enter', String(frame.vmid)], `lxc/${frame.vmid}`, size);
  }

  private spawn(argv: readonly string[], target: string, size?: { cols: number; rows: number }): void {
    this.target = target;
    let pty: IPty;
    try {
      pty = spawnTerminal(
        { argv, cols: size?.cols ?? DEFAULT_COLS, rows: size?.rows ?? DEFAULT_ROWS },
        this.ctx.spawner,
      );
    } catch (err) {
      this.log?.error({ err, target }, 'terminal spawn failed');
      this.send({ type: 'error', code: 'spawn_failed', message: `could not start ${argv[0] ?? ''}` });
      void this.end('spawn_failed');
      return;
    }
    this.pty = pty;
    this.state = 'running';
    this.flow = new OutputFlow({
      bytesPerSecond: this.ctx.settings.output_rate_bytes_per_second,
      pause: () => pty.pause(),
      resume: () => pty.resume(),
      now: this.ctx.now,
    });
    pty.onData((d: string | Buffer) => this.onOutput(typeof d === 'string' ? Buffer.from(d) : d));
    pty.onExit(({ exitCode, signal }) => {
      this.exit = { code: exitCode, signal: signal || null };
      void this.end('exit');
    });
    this.ctx.audit.record({
      actor: this.owner.username,
      ip: this.owner.clientIp,
      action: 'terminal_start',
      target,
      detail: { session_id: this.id },
    });
    this.log?.info({ target, pid: pty.pid }, 'terminal session started');
    this.send({ type: 'ready', session_id: this.id, target });
  }

  private onOutput(bytes: Buffer): void {
    if (this.state !== 'running' || this.ws.readyState !== this.ws.OPEN) return;
    this.bytesOut += bytes.length;
    this.ws.send(bytes, { binary: true }, () => this.flow?.drained(this.ws.bufferedAmount));
    this.flow?.sent(bytes.length, this.ws.bufferedAmount);
  }

  private send(m: ServerMessage): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(serverMessage(m));
  }

  private touch(): void {
    this.lastInput = this.ctx.now();
  }

  /** One timer per idle period, re-armed for the remainder instead of on every keystroke. */
  private watchIdle(idleMs: number): void {
    this.after(idleMs - (this.ctx.now() - this.lastInput), () => {
      if (this.ctx.now() - this.lastInput >= idleMs) void this.end('idle_timeout');
      else this.watchIdle(idleMs);
    });
  }

  private after(ms: number, fn: () => void): void {
    const t = setTimeout(
      () => {
        this.timers.delete(t);
        fn();
      },
      Math.min(Math.max(ms, 0), MAX_TIMER_MS),
    );
    this.timers.add(t);
  }

  private auditEnd(reason: EndReason): void {
    const duration = Math.round(this.ctx.now() - this.startedAt) / 1000;
    const detail = {
      session_id: this.id,
      duration_seconds: duration,
      bytes_in: this.bytesIn,
      bytes_out: this.bytesOut,
      reason,
      ...(this.exit ? { exit_code: this.exit.code } : {}),
    };
    this.ctx.audit.record({
      actor: this.owner.username,
      ip: this.owner.clientIp,
      action: 'terminal_end',
      target: this.target ?? null,
      detail,
    });
    this.log?.info({ target: this.target, ...detail }, 'terminal session ended');
  }
}
