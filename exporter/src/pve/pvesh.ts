import type { Exec } from '../sources/exec.js';
import { fail, ok, type Result } from '../sources/source.js';
import {
  checkRequest,
  DEFAULT_PVE_TIMEOUT_MS,
  type PveClient,
  type PveParams,
  type PveRequestOptions,
} from './client.js';

/**
 * PVE access through `pvesh` (root on the node: no token, no network). pvesh prints the bare `data`
 * value as JSON on stdout; on failure it prints the reason on stderr and exits non-zero.
 */
export function createPveshClient(
  exec: Exec,
  options: { tool?: string; timeoutMs?: number } = {},
): PveClient {
  const tool = options.tool ?? 'pvesh';
  const defaultTimeout = options.timeoutMs ?? DEFAULT_PVE_TIMEOUT_MS;

  async function call<T>(
    verb: 'get' | 'create' | 'set' | 'delete',
    path: string,
    params: PveParams = {},
    opts: PveRequestOptions = {},
  ): Promise<Result<T>> {
    const invalid = checkRequest(path, params);
    if (invalid) return fail('exit', invalid);
    const args = [verb, path, '--output-format', 'json'];
    for (const [key, value] of Object.entries(params))
      for (const v of typeof value === 'object' ? value : [value]) args.push(`--${key}`, String(v));
    const run = await exec(tool, args, { timeoutMs: opts.timeoutMs ?? defaultTimeout, signal: opts.signal });
    if (!run.ok) return run;
    const { stdout, stderr, exitCode } = run.value;
    if (exitCode !== 0) {
      const line = stderr
        .split('\n')
        .find((l) => l.trim() !== '')
        ?.trim();
      return fail('exit', line ?? `${tool} ${verb} ${path} exited with status ${exitCode}`);
    }
    // Calls whose data is null (most creates without a task) print nothing.
    if (stdout.trim() === '') return ok(null as T);
    try {
      return ok(JSON.parse(stdout) as T);
    } catch (err) {
      return fail('parse', `${tool} ${verb} ${path}: invalid JSON (${(err as Error).message})`);
    }
  }

  return {
    mode: 'pvesh',
    get: (path, params, opts) => call('get', path, params, opts),
    post: (path, body, opts) => call('create', path, body, opts),
    put: (path, body, opts) => call('set', path, body, opts),
    delete: (path, params, opts) => call('delete', path, params, opts),
    close: () => {},
  };
}
