import { closeSync, constants, fchmodSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { isIPv4, isIPv6 } from 'node:net';
import { dirname } from 'node:path';
import { fail, ok, type Result } from '../sources/source.js';

/**
 * The fail2ban-readable authentication log (deploy/fail2ban/filter.d/proxmon.conf reads it):
 *
 *   2026-11-26 10:00:00 +0100 proxmon-auth: authentication failure; rhost=203.0.113.7 user=admin
 *   2026-11-26 10:00:05 +0100 proxmon-auth: authentication success; rhost=203.0.113.7 user=admin
 *
 * Time is local time followed by its UTC offset. fail2ban reads a bare `YYYY-MM-DD HH:MM:SS` as its
 * own local time, which is ambiguous in the hour a daylight-saving change repeats and wrong when
 * proxmon and fail2ban run with different TZ settings; with the offset neither can shift a failure
 * out of the jail's findtime. The filter's datepattern accepts the offset (and its absence).
 */
export interface AuthEvent {
  /** The client address (after trusted-proxy resolution); IPv4-mapped IPv6 is written as IPv4. */
  ip: string;
  /** The user name as the client typed it; sanitised before it is written. */
  user: string;
  /** Defaults to the log's clock. */
  at?: Date;
}

export interface AuthLog {
  readonly file: string;
  /** A failed login: the line fail2ban counts. */
  failure(event: AuthEvent): Result<void>;
  /** A successful login, for forensics; the shipped filter never matches it. */
  success(event: AuthEvent): Result<void>;
}

const MAX_USER_LENGTH = 64;
const FILE_MODE = 0o640;
const DIR_MODE = 0o750;

/**
 * Appends are synchronous: one open/write/close of a single short line, a few microseconds on a
 * local disk, and a login that failed may be answered a little late. Opening per line means a
 * logrotate move or truncate needs no signal, and an O_APPEND write of one line is never interleaved
 * with another process's line.
 */
export function createAuthLog(file: string, options: { now?: () => number } = {}): AuthLog {
  const now = options.now ?? Date.now;
  const write = (outcome: 'failure' | 'success', { ip, user, at }: AuthEvent): Result<void> => {
    const rhost = canonicalIp(ip);
    if (rhost === undefined) return fail('parse', `auth log: not an IP address: ${JSON.stringify(ip)}`);
    const time = formatLogTime(at ?? new Date(now()));
    return appendLine(
      file,
      `${time} proxmon-auth: authentication ${outcome}; rhost=${rhost} user=${sanitiseUser(user)}\n`,
    );
  };
  return {
    file,
    failure: (event) => write('failure', event),
    success: (event) => write('success', event),
  };
}

/** `YYYY-MM-DD HH:MM:SS ±HHMM` in the process's local time zone. */
export function formatLogTime(d: Date): string {
  const p2 = (n: number) => String(n).padStart(2, '0');
  const offset = -d.getTimezoneOffset();
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return (
    `${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())} ` +
    `${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())} ` +
    `${sign}${p2(Math.floor(abs / 60))}${p2(abs % 60)}`
  );
}

/**
 * A user name that is one token: no line breaks or other control and format characters (a second,
 * forged line), no whitespace, `;` or `=` (a second `rhost=` for the filter to pick up), bounded length.
 */
export function sanitiseUser(user: string): string {
  const cleaned = user.replace(/[\s\p{Z};=]/gu, '_').replace(/[\p{Cc}\p{Cf}]/gu, '');
  const bounded = Array.from(cleaned).slice(0, MAX_USER_LENGTH).join('');
  return bounded === '' ? '-' : bounded;
}

/**
 * The one spelling of an address that the log, fail2ban's ban list and the ban check share:
 * IPv4-mapped IPv6 becomes IPv4, IPv6 is lower-case and compressed (as fail2ban prints it), a zone
 * index is dropped. `undefined` when it is not an IP address.
 */
export function canonicalIp(ip: string): string | undefined {
  const bare = ip.trim().replace(/^\[(.*)\]$/, '$1');
  if (isIPv4(bare)) return bare;
  const noZone = bare.replace(/%.*$/, '');
  if (!isIPv6(noZone)) return undefined;
  // The WHATWG URL parser serialises IPv6 hosts in the RFC 5952 form (lower case, longest zero run compressed).
  const compressed = new URL(`http://[${noZone}]/`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(compressed);
  if (!mapped) return compressed;
  const hi = parseInt(mapped[1]!, 16);
  const lo = parseInt(mapped[2]!, 16);
  return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
}

function appendLine(file: string, line: string): Result<void> {
  let fd: number | undefined;
  try {
    fd = openForAppend(file);
    writeSync(fd, line);
    return ok(undefined);
  } catch (err) {
    return fail('io', `auth log ${file}: ${(err as Error).message}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

const { O_WRONLY, O_APPEND, O_CREAT, O_EXCL, O_NOFOLLOW } = constants;

/** Opens for appending; a file this call creates gets exactly 0640, whatever the umask. */
function openForAppend(file: string, makeDir = true): number {
  let fd: number;
  try {
    fd = openSync(file, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_NOFOLLOW, FILE_MODE);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return openSync(file, O_WRONLY | O_APPEND | O_NOFOLLOW);
    if (code !== 'ENOENT' || !makeDir) throw err;
    mkdirSync(dirname(file), { recursive: true, mode: DIR_MODE });
    return openForAppend(file, false);
  }
  try {
    fchmodSync(fd, FILE_MODE);
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  return fd;
}
