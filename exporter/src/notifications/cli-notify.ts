import { existsSync } from 'node:fs';
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { hostname as osHostname } from 'node:os';
import { join } from 'node:path';
import type { Keyring } from '../auth/secrets.js';
import type { Config } from '../config.js';
import { DB_FILE, openStore } from '../store/db.js';
import { isKnownEvent } from './catalogue.js';
import { ChannelStore } from './channel-store.js';
import type { NotifySeverity } from './channels/channel.js';
import type { NotificationEvent } from './event.js';
import { Outbox } from './outbox.js';
import { Pipeline, type SubmitResult } from './pipeline.js';
import { readNotifySettings } from './settings.js';
import { PipelineState } from './state.js';

/** Exit statuses of `proxmon notify`: hook scripts can tell a wrong call (2) from a failure (1). */
export const NOTIFY_EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** How long the exporter may take to answer before the message goes into the outbox directly. */
export const EXPORTER_TIMEOUT_MS = 3000;

const SEVERITIES: readonly NotifySeverity[] = ['OK', 'INFO', 'WARNING', 'CRITICAL'];
const TYPE = /^[a-z0-9_]{1,64}$/;
/** The same limits as `POST /api/notifications/send`, so both paths accept the same calls. */
const FIELD_KEY = /^[a-z_][a-z0-9_]{0,40}$/;

/** A call that can never succeed as written (exit 2). */
export class NotifyUsageError extends Error {}

export interface NotifyArgs {
  type: string;
  severity: NotifySeverity;
  title?: string;
  body?: string;
  fields: Record<string, string>;
}

export interface RawNotifyOptions {
  type?: string | undefined;
  severity?: string | undefined;
  title?: string | undefined;
  body?: string | undefined;
  field?: readonly string[] | undefined;
}

export function parseNotifyArgs(raw: RawNotifyOptions): NotifyArgs {
  const type = raw.type ?? 'custom';
  if (!TYPE.test(type) || !isKnownEvent(type))
    throw new NotifyUsageError(
      `unknown event type ${JSON.stringify(type)}: see GET /api/notifications/catalogue, or use --type custom`,
    );
  const severity = (raw.severity ?? 'INFO').toUpperCase();
  if (!(SEVERITIES as readonly string[]).includes(severity))
    throw new NotifyUsageError(
      `--severity must be one of ${SEVERITIES.join(', ')}, not ${JSON.stringify(raw.severity)}`,
    );
  if (raw.title !== undefined && (raw.title === '' || raw.title.length > 250))
    throw new NotifyUsageError('--title must be 1 to 250 characters');
  if (type === 'custom' && raw.title === undefined)
    throw new NotifyUsageError('--title is required with --type custom');
  if (raw.body !== undefined && raw.body.length > 4000)
    throw new NotifyUsageError('--body must be at most 4000 characters');
  const fields: Record<string, string> = {};
  for (const f of raw.field ?? []) {
    const eq = f.indexOf('=');
    const key = eq < 0 ? '' : f.slice(0, eq);
    if (!FIELD_KEY.test(key))
      throw new NotifyUsageError(
        `--field ${JSON.stringify(f)}: expected key=value with a key of lowercase letters, digits and _`,
      );
    const value = f.slice(eq + 1);
    if (value.length > 1000) throw new NotifyUsageError(`--field ${key}: value longer than 1000 characters`);
    fields[key] = value;
  }
  return {
    type,
    severity: severity as NotifySeverity,
    ...(raw.title !== undefined ? { title: raw.title } : {}),
    ...(raw.body !== undefined ? { body: raw.body } : {}),
    fields,
  };
}

/** The body `POST /api/notifications/send` takes. */
export const sendBody = (a: NotifyArgs) => ({
  type: a.type,
  severity: a.severity,
  ...(a.title !== undefined ? { title: a.title } : {}),
  ...(a.body !== undefined ? { body: a.body } : {}),
  fields: a.fields,
});

/** The event that route builds from the same body, so the outbox path decides exactly as it would. */
export function notifyEvent(a: NotifyArgs, at: number): NotificationEvent {
  return {
    type: a.type,
    severity: a.severity,
    source: 'cli',
    at,
    fields: {
      ...a.fields,
      ...(a.title ? { title: a.title } : {}),
      ...(a.body ? { body: a.body, reason: a.body } : {}),
    },
  };
}

