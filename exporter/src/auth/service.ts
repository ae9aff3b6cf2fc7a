import { randomBytes } from 'node:crypto';
import type { Db } from '../store/db.js';
import { ApiError, errors } from '../http/errors.js';
import type { AuditLog } from './audit.js';
import type { LoginLimiter } from './login-limiter.js';
import { dummyPasswordHash, hashPassword, passwordProblem, verifyPassword } from './passwords.js';
import type { Role } from './scopes.js';
import { decryptSecret, encryptSecret, type Keyring } from './secrets.js';
import type { IssuedTokens, Sessions } from './tokens.js';
import {
  consumeBackupCode,
  createTotpSecret,
  generateBackupCodes,
  totpQrDataUrl,
  totpUri,
  verifyTotp,
} from './totp.js';
import { UserExistsError, type User, type Users } from './users.js';

export interface AuthServiceDeps {
  db: Db;
  users: Users;
  sessions: Sessions;
  limiter: LoginLimiter;
  audit: AuditLog;
  keyring: Keyring;
  /** Writes the fail2ban-readable line for a failed login. */
  logFailure: (ip: string, username: string) => void;
  /** Counts failures for `proxmon_auth_failures_total`. */
  onFailure?: () => void;
  now?: () => number;
}

export type LoginResult = IssuedTokens | { requires_totp: true };

/**
 * Who acts for the user in the audit log when TOTP is managed for them by an admin credential (an API
 * token through Grafana's plugin proxy) rather than from their own session.
 */
export interface TotpActor {
  actor: string;
  ip: string;
  /** e.g. `{ via: 'token', token: 'grafana-admin' }`; never a secret. */
  detail: Record<string, unknown>;
}

/** Login, setup, password and TOTP flows: the rules live here; routers only translate HTTP. */
export class AuthService {
  private readonly now: () => number;
  constructor(private readonly d: AuthServiceDeps) {
    this.now = d.now ?? Date.now;
  }

