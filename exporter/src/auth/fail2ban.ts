import type { Exec, ExecOutput } from '../sources/exec.js';
import { fail, ok, type Result, type SourceError } from '../sources/source.js';
import { canonicalIp } from './auth-log.js';

/** `fail2ban-client status <jail>`, as numbers and lists. */
export interface JailStatus {
  jail: string;
  currentlyFailed: number;
  totalFailed: number;
  currentlyBanned: number;
  totalBanned: number;
  /** In canonicalIp form (IPv6 lower case and compressed, as fail2ban prints it). */
  bannedIps: string[];
  /** Watched files; empty for a journal (systemd) backend, which lists "Journal matches" instead. */
  fileList: string[];
}

/**
 * Parses the tree that `fail2ban-client status <jail>` prints (fixtures/fail2ban-client-status-*.txt):
 *
 *   Status for the jail: proxmon
 *   |- Filter
 *   |  |- Currently failed:<TAB>0
 *   ...
 *   `- Actions
 *      `- Banned IP list:<TAB>203.0.113.7 2001:db8::1
 *
 * Paths in the file list are split on whitespace (fail2ban prints them space-separated). Tokens in the
 * ban list that are not IP addresses are left out.
 */
export function parseJailStatus(text: string): Result<JailStatus> {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const jail = /^Status for the jail:\s*(\S.*?)\s*$/.exec(lines[0] ?? '')?.[1];
  if (jail === undefined) return fail('parse', 'fail2ban jail status: no "Status for the jail:" header');
  const fields = treeFields(lines.slice(1));

  const numbers: number[] = [];
  for (const key of ['Currently failed', 'Total failed', 'Currently banned', 'Total banned']) {
    const raw = fields.get(key);
    if (raw === undefined) return fail('parse', `fail2ban jail status: no "${key}" line`);
    if (!/^\d{1,15}$/.test(raw))
      return fail('parse', `fail2ban jail status: "${key}" is not a count: ${raw}`);
    numbers.push(Number(raw));
  }
  const banned = fields.get('Banned IP list');
  if (banned === undefined) return fail('parse', 'fail2ban jail status: no "Banned IP list" line');
  const [currentlyFailed, totalFailed, currentlyBanned, totalBanned] = numbers as [
    number,
    number,
    number,
    number,
  ];
  return ok({
    jail,
    currentlyFailed,
    totalFailed,
    currentlyBanned,
    totalBanned,
    bannedIps: [...new Set(words(banned).flatMap((w) => canonicalIp(w) ?? []))],
    fileList: words(fields.get('File list') ?? ''),
  });
}

/** Parses `fail2ban-client status`: "|- Number of jail: 2" and "`- Jail list: proxmon, sshd". */
export function parseJailList(text: string): Result<string[]> {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines[0]?.trim() !== 'Status') return fail('parse', 'fail2ban status: no "Status" header');
  const fields = treeFields(lines.slice(1));
  const list = fields.get('Jail list');
  if (list === undefined) return fail('parse', 'fail2ban status: no "Jail list" line');
  const jails = list
    .split(',')
    .map((j) => j.trim())
    .filter(Boolean);
  const count = fields.get('Number of jail');
  if (count !== undefined && Number(count) !== jails.length)
    return fail('parse', `fail2ban status: "Number of jail" is ${count} but the list names ${jails.length}`);
  return ok(jails);
}

