import type { Db } from '../store/db.js';
import type { Role } from './scopes.js';

export interface User {
  id: number;
  username: string;
  role: Role;
  passwordHash: string;
  /** Encrypted TOTP secret; null while TOTP is off. */
  totpSecret: string | null;
  totpPendingSecret: string | null;
  totpLastStep: number | null;
  /** Salted hashes of the unused backup codes. */
  backupCodes: string[];
  passwordChangedAt: number;
  createdAt: number;
}

interface Row {
  id: number;
  username: string;
  role: Role;
  password_hash: string;
  totp_secret: string | null;
  totp_pending_secret: string | null;
  totp_last_step: number | null;
  backup_codes: string | null;
  password_changed_at: number;
  created_at: number;
}

const toUser = (r: Row): User => ({
  id: r.id,
  username: r.username,
  role: r.role,
  passwordHash: r.password_hash,
  totpSecret: r.totp_secret,
  totpPendingSecret: r.totp_pending_secret,
  totpLastStep: r.totp_last_step,
  backupCodes: r.backup_codes ? (JSON.parse(r.backup_codes) as string[]) : [],
  passwordChangedAt: r.password_changed_at,
  createdAt: r.created_at,
});

/** What the API shows of a user: never hashes or secrets. */
export const publicUser = (u: User) => ({
  id: u.id,
  username: u.username,
  role: u.role,
  totp_enabled: u.totpSecret !== null,
  created_at: new Date(u.createdAt).toISOString(),
  password_changed_at: new Date(u.passwordChangedAt).toISOString(),
});

export class UserExistsError extends Error {}

/** The users table; every write is one statement or one transaction. */
export class Users {
  constructor(private readonly db: Db) {}

  count(): number {
    return this.db.prepare('SELECT count(*) FROM users').pluck().get() as number;
  }

  byName(username: string): User | undefined {
    const r = this.db.prepare('SELECT * FROM users WHERE username = ?').get(username) as Row | undefined;
    return r && toUser(r);
  }

  byId(id: number): User | undefined {
    const r = this.db.prepare('SELECT * FROM users WHERE id = ?').get(id) as Row | undefined;
    return r && toUser(r);
  }

  list(): User[] {
    return (this.db.prepare('SELECT * FROM users ORDER BY id').all() as Row[]).map(toUser);
  }

  create(username: string, passwordHash: string, role: Role, now: number): User {
    try {
      const { lastInsertRowid } = this.db
        .prepare(
          `INSERT INTO users (username, password_hash, role, password_changed_at, created_at) VALUES (?, ?, ?, ?, ?)`,
        )
        .run(username, passwordHash, role, now, now);
      return this.byId(Number(lastInsertRowid))!;
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw new UserExistsError(username);
      throw err;
    }
  }

  /** A new password revokes every session of the user in the same transaction. */
  setPassword(id: number, passwordHash: string, now: number): void {
    this.db.transaction(() => {
      this.db
        .prepare('UPDATE users SET password_hash = ?, password_changed_at = ? WHERE id = ?')
        .run(passwordHash, now, id);
      this.db
        .prepare('UPDATE refresh_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL')
        .run(now, id);
    })();
  }

  setRole(id: number, role: Role): void {
    this.db.prepare('UPDATE users SET role = ? WHERE id = ?').run(role, id);
  }

  delete(id: number): void {
    this.db.prepare('DELETE FROM users WHERE id = ?').run(id);
  }

  setPendingTotp(id: number, encryptedSecret: string | null): void {
    this.db.prepare('UPDATE users SET totp_pending_secret = ? WHERE id = ?').run(encryptedSecret, id);
  }

  enableTotp(id: number, encryptedSecret: string, step: number, backupCodeHashes: string[]): void {
    this.db
      .prepare(
        `UPDATE users SET totp_secret = ?, totp_pending_secret = NULL, totp_last_step = ?, backup_codes = ? WHERE id = ?`,
      )
      .run(encryptedSecret, step, JSON.stringify(backupCodeHashes), id);
  }

  disableTotp(id: number): void {
    this.db
      .prepare(
        'UPDATE users SET totp_secret = NULL, totp_pending_secret = NULL, totp_last_step = NULL, backup_codes = NULL WHERE id = ?',
      )
      .run(id);
  }

  setTotpLastStep(id: number, step: number): void {
    this.db.prepare('UPDATE users SET totp_last_step = ? WHERE id = ?').run(step, id);
  }

  setBackupCodes(id: number, hashes: string[]): void {
    this.db.prepare('UPDATE users SET backup_codes = ? WHERE id = ?').run(JSON.stringify(hashes), id);
  }
}