  async login(
    username: string,
    password: string,
    code: string | undefined,
    ip: string,
  ): Promise<LoginResult> {
    const limit = this.d.limiter.check(ip, username);
    if (limit.limited)
      throw Object.assign(errors.rateLimited(limit.retryAfterSeconds), {
        retryAfter: limit.retryAfterSeconds,
      });
    const user = this.d.users.byName(username);
    // Hash even for an unknown user, so timing does not tell which usernames exist.
    const passwordOk = await verifyPassword(password, user?.passwordHash ?? (await dummyPasswordHash()));
    if (!user || !passwordOk) return this.#fail(ip, username);
    if (user.totpSecret !== null) {
      if (!code) return { requires_totp: true };
      if (!(await this.#secondFactor(user, code))) return this.#fail(ip, username);
    }
    this.d.limiter.clearUser(username);
    this.d.audit.record({ actor: user.username, ip, action: 'login' });
    return this.d.sessions.issue(user.id);
  }

  async createUser(
    username: string,
    password: string,
    role: Role,
    actor: string | null,
    ip: string | null,
  ): Promise<User> {
    const problem = passwordProblem(password, username);
    if (problem) throw errors.validation(problem);
    try {
      const user = this.d.users.create(username, await hashPassword(password), role, this.now());
      this.d.audit.record({ actor, ip, action: 'user_created', target: username, detail: { role } });
      return user;
    } catch (err) {
      if (err instanceof UserExistsError) throw errors.conflict(`user ${username} already exists`);
      throw err;
    }
  }

  /** Once TOTP is on, changing the password needs a TOTP or backup code too. */
  async changePassword(
    userId: number,
    current: string,
    next: string,
    code: string | undefined,
    ip: string,
  ): Promise<void> {
    const user = this.#user(userId);
    if (!(await verifyPassword(current, user.passwordHash))) return this.#fail(ip, user.username);
    await this.#requireSecondFactor(user, code, ip);
    await this.setPassword(user, next, user.username, ip);
  }

  /** Sets a password and revokes every session of the user (admin reset, CLI recovery, change). */
  async setPassword(user: User, password: string, actor: string | null, ip: string | null): Promise<void> {
    const problem = passwordProblem(password, user.username);
    if (problem) throw errors.validation(problem);
    this.d.users.setPassword(user.id, await hashPassword(password), this.now());
    this.d.audit.record({ actor, ip, action: 'password_changed', target: user.username });
  }

  /**
   * Proves whoever drives an admin credential knows `userId`'s current password before TOTP is managed
   * for that user without their session. Limited, logged for fail2ban, counted and audited exactly like
   * a failed login, so it is no cheaper a password oracle than /login.
   */
  async reauthenticate(
    userId: number,
    password: string,
    ip: string,
    /** What was attempted and by whom, for the failure's audit entry. */
    detail: Record<string, unknown>,
  ): Promise<User> {
    const user = this.#user(userId);
    const limit = this.d.limiter.check(ip, user.username);
    if (limit.limited)
      throw Object.assign(errors.rateLimited(limit.retryAfterSeconds), {
        retryAfter: limit.retryAfterSeconds,
      });
    if (!(await verifyPassword(password, user.passwordHash))) this.#fail(ip, user.username, detail);
    return user;
  }

  async beginTotp(
    userId: number,
    by?: TotpActor,
  ): Promise<{ secret: string; otpauth_uri: string; qr_data_url: string }> {
    const user = this.#user(userId);
    if (user.totpSecret !== null) throw errors.conflict('TOTP is already enabled; disable it first');
    const secret = await createTotpSecret();
    this.d.users.setPendingTotp(user.id, encryptSecret(this.d.keyring, secret));
    const uri = totpUri(secret, user.username);
    if (by)
      this.d.audit.record({
        actor: by.actor,
        ip: by.ip,
        action: 'totp_setup_started',
        target: user.username,
        detail: by.detail,
      });
    return { secret, otpauth_uri: uri, qr_data_url: await totpQrDataUrl(uri) };
  }

  async confirmTotp(
    userId: number,
    code: string,
    ip: string,
    by?: TotpActor,
  ): Promise<{ backup_codes: string[] }> {
    const user = this.#user(userId);
    if (!user.totpPendingSecret) throw errors.conflict('start TOTP enrolment first');
    const verdict = await verifyTotp(
      decryptSecret(this.d.keyring, user.totpPendingSecret),
      code,
      null,
      this.now(),
    );
    if (!verdict.ok) throw errors.validation('code does not match; check the authenticator clock');
    const { codes, hashes } = generateBackupCodes();
    this.d.users.enableTotp(user.id, user.totpPendingSecret, verdict.step, hashes);
    this.d.audit.record({
      actor: by?.actor ?? user.username,
      ip,
      action: 'totp_enabled',
      target: user.username,
      ...(by ? { detail: by.detail } : {}),
    });
    return { backup_codes: codes };
  }

  async disableTotp(userId: number, code: string | undefined, ip: string, by?: TotpActor): Promise<void> {
    const user = this.#user(userId);
    if (user.totpSecret === null) return;
    await this.#requireSecondFactor(user, code, ip);
    this.d.users.disableTotp(user.id);
    this.d.audit.record({
      actor: by?.actor ?? user.username,
      ip,
      action: 'totp_disabled',
      target: user.username,
      ...(by ? { detail: by.detail } : {}),
    });
  }

  /** For the CLI's recovery path: a fresh random password, TOTP optionally off, every session revoked. */
  async resetPassword(username: string, disableTotp: boolean): Promise<string> {
    const user = this.d.users.byName(username);
    if (!user) throw errors.notFound(`no user ${username}`);
    const password = randomBytes(12).toString('base64url');
    await this.setPassword(user, password, 'cli', null);
    if (disableTotp) this.d.users.disableTotp(user.id);
    return password;
  }

  async #requireSecondFactor(user: User, code: string | undefined, ip: string): Promise<void> {
    if (user.totpSecret === null) return;
    if (!code) throw errors.validation('a TOTP or backup code is required');
    if (!(await this.#secondFactor(user, code))) this.#fail(ip, user.username);
  }

  async #secondFactor(user: User, code: string): Promise<boolean> {
    const verdict = await verifyTotp(
      decryptSecret(this.d.keyring, user.totpSecret!),
      code,
      user.totpLastStep,
      this.now(),
    );
    if (verdict.ok) {
      this.d.users.setTotpLastStep(user.id, verdict.step);
      return true;
    }
    const remaining = consumeBackupCode(code, user.backupCodes);
    if (remaining === null) return false;
    this.d.users.setBackupCodes(user.id, remaining);
    this.d.audit.record({
      actor: user.username,
      action: 'backup_code_used',
      detail: { remaining: remaining.length },
    });
    return true;
  }

  #fail(ip: string, username: string, detail?: Record<string, unknown>): never {
    this.d.limiter.recordFailure(ip, username);
    this.d.logFailure(ip, username);
    this.d.onFailure?.();
    this.d.audit.record({
      actor: null,
      ip,
      action: 'login_failed',
      target: username,
      ...(detail ? { detail } : {}),
    });
    throw errors.invalidCredentials();
  }

  #user(id: number): User {
    const user = this.d.users.byId(id);
    if (!user) throw new ApiError(401, 'unauthorized', 'user no longer exists');
    return user;
  }
}
