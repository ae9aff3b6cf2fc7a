import { fail, ok, type Result } from '../sources/source.js';

/** The fields of /proc/<pid>/stat a process list needs. Tick counts are in USER_HZ. */
export interface PidStat {
  pid: number;
  /** The kernel's 15-character name (`comm`); may hold spaces and parentheses. */
  comm: string;
  /** One letter: R running, S sleeping, D disk sleep, Z zombie, T stopped, I idle, ... */
  state: string;
  ppid: number;
  userTicks: number;
  systemTicks: number;
  priority: number;
  nice: number;
  threads: number;
  /** Start time in ticks after boot. */
  startTicks: number;
  virtualBytes: number;
}

/**
 * Parses /proc/<pid>/stat. `comm` sits in parentheses and may itself contain `) (` or spaces, so the
 * fields are taken after the LAST `)`; everything before the first `(` is the pid.
 */
export function parsePidStat(text: string): Result<PidStat> {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 1 || close < open) return fail('parse', '/proc/<pid>/stat: no "(comm)" field');
  const pid = int(text.slice(0, open).trim());
  // Field 3 (state) is the first after the comm; index i here is field i + 3.
  const f = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  const at = (field: number) => int(f[field - 3]);
  const state = f[0];
  const fields = {
    ppid: at(4),
    userTicks: at(14),
    systemTicks: at(15),
    priority: signedInt(f[18 - 3]),
    nice: signedInt(f[19 - 3]),
    threads: at(20),
    startTicks: at(22),
    virtualBytes: at(23),
  };
  if (pid === undefined || state === undefined || !/^[A-Za-z]$/.test(state))
    return fail('parse', '/proc/<pid>/stat: no pid or state');
  for (const [name, value] of Object.entries(fields))
    if (value === undefined) return fail('parse', `/proc/${pid}/stat: no ${name} field`);
  return ok({
    pid,
    comm: text.slice(open + 1, close),
    state,
    ...(fields as Omit<PidStat, 'pid' | 'comm' | 'state'>),
  });
}

/** What /proc/<pid>/status adds: the real uid and memory in bytes (the file says kB, meaning KiB). */
export interface PidStatus {
  name?: string;
  uid?: number;
  residentBytes?: number;
  virtualBytes?: number;
  swapBytes?: number;
  threads?: number;
}

export function parsePidStatus(text: string): PidStatus {
  const out: PidStatus = {};
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 1) continue;
    const key = line.slice(0, colon);
    const value = line.slice(colon + 1).trim();
    switch (key) {
      case 'Name':
        out.name = value;
        break;
      case 'Uid':
        out.uid = int(value.split(/\s+/)[0]);
        break;
      case 'VmRSS':
        out.residentBytes = kib(value);
        break;
      case 'VmSize':
        out.virtualBytes = kib(value);
        break;
      case 'VmSwap':
        out.swapBytes = kib(value);
        break;
      case 'Threads':
        out.threads = int(value);
        break;
    }
  }
  // A field that did not parse stays absent rather than present-but-undefined.
  for (const k of Object.keys(out) as (keyof PidStatus)[]) if (out[k] === undefined) delete out[k];
  return out;
}

/** /proc/<pid>/cmdline: arguments separated (and usually ended) by NUL; empty for kernel threads. */
export function parseCmdline(raw: string): string[] {
  if (raw === '') return [];
  const args = raw.split('\0');
  if (args.at(-1) === '') args.pop();
  return args;
}

/** Flags whose value is a credential: `--password=x`, `--token x`, `PGPASSWORD=x`. */
const SECRET_FLAG = /pass(word|wd|phrase)?|secret|token|api[-_]?key|credential|auth/i;
export const REDACTED = '***';

/**
 * Hides the values of credential-looking arguments: anyone with the read scope sees process lists,
 * and a command line is where careless scripts put passwords. `--flag=value` and `--flag value` forms
 * and `NAME=value` assignments are covered; other arguments are kept as they are.
 */
export function redactArgs(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = arg.indexOf('=');
    if (eq > 0 && SECRET_FLAG.test(arg.slice(0, eq))) {
      out.push(`${arg.slice(0, eq + 1)}${REDACTED}`);
      continue;
    }
    out.push(arg);
    const next = args[i + 1];
    if (
      /^--?[A-Za-z]/.test(arg) &&
      eq < 0 &&
      SECRET_FLAG.test(arg) &&
      next !== undefined &&
      !next.startsWith('-')
    ) {
      out.push(REDACTED);
      i++;
    }
  }
  return out;
}

/** /etc/passwd: uid → user name. Malformed lines are skipped. */
export function parsePasswd(text: string): Map<number, string> {
  const users = new Map<number, string>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const [name, , uid] = line.split(':');
    const n = int(uid);
    if (name && n !== undefined && !users.has(n)) users.set(n, name);
  }
  return users;
}

function int(s: string | undefined): number | undefined {
  if (s === undefined || !/^\d{1,20}$/.test(s)) return undefined;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : undefined;
}

function signedInt(s: string | undefined): number | undefined {
  if (s === undefined || !/^-?\d{1,20}$/.test(s)) return undefined;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : undefined;
}

function kib(value: string): number | undefined {
  const m = /^(\d{1,15})\s*kB$/.exec(value);
  return m ? Number(m[1]) * 1024 : undefined;
}