export type ExporterReply =
  | { kind: 'answered'; status: number; text: string }
  /** Nothing reached the exporter (refused, no route, TLS failure, no connection in time). */
  | { kind: 'unreachable'; reason: string }
  /** Connected and sent, but no answer in time: it may have taken the message. */
  | { kind: 'no_answer'; reason: string };

const connectProblem = (err: NodeJS.ErrnoException): string => {
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    default:
      return err.message;
  }
};

/** POSTs JSON with the bearer token; never throws, and tells "not reached" from "no answer". */
export function postToExporter(
  url: URL,
  token: string,
  body: unknown,
  timeoutMs = EXPORTER_TIMEOUT_MS,
): Promise<ExporterReply> {
  const payload = JSON.stringify(body);
  const tls = url.protocol === 'https:';
  return new Promise((resolve) => {
    let connected = false;
    let settled = false;
    const settle = (r: ExporterReply) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const req: ClientRequest = (tls ? httpsRequest : httpRequest)(url, {
      method: 'POST',
      agent: false,
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(payload),
        authorization: `Bearer ${token}`,
      },
    });
    const timer = setTimeout(() => {
      settle(
        connected
          ? { kind: 'no_answer', reason: `no answer within ${timeoutMs / 1000} s` }
          : { kind: 'unreachable', reason: `no connection within ${timeoutMs / 1000} s` },
      );
      req.destroy();
    }, timeoutMs);
    req.on('socket', (socket) => socket.once(tls ? 'secureConnect' : 'connect', () => (connected = true)));
    req.on('error', (err: NodeJS.ErrnoException) =>
      settle(
        connected
          ? { kind: 'no_answer', reason: `connection lost (${err.code ?? err.message})` }
          : { kind: 'unreachable', reason: connectProblem(err) },
      ),
    );
    req.on('response', (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= 65_536) chunks.push(c);
      });
      res.on('end', () =>
        settle({
          kind: 'answered',
          status: res.statusCode ?? 0,
          text: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', () => settle({ kind: 'no_answer', reason: 'the answer broke off' }));
    });
    req.end(payload);
  });
}

/**
 * The direct path reads channel policies only, never their secrets: a keyring without key material
 * makes any attempt to decrypt fail loudly instead of reading the key file.
 */
const NO_KEYS: Keyring = Object.freeze({
  file: '(not loaded by proxmon notify)',
  currentKeyId: '',
  keyIds: [],
});

/**
 * Runs the event through the pipeline straight into the SQLite outbox, in one write transaction taken
 * up front (the exporter may be writing too). It never sends: the exporter delivers pending rows on
 * its next tick, or when it starts again.
 */
export function queueInOutbox(
  dataDir: string,
  event: NotificationEvent,
  hostname = osHostname(),
): SubmitResult {
  const file = join(dataDir, DB_FILE);
  if (!existsSync(file))
    throw new Error(`no proxmon database at ${file}: check PROXMON_DATA_DIR (or data_dir in the config)`);
  const db = openStore(dataDir);
  try {
    const settings = () => readNotifySettings(db);
    const channels = new ChannelStore(db, NO_KEYS);
    const pipeline = new Pipeline({
      state: new PipelineState(db),
      outbox: new Outbox(db),
      settings,
      channels: () => channels.list().map((c) => ({ name: c.spec.name, policy: c.spec })),
      host: () => settings().hostname ?? hostname,
    });
    return db.transaction(() => pipeline.submit(event)).immediate();
  } finally {
    db.close();
  }
}

/** What the send route answers, and what the outbox path reports the same way. */
export interface SubmitView {
  queued: string[];
  held: string[];
  suppressed: string | null;
  detail: string | null;
}

export const submitView = (r: SubmitResult): SubmitView =>
  'queued' in r
    ? { queued: r.queued, held: r.held, suppressed: null, detail: null }
    : { queued: [], held: [], suppressed: r.suppressed, detail: r.detail ?? null };

export function describeResult(r: SubmitView): string {
  if (r.suppressed !== null) return `suppressed (${r.suppressed}${r.detail ? `: ${r.detail}` : ''})`;
  const parts = [];
  if (r.queued.length) parts.push(`queued for ${r.queued.join(', ')}`);
  if (r.held.length) parts.push(`held for ${r.held.join(', ')} (quiet hours or digest)`);
  return parts.join('; ') || 'accepted';
}

