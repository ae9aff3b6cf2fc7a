import { readFileSync } from 'node:fs';
import { STATUS_CODES } from 'node:http';
import { Agent, request } from 'node:https';
import { fail, ok, type Result } from '../sources/source.js';
import {
  checkRequest,
  DEFAULT_PVE_TIMEOUT_MS,
  type PveClient,
  type PveParams,
  type PveRequestOptions,
} from './client.js';
import { PinnedAgent } from './tls.js';

export interface PveApiOptions {
  /** `https://host:8006`; `/api2/json` is added unless present. */
  baseUrl: string;
  /** `user@realm!tokenname` */
  tokenId: string;
  tokenSecret: string;
  /**
   * `verify` checks the chain and host name (against `caFile` when given, else the system CAs).
   * A `fingerprint` (SHA-256 of the server certificate) pins that one certificate and replaces the
   * chain check, which PVE's self-signed default certificate would fail.
   */
  tls: { verify: boolean; caFile?: string; fingerprint?: string };
  timeoutMs?: number;
  maxResponseBytes?: number;
}

const DEFAULT_MAX_RESPONSE = 64 * 1024 * 1024;

/**
 * PVE access through the REST API with an API token (non-root or remote use). Bad configuration
 * (base URL, fingerprint, unreadable CA file) throws here, at construction, not on every call.
 */
export function createApiClient(options: PveApiOptions): PveClient {
  const base = new URL(options.baseUrl);
  if (base.protocol !== 'https:') throw new Error('PVE API base URL must use https');
  const prefix = base.pathname.replace(/\/+$/, '').replace(/\/api2\/json$/, '') + '/api2/json';
  const ca = options.tls.caFile ? readFileSync(options.tls.caFile) : undefined;
  const agentOptions = { keepAlive: true, maxSockets: 4, ca, rejectUnauthorized: options.tls.verify };
  const agent = options.tls.fingerprint
    ? new PinnedAgent(options.tls.fingerprint, agentOptions)
    : new Agent(agentOptions);
  const authorization = `PVEAPIToken=${options.tokenId}=${options.tokenSecret}`;
  const defaultTimeout = options.timeoutMs ?? DEFAULT_PVE_TIMEOUT_MS;
  const maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE;

  function call<T>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    params: PveParams = {},
    opts: PveRequestOptions = {},
  ): Promise<Result<T>> {
    const invalid = checkRequest(path, params);
    if (invalid) return Promise.resolve(fail('exit', invalid));
    const what = `PVE API ${method} ${path}`;
    const query = new URLSearchParams(
      Object.entries(params).flatMap(([k, v]) =>
        (typeof v === 'object' ? v : [v]).map((x): [string, string] => [k, String(x)]),
      ),
    ).toString();
    const body = method === 'POST' || method === 'PUT' ? query : undefined;
    const timeoutMs = opts.timeoutMs ?? defaultTimeout;
    return new Promise((resolve) => {
      if (opts.signal?.aborted) return resolve(fail('timeout', `${what}: aborted before start`));
      let settled = false;
      const settle = (result: Result<T>) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        resolve(result);
      };
      const req = request({
        protocol: base.protocol,
        hostname: base.hostname,
        port: base.port || 8006,
        path: prefix + path + ((method === 'GET' || method === 'DELETE') && query ? `?${query}` : ''),
        method,
        agent,
        headers: {
          Authorization: authorization,
          Accept: 'application/json',
          ...(body === undefined
            ? {}
            : {
                'Content-Type': 'application/x-www-form-urlencoded',
                'Content-Length': Buffer.byteLength(body),
              }),
        },
      });
      const abort = (result: Result<T>) => {
        settle(result);
        req.destroy();
      };
      const onAbort = () => abort(fail('timeout', `${what}: aborted`));
      const timer = setTimeout(
        () => abort(fail('timeout', `${what}: timed out after ${timeoutMs} ms`)),
        timeoutMs,
      );
      opts.signal?.addEventListener('abort', onAbort, { once: true });

      req.on('error', (err) => settle(fail('io', `${what}: ${err.message}`)));
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) return abort(fail('io', `${what}: response exceeded ${maxBytes} bytes`));
          chunks.push(chunk);
        });
        res.on('error', (err) => settle(fail('io', `${what}: ${err.message}`)));
        res.on('end', () =>
          settle(interpret<T>(res.statusCode ?? 0, res.statusMessage, Buffer.concat(chunks))),
        );
      });
      req.end(body);
    });
  }

  return {
    mode: 'api',
    get: (path, params, opts) => call('GET', path, params, opts),
    post: (path, body, opts) => call('POST', path, body, opts),
    put: (path, body, opts) => call('PUT', path, body, opts),
    delete: (path, params, opts) => call('DELETE', path, params, opts),
    close: () => agent.destroy(),
  };
}

/** 2xx → the `data` member; otherwise "<status> <reason>", plus PVE's own reason and field errors. */
function interpret<T>(status: number, statusMessage: string | undefined, raw: Buffer): Result<T> {
  let body: unknown;
  try {
    body = raw.length === 0 ? undefined : JSON.parse(raw.toString('utf8'));
  } catch {
    body = undefined;
  }
  if (status >= 200 && status < 300) {
    if (typeof body !== 'object' || body === null || !('data' in body)) {
      return fail('parse', `PVE API: ${status} reply without a JSON {data} body`);
    }
    return ok((body as { data: T }).data);
  }
  const standard = (STATUS_CODES[status] ?? 'error').toLowerCase();
  const details: string[] = [];
  const own = statusMessage?.trim();
  if (own && own.toLowerCase() !== standard) details.push(own);
  const errors = typeof body === 'object' && body !== null && 'errors' in body ? body.errors : undefined;
  if (errors && typeof errors === 'object') details.push(JSON.stringify(errors).slice(0, 300));
  return fail('exit', `${status} ${standard}${details.length ? ` (${details.join('; ')})` : ''}`);
}
