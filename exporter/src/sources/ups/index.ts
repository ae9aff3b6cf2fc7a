import { fail, ok, type Source, type SourceContext } from '../source.js';
import { withNutSession, type NutResult, type NutSession } from './client.js';
import {
  parseListReply,
  parseNutErr,
  quoteNutWord,
  readUpsList,
  readUpsValues,
  readVarList,
  type UpsValues,
} from './parse.js';

export { UPS_STATUS_FLAGS, type UpsStatusFlag, type UpsValues } from './parse.js';

export const UPS_SOURCE = 'ups';
export const NUT_PORT = 3493;

export interface NutServerConfig {
  host: string;
  port?: number;
  username?: string;
  password?: string;
}

export interface UpsOptions {
  /**
   * NUT servers (upsd) to ask. Default: the local one at 127.0.0.1:3493, where a refused
   * connection means "no NUT here" (quiet `absent`); a configured server that fails is an error.
   */
  servers?: readonly NutServerConfig[];
  /** Deadline per server for the whole conversation (connect, LIST UPS, LIST VAR each). */
  serverTimeoutMs?: number;
}

export interface UpsReading extends UpsValues {
  /**
   * The `ups` label: the NUT name for a UPS on this host's upsd, `name@host` (`name@host:port` off
   * port 3493) for one on another server, as upsc writes them.
   */
  ups: string;
  name: string;
  /** host:port of the upsd that serves it. */
  server: string;
  description?: string;
  /** upsd had fresh data for it; false on DATA-STALE, DRIVER-NOT-CONNECTED or any other ERR. */
  up: boolean;
  error?: string;
}

export interface NutServerStatus {
  server: string;
  up: boolean;
  error?: string;
}

export interface UpsSnapshot {
  upses: UpsReading[];
  servers: NutServerStatus[];
}

/** UPSes through the NUT network protocol, every server in parallel. */
export function createUpsSource(options: UpsOptions = {}): Source<UpsSnapshot> {
  const configured = options.servers !== undefined && options.servers.length > 0;
  const servers = configured ? (options.servers ?? []) : [{ host: '127.0.0.1' }];
  const timeoutMs = options.serverTimeoutMs ?? 4000;

  return {
    name: UPS_SOURCE,
    intervalSeconds: 10,
    timeoutSeconds: 5,
    async collect(ctx) {
      const results = await Promise.all(servers.map((s) => readServer(ctx, s, timeoutMs)));
      const failures = results.filter((r) => !r.ok);
      if (failures.length === results.length) {
        const first = failures[0];
        if (!first || first.ok) return fail('parse', 'ups: no servers');
        if (!configured && first.refused) return fail('absent', `ups: ${first.error.message} (no NUT here)`);
        return fail(first.error.kind, failures.map((f) => (f.ok ? '' : f.error.message)).join('; '));
      }
      const statuses = servers.map((s, i): NutServerStatus => {
        const r = results[i];
        const server = serverName(s);
        return r && !r.ok ? { server, up: false, error: r.error.message } : { server, up: true };
      });
      return ok({ upses: uniqueLabels(results.flatMap((r) => (r.ok ? r.value : []))), servers: statuses });
    },
  };
}

async function readServer(
  ctx: SourceContext,
  server: NutServerConfig,
  timeoutMs: number,
): Promise<NutResult<UpsReading[]>> {
  const port = server.port ?? NUT_PORT;
  const where = serverName(server);
  return withNutSession({ host: server.host, port, timeoutMs, signal: ctx.signal }, async (session) => {
    if (server.username !== undefined) {
      const login = await command(session, `USERNAME ${quoteNutWord(server.username)}`, where);
      if (!login.ok) return login;
      if (server.password !== undefined) {
        const password = await command(session, `PASSWORD ${quoteNutWord(server.password)}`, where);
        if (!password.ok) return password;
      }
    }

    const list = await session.request('LIST UPS', (lines) => parseListReply(lines, ['UPS']));
    if (!list.ok) return list;
    if (!list.value.ok) {
      const { code, message } = list.value.error;
      return fail(code === 'PROTOCOL' ? 'parse' : 'exit', `nut ${where}: LIST UPS: ${message}`);
    }
    const upses = readUpsList(list.value.value);
    if (!upses.ok) return fail('parse', `nut ${where}: ${upses.error.message}`);

    const readings: UpsReading[] = [];
    for (const { name, description } of upses.value) {
      const base = {
        ups: upsLabel(name, server.host, port),
        name,
        server: where,
        ...(description && { description }),
      };
      const reply = await session.request(`LIST VAR ${name}`, (lines) =>
        parseListReply(lines, ['VAR', name]),
      );
      if (!reply.ok) return reply;
      if (!reply.value.ok) {
        if (reply.value.error.code === 'PROTOCOL')
          return fail('parse', `nut ${where}: ${reply.value.error.message}`);
        // DATA-STALE, DRIVER-NOT-CONNECTED, UNKNOWN-UPS (gone since LIST UPS), ACCESS-DENIED: this UPS only.
        readings.push({ ...base, up: false, error: reply.value.error.message });
        continue;
      }
      const vars = readVarList(reply.value.value);
      if (!vars.ok) return fail('parse', `nut ${where}: ${vars.error.message}`);
      readings.push({ ...base, up: true, ...readUpsValues(vars.value) });
    }
    return ok(readings);
  });
}

/** A command answered by one line: OK, or ERR (a wrong password, an unknown user). */
async function command(session: NutSession, line: string, where: string): Promise<NutResult<string>> {
  const reply = await session.request(line, (lines) => lines[0]);
  if (!reply.ok) return reply;
  if (reply.value.startsWith('OK')) return reply;
  const err = parseNutErr(reply.value);
  const verb = line.split(' ')[0] ?? line;
  return fail(
    err ? 'exit' : 'parse',
    `nut ${where}: ${verb}: ${err?.message ?? `unexpected reply "${reply.value}"`}`,
  );
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '::1', 'ip6-localhost']);

export function upsLabel(name: string, host: string, port: number): string {
  if (LOCAL_HOSTS.has(host.toLowerCase()) || /^127\./.test(host)) return name;
  if (port === NUT_PORT) return `${name}@${host}`;
  return `${name}@${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function serverName(server: NutServerConfig): string {
  const port = server.port ?? NUT_PORT;
  return `${server.host.includes(':') ? `[${server.host}]` : server.host}:${port}`;
}

/** Two servers may serve UPSes with the same label (two local upsd ports); the later ones get @server. */
function uniqueLabels(readings: UpsReading[]): UpsReading[] {
  const seen = new Set<string>();
  return readings.map((r) => {
    const ups = seen.has(r.ups) ? `${r.name}@${r.server}` : r.ups;
    seen.add(ups);
    return ups === r.ups ? r : { ...r, ups };
  });
}
