import type { Db } from '../store/db.js';

export interface LoginLimits {
  windowSeconds: number;
  maxFailuresPerIp: number;
  maxFailuresPerUser: number;
}

export type LimitVerdict = { limited: false } | { limited: true; retryAfterSeconds: number };

/**
 * Failed logins per client IP and per username over a sliding window, kept in SQLite so a restart
 * does not hand an attacker a fresh budget.
 */
export class LoginLimiter {
  constructor(
    private readonly db: Db,
    private readonly limits: LoginLimits,
    private readonly now: () => number = Date.now,
  ) {}

  check(ip: string, username: string): LimitVerdict {
    const since = this.now() - this.limits.windowSeconds * 1000;
    const verdicts = [
      this.#over('ip', ip, since, this.limits.maxFailuresPerIp),
      this.#over('username', username.toLowerCase(), since, this.limits.maxFailuresPerUser),
    ].filter((v): v is number => v !== undefined);
    if (!verdicts.length) return { limited: false };
    return { limited: true, retryAfterSeconds: Math.max(1, Math.ceil(Math.max(...verdicts) / 1000)) };
  }

  recordFailure(ip: string, username: string): void {
    const now = this.now();
    this.db.transaction(() => {
      this.db
        .prepare('INSERT INTO login_failures (at, ip, username) VALUES (?, ?, ?)')
        .run(now, ip, username.toLowerCase());
      this.db.prepare('DELETE FROM login_failures WHERE at < ?').run(now - this.limits.windowSeconds * 1000);
    })();
  }

  /** A successful login clears the username's count; the IP's stays (one IP may be guessing many users). */
  clearUser(username: string): void {
    this.db.prepare('DELETE FROM login_failures WHERE username = ?').run(username.toLowerCase());
  }

  recent(limit: number): Array<{ at: number; ip: string; username: string }> {
    return this.db
      .prepare('SELECT at, ip, username FROM login_failures ORDER BY at DESC LIMIT ?')
      .all(limit) as Array<{
      at: number;
      ip: string;
      username: string;
    }>;
  }

  /** Milliseconds until the count drops below the limit again, or undefined when under it. */
  #over(column: 'ip' | 'username', value: string, since: number, max: number): number | undefined {
    const rows = this.db
      .prepare(`SELECT at FROM login_failures WHERE ${column} = ? AND at >= ? ORDER BY at DESC LIMIT ?`)
      .pluck()
      .all(value, since, max) as number[];
    if (rows.length < max) return undefined;
    const oldestCounted = rows[rows.length - 1]!;
    return oldestCounted + this.limits.windowSeconds * 1000 - this.now();
  }
}
