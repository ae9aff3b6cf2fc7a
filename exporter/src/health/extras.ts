import { X509Certificate } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Exec } from '../sources/exec.js';
import type { HostPaths } from '../sources/source.js';
import type { Db } from '../store/db.js';

/** The node certificate PVE serves on :8006. */
export const PVE_CERTIFICATE = 'etc/pve/local/pve-ssl.pem';
/** Written by apt on every install/upgrade: its mtime is the last time packages changed. */
export const APT_HISTORY = 'var/log/apt/history.log';

/** Expiry of the node certificate (unix ms); null without the file; undefined when unreadable. */
export async function certificateExpiry(paths: HostPaths): Promise<number | null | undefined> {
  let pem: Buffer;
  try {
    pem = await readFile(join(paths.rootfs, PVE_CERTIFICATE));
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? null : undefined;
  }
  try {
    return Date.parse(new X509Certificate(pem).validTo);
  } catch {
    return undefined;
  }
}

export async function lastUpgradeAt(paths: HostPaths): Promise<number | undefined> {
  try {
    return (await stat(join(paths.rootfs, APT_HISTORY))).mtimeMs;
  } catch {
    return undefined;
  }
}

/** What the original matched; sshd, PAM, PVE's own login and proxmon's auth log lines all say one of these. */
const AUTH_FAILURE = 'authentication failure|failed password|invalid user';

/**
 * Authentication failures in the journal over the last 24 h (at most 5000 looked at). Undefined when the
 * journal cannot be read; `--grep` runs inside journalctl, so only matching lines cross the pipe.
 */
export async function failedLogins24h(
  exec: Exec,
  now: number,
  opts: { directory?: string; timeoutMs?: number } = {},
): Promise<number | undefined> {
  const args = [
    '--no-pager',
    '-o',
    'cat',
    '-n',
    '5000',
    '--case-sensitive=false',
    `--since=@${Math.floor(now / 1000) - 86_400}`,
    `--grep=${AUTH_FAILURE}`,
  ];
  if (opts.directory) args.push(`--directory=${opts.directory}`);
  const r = await exec('journalctl', args, { timeoutMs: opts.timeoutMs ?? 15_000 });
  if (!r.ok) return undefined;
  const lines = r.value.stdout.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('-- '));
  // journalctl exits 1 when nothing matched (or there is no journal yet): zero failures.
  if (r.value.exitCode === 0 || (r.value.exitCode === 1 && lines.length === 0)) return lines.length;
  return undefined;
}

const PENDING_KEY = 'security_pending_since';

/**
 * When each currently pending security update was first seen pending, persisted so "unpatched for
 * N days" survives restarts. Packages no longer pending are forgotten.
 */
export function trackSecurityPending(db: Db, pending: readonly string[], now: number): Map<string, number> {
  const row = db.prepare('SELECT value FROM kv WHERE key = ?').get(PENDING_KEY) as
    { value: string } | undefined;
  let known: Record<string, number> = {};
  try {
    known = row ? (JSON.parse(row.value) as Record<string, number>) : {};
  } catch {
    known = {};
  }
  const next = new Map<string, number>();
  for (const pkg of pending) {
    const since = known[pkg];
    next.set(pkg, typeof since === 'number' ? since : now);
  }
  db.prepare(
    'INSERT INTO kv (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
  ).run(PENDING_KEY, JSON.stringify(Object.fromEntries(next)), now);
  return next;
}