/** `key: value` pairs of fail2ban's tree output, with the `|-`, `` `- `` and indentation stripped. */
function treeFields(lines: string[]): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of lines) {
    const m = /^[\s|`-]*([^:]+?):\s*(.*?)\s*$/.exec(line);
    if (m && !fields.has(m[1]!)) fields.set(m[1]!, m[2]!);
  }
  return fields;
}

const words = (s: string) => s.split(/\s+/).filter(Boolean);

export interface BanCheckerOptions {
  exec: Exec;
  jail: string;
  /** fail2ban-server's socket when not the system default (`fail2ban-client -s`). */
  socket?: string;
  /** How long a ban list is believed; a ban shows up at most this long after fail2ban makes it. */
  cacheMs?: number;
  /** Deadline for each fail2ban-client run. */
  timeoutMs?: number;
  now?: () => number;
}

export interface BanChecker {
  /** Whether fail2ban has the client banned in the jail; false when fail2ban is absent or failing. */
  isBanned(ip: string): Promise<boolean>;
  /** The jail's status as last read (cached like isBanned), or why it could not be read. */
  status(): Promise<Result<JailStatus>>;
  /** `fail2ban-client set <jail> unbanip <ip>`; succeeds also when the IP was not banned. Invalidates the cache. */
  unban(ip: string): Promise<Result<void>>;
  /** The jails fail2ban runs (`fail2ban-client status`), read fresh. */
  jails(): Promise<Result<string[]>>;
  /** Forget the cached list; the next question runs fail2ban-client again. */
  invalidate(): void;
}

/** Past this share of cacheMs a question is answered from the cache while a refresh runs behind it. */
const REFRESH_AHEAD = 0.8;

interface Snapshot {
  at: number;
  status: Result<JailStatus>;
  banned: ReadonlySet<string>;
}

/**
 * The application-level ban check: asks `fail2ban-client status <jail>` and believes the answer for
 * cacheMs. Concurrent callers share one run. Under steady traffic nobody waits for fail2ban-client
 * (a refresh starts at 80% of cacheMs and the answer comes from the cache meanwhile); after a quiet
 * spell the first caller waits for a fresh list, so a ban is never believed absent for longer than
 * cacheMs. A missing or failing fail2ban bans nobody, and status() keeps the reason.
 */
export function createBanChecker({
  exec,
  jail,
  socket,
  cacheMs = 30_000,
  timeoutMs = 5_000,
  now = Date.now,
}: BanCheckerOptions): BanChecker {
  const run = async (args: string[]): Promise<Result<string>> => {
    const r = await exec('fail2ban-client', [...(socket ? ['-s', socket] : []), ...args], { timeoutMs });
    if (!r.ok) return r;
    if (r.value.exitCode !== 0) return { ok: false, error: clientError(r.value) };
    return ok(r.value.stdout);
  };

  let snapshot: Snapshot | undefined;
  let refreshing: Promise<Snapshot> | undefined;
  // Bumped by invalidate(): a run that started before an unban must not store its older list.
  let generation = 0;

  const refresh = (): Promise<Snapshot> => {
    if (refreshing) return refreshing;
    const started = { at: now(), generation };
    const p = run(['status', jail])
      // Exec reports failures as values; this only keeps a bug there from failing every request.
      .catch((err: unknown) => fail('io', `fail2ban-client: ${String(err)}`))
      .then((out): Snapshot => {
        const status = out.ok ? parseJailStatus(out.value) : out;
        return { at: started.at, status, banned: new Set(status.ok ? status.value.bannedIps : []) };
      })
      .then((next) => {
        if (started.generation === generation) snapshot = next;
        return next;
      })
      .finally(() => {
        if (refreshing === p) refreshing = undefined;
      });
    refreshing = p;
    return p;
  };

  const current = (): Promise<Snapshot> => {
    const age = snapshot ? now() - snapshot.at : Infinity;
    if (snapshot && age >= 0 && age < cacheMs) {
      if (age >= cacheMs * REFRESH_AHEAD) void refresh();
      return Promise.resolve(snapshot);
    }
    return refresh();
  };

  const invalidate = () => {
    generation++;
    snapshot = undefined;
    refreshing = undefined;
  };

  return {
    async isBanned(ip) {
      const key = canonicalIp(ip);
      return key !== undefined && (await current()).banned.has(key);
    },
    async status() {
      return (await current()).status;
    },
    async unban(ip) {
      const key = canonicalIp(ip);
      if (key === undefined) return fail('parse', `not an IP address: ${JSON.stringify(ip)}`);
      const r = await run(['set', jail, 'unbanip', key]);
      invalidate();
      return r.ok ? ok(undefined) : r;
    },
    async jails() {
      const r = await run(['status']);
      return r.ok ? parseJailList(r.value) : r;
    },
    invalidate,
  };
}

/**
 * Why fail2ban-client failed, in its own words: stdout says "Sorry but the jail 'x' does not exist";
 * stderr has timestamped log lines, the useful one at ERROR. No server to talk to is `absent`.
 */
function clientError({ stdout, stderr, exitCode }: ExecOutput): SourceError {
  const errorLine = stderr
    .split('\n')
    .map((l) => /\bERROR\s+(.*\S)/.exec(l)?.[1])
    .filter((l): l is string => l !== undefined)
    .pop();
  const said = stdout
    .split('\n')
    .find((l) => l.trim() !== '')
    ?.trim();
  const message = `fail2ban-client: ${said ?? errorLine ?? `exited with status ${exitCode}`}`;
  const notRunning = errorLine !== undefined && /Failed to access socket path/.test(errorLine);
  return { kind: notRunning ? 'absent' : 'exit', message };
}
