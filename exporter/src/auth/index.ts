import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { ConfigError, type Config } from '../config.js';
import type { Db } from '../store/db.js';
import { AuditLog } from './audit.js';
import { createAuthLog } from './auth-log.js';
import { LoginLimiter } from './login-limiter.js';
import { passwordProblem } from './passwords.js';
import { getSecret, loadKeyring, putSecret, type Keyring } from './secrets.js';
import { AuthService } from './service.js';
import { prepareSetupToken } from './setup-token.js';
import { ApiTokens, Sessions } from './tokens.js';
import { Users } from './users.js';

/** The JWT signing key: 32 random bytes per install, stored encrypted, created on first start. */
function signingKey(db: Db, keyring: Keyring): Uint8Array {
  const stored = getSecret(db, keyring, 'jwt_signing_key');
  if (stored) return Buffer.from(stored, 'base64');
  const key = randomBytes(32);
  putSecret(db, keyring, 'jwt_signing_key', key.toString('base64'));
  return key;
}

/** Everything auth: built once here and handed to the routers and middleware that need it. */
export async function createAuth(config: Config, db: Db, logger: Logger, onLoginFailure?: () => void) {
  const keyring = loadKeyring(config.data_dir);
  const users = new Users(db);
  const sessions = new Sessions({
    db,
    users,
    signingKey: signingKey(db, keyring),
    accessTtlSeconds: config.auth.access_token_ttl_seconds,
    refreshTtlDays: config.auth.refresh_token_ttl_days,
  });
  const apiTokens = new ApiTokens(db, users);
  const audit = new AuditLog(db);
  const limiter = new LoginLimiter(db, {
    windowSeconds: config.auth.login_rate_limit.window_seconds,
    maxFailuresPerIp: config.auth.login_rate_limit.max_failures_per_ip,
    maxFailuresPerUser: config.auth.login_rate_limit.max_failures_per_user,
  });
  const authLog = createAuthLog(config.auth.log_file ?? join(config.data_dir, 'auth.log'));
  const service = new AuthService({
    db,
    users,
    sessions,
    limiter,
    audit,
    keyring,
    logFailure: (ip, user) => {
      const written = authLog.failure({ ip, user });
      // fail2ban only bans what reaches the file: a broken auth log must be visible.
      if (!written.ok)
        logger.warn({ reason: written.error.message, file: authLog.file }, 'auth log write failed');
    },
    onFailure: onLoginFailure,
  });

  const admin = config.auth.bootstrap_admin;
  if (admin && users.count() === 0) {
    const problem = passwordProblem(admin.password, admin.username);
    if (problem) throw new ConfigError(`PROXMON_ADMIN_PASSWORD: ${problem}`);
    await service.createUser(admin.username, admin.password, 'admin', 'bootstrap', null);
    logger.info({ username: admin.username }, 'created the first admin from the environment');
  }
  const setupToken = prepareSetupToken(config.data_dir, users.count() === 0);
  return { keyring, users, sessions, apiTokens, audit, limiter, service, setupToken };
}

export type Auth = Awaited<ReturnType<typeof createAuth>>;
