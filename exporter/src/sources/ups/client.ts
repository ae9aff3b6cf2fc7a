import { connect } from 'node:net';
import { fail, ok, type SourceError } from '../source.js';

/**
 * A NUT protocol conversation over TCP (node:net), rather than running `upsc`: one deadline covers
 * the connect and every reply, a dead or silent server costs exactly that deadline, a server answers
 * all our questions on one connection, and there is no per-UPS process to spawn and kill.
 */
export interface NutSessionOptions {
  host: string;
  port: number;
  /** Deadline for the whole conversation: connect, every request, every reply. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** A reply longer than this is an error rather than unbounded memory. */
  maxReplyBytes?: number;
}

export type NutResult<T> =
  | { ok: true; value: T }
  | { ok: false; error: SourceError; /** Nothing listens there (ECONNREFUSED). */ refused?: boolean };

export interface NutSession {
  /**
   * Sends one command line and collects reply lines until `complete` returns a value (it is called
   * with all lines received since the command was sent).
   */
  request<T>(command: string, complete: (lines: readonly string[]) => T | undefined): Promise<NutResult<T>>;
}

type Failure = { ok: false; error: SourceError; refused?: boolean };

/** Opens a connection, runs `work` on it, then says LOGOUT and closes, whatever happened. */
export function withNutSession<T>(
  options: NutSessionOptions,
  work: (session: NutSession) => Promise<NutResult<T>>,
): Promise<NutResult<T>> {
  const { host, port, timeoutMs, signal, maxReplyBytes = 4 * 1024 * 1024 } = options;
  const where = `${host}:${port}`;
  if (signal?.aborted) return Promise.resolve(fail('timeout', `nut ${where}: aborted before connect`));

  const socket = connect({ host, port });
  socket.setEncoding('utf8');
  socket.setNoDelay(true);

  let failed: Failure | undefined;
  let onFailure: ((f: Failure) => void) | undefined;
  const failWith = (f: Failure) => {
    if (failed) return;
    failed = f;
    socket.destroy();
    onFailure?.(f);
  };
  const timer = setTimeout(
    () => failWith(fail('timeout', `nut ${where}: no complete reply within ${timeoutMs} ms`)),
    timeoutMs,
  );
  const onAbort = () => failWith(fail('timeout', `nut ${where}: aborted`));
  signal?.addEventListener('abort', onAbort, { once: true });

  socket.on('error', (err: NodeJS.ErrnoException) => {
    const refused = err.code === 'ECONNREFUSED';
    failWith({ ...fail('io', `nut ${where}: ${refused ? 'connection refused' : err.message}`), refused });
  });
  socket.on('close', () => failWith(fail('io', `nut ${where}: connection closed by the server`)));

  let lines: string[] = [];
  let partial = '';
  let size = 0;
  let onLines: (() => void) | undefined;
  socket.on('data', (chunk: string) => {
    size += chunk.length;
    if (size > maxReplyBytes)
      return failWith(fail('io', `nut ${where}: reply exceeded ${maxReplyBytes} bytes`));
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts.map((l) => l.replace(/\r$/, '')));
    onLines?.();
  });

  const connected = new Promise<Failure | undefined>((resolve) => {
    onFailure = resolve;
    socket.once('connect', () => resolve(undefined));
  });

  const session: NutSession = {
    request(command, complete) {
      if (failed) return Promise.resolve(failed);
      lines = [];
      size = 0;
      socket.write(`${command}\n`);
      return new Promise((resolve) => {
        onFailure = resolve;
        onLines = () => {
          const reply = complete(lines);
          if (reply === undefined) return;
          onLines = undefined;
          onFailure = undefined;
          resolve(ok(reply));
        };
        onLines();
      });
    },
  };

  return (async () => {
    try {
      const notConnected = await connected;
      if (notConnected) return notConnected;
      return await work(session);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (!failed) {
        failed = fail('io', `nut ${where}: session closed`);
        // LOGOUT is a courtesy so upsd logs a clean disconnect; its reply is not awaited.
        socket.end('LOGOUT\n');
        setTimeout(() => socket.destroy(), 1000).unref();
      }
    }
  })();
}