const parseView = (text: string): SubmitView | undefined => {
  try {
    const v = JSON.parse(text) as Partial<SubmitView>;
    return Array.isArray(v.queued) && Array.isArray(v.held)
      ? { queued: v.queued, held: v.held, suppressed: v.suppressed ?? null, detail: v.detail ?? null }
      : undefined;
  } catch {
    return undefined;
  }
};

/** The exporter on this host, from its config: a wildcard listen address is reached over loopback. */
export function defaultExporterUrl(config: Config): string {
  const tls = config.tls.cert_file !== undefined || config.tls.use_pve_certificate;
  const host =
    config.host === '0.0.0.0'
      ? '127.0.0.1'
      : config.host === '::'
        ? '[::1]'
        : config.host.includes(':')
          ? `[${config.host}]`
          : config.host;
  return `${tls ? 'https' : 'http'}://${host}:${config.port}`;
}

export interface NotifyRun {
  args: NotifyArgs;
  /** The exporter's base URL. */
  url: string;
  token?: string | undefined;
  dataDir: string;
  timeoutMs?: number;
  hostname?: string;
  now?: () => number;
  out: (line: string) => void;
  err: (line: string) => void;
}

/** Shown in messages: scheme, host and port only (a URL may carry credentials). */
const origin = (u: URL) => u.origin;

const errorMessage = (text: string): string => {
  try {
    const m = (JSON.parse(text) as { error?: { message?: unknown } }).error?.message;
    return typeof m === 'string' ? m : text.slice(0, 200);
  } catch {
    return text.slice(0, 200);
  }
};

/**
 * `proxmon notify`: through the running exporter when it answers, else straight into the outbox, so
 * a hook script's message is never lost. Returns the exit status. The token is never printed.
 */
export async function runNotify(run: NotifyRun): Promise<number> {
  const now = run.now ?? Date.now;
  const url = URL.parse(run.url);
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    run.err(`proxmon: --url must be an http:// or https:// URL`);
    return NOTIFY_EXIT.usage;
  }
  let why: string;
  if (run.token) {
    const reply = await postToExporter(
      // Relative to the given URL's path, so an exporter behind a proxy prefix is reached too.
      new URL(`${url.pathname.replace(/\/+$/, '')}/api/notifications/send`, url),
      run.token,
      sendBody(run.args),
      run.timeoutMs,
    );
    if (reply.kind === 'answered' && (reply.status === 200 || reply.status === 202)) {
      const view = parseView(reply.text);
      run.out(
        `proxmon: sent through the exporter at ${origin(url)}: ${view ? describeResult(view) : 'accepted'}`,
      );
      return NOTIFY_EXIT.ok;
    }
    if (reply.kind === 'answered' && reply.status === 400) {
      run.err(`proxmon: the exporter refused the notification: ${errorMessage(reply.text)}`);
      return NOTIFY_EXIT.usage;
    }
    if (reply.kind === 'answered') {
      why = `the exporter at ${origin(url)} answered HTTP ${reply.status} (${errorMessage(reply.text)})`;
      if (reply.status === 401 || reply.status === 403)
        run.err(`proxmon: warning: the exporter refused the API token; check --token or PROXMON_TOKEN`);
    } else if (reply.kind === 'no_answer') {
      why = `the exporter at ${origin(url)} gave no answer (${reply.reason})`;
      run.err(`proxmon: warning: ${why}; it may have taken the notification as well`);
    } else why = `the exporter at ${origin(url)} is not reachable (${reply.reason})`;
  } else why = 'no API token (--token or PROXMON_TOKEN)';

  try {
    const result = queueInOutbox(run.dataDir, notifyEvent(run.args, now()), run.hostname);
    run.out(
      `proxmon: ${why}; written to the outbox in ${run.dataDir} for the exporter to deliver: ${describeResult(submitView(result))}`,
    );
    return NOTIFY_EXIT.ok;
  } catch (err) {
    run.err(`proxmon: ${why}, and the outbox could not be written: ${(err as Error).message}`);
    return NOTIFY_EXIT.failed;
  }
}
