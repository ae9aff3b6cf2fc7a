import type { Result } from '../sources/source.js';

/**
 * Query or form parameters; PVE takes every value as text. An array repeats its key, as PVE's array
 * parameters want (a webhook endpoint's `header` and `secret` entries, a matcher's `target`).
 */
export type PveParams = Readonly<Record<string, string | number | readonly string[]>>;

export interface PveRequestOptions {
  timeoutMs?: number;
  /** Aborting ends the call with a `timeout` error, as with Exec. */
  signal?: AbortSignal;
}

/**
 * The one way in to Proxmox VE data, whether through `pvesh` on the node or the REST API with a token.
 * Both return the bare `data` value, so parsers never see which one was used. `T` is not checked:
 * callers parse the value as `unknown` shaped data. Errors are values: `absent` (pvesh not installed),
 * `timeout`, `exit` (pvesh non-zero, or HTTP non-2xx as "<status> <reason>"), `parse`, `io`.
 */
export interface PveClient {
  readonly mode: 'pvesh' | 'api';
  get<T = unknown>(path: string, params?: PveParams, opts?: PveRequestOptions): Promise<Result<T>>;
  /** For write calls (guest control, backups); the reply is usually a task UPID. */
  post<T = unknown>(path: string, body?: PveParams, opts?: PveRequestOptions): Promise<Result<T>>;
  /** Changes settings (a guest's config). */
  put<T = unknown>(path: string, body?: PveParams, opts?: PveRequestOptions): Promise<Result<T>>;
  delete<T = unknown>(path: string, params?: PveParams, opts?: PveRequestOptions): Promise<Result<T>>;
  /** Frees pooled connections; the client must not be used afterwards. */
  close(): void;
}

export const DEFAULT_PVE_TIMEOUT_MS = 10_000;

const PATH = /^(\/[A-Za-z0-9_.:@!-]+)+$|^\/$/;
const PARAM_KEY = /^[A-Za-z][A-Za-z0-9_-]*$/;

/**
 * Rejects paths and keys that could become options or leave the API tree (`..`, spaces, query text),
 * so a vmid or node name from a request can never change what is called.
 */
export function checkRequest(path: string, params: PveParams = {}): string | undefined {
  if (!PATH.test(path) || path.split('/').some((s) => s === '..' || s === '.'))
    return `invalid PVE path ${JSON.stringify(path)}`;
  const bad = Object.keys(params).find((k) => !PARAM_KEY.test(k));
  return bad === undefined ? undefined : `invalid PVE parameter name ${JSON.stringify(bad)}`;
}

/** The `/nodes` entry for this host: PVE node names are short hostnames, compared without case. */
export function findLocalNode<N extends { node: string }>(
  nodes: readonly N[],
  hostname: string,
): N | undefined {
  const short = (name: string) => name.split('.')[0]!.trim().toLowerCase();
  const wanted = short(hostname);
  if (wanted === '') return undefined;
  return nodes.find((n) => typeof n.node === 'string' && short(n.node) === wanted);
}
