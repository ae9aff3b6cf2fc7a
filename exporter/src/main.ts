import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Server } from 'node:http';
import type { RequestHandler } from 'express';
import { pino, type Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { AuditLog } from './auth/audit.js';
import { createAuthLog } from './auth/auth-log.js';
import { createClientIpResolver } from './auth/client-ip.js';
import { createBanChecker } from './auth/fail2ban.js';
import { LoginLimiter } from './auth/login-limiter.js';
import { passwordProblem } from './auth/passwords.js';
import { hasScope } from './auth/scopes.js';
import { getSecret, loadKeyring, putSecret } from './auth/secrets.js';
import { AuthService } from './auth/service.js';
import { prepareSetupToken } from './auth/setup-token.js';
import { ApiTokens, Sessions } from './auth/tokens.js';
import { Users } from './auth/users.js';
import { createBasicAuthChecker, loadWebConfig } from './auth/web-config.js';
import { ConfigError, type Config } from './config.js';
import { createApp } from './http/app.js';
import { createAuthRouter } from './http/auth.js';
import { authenticate, principalOf } from './http/authenticate.js';
import { errorBody, errors } from './http/errors.js';
import { securityHeaders } from './http/headers.js';
import { createSecurityRouter } from './http/security.js';
import { createSystemRouter } from './http/system.js';
import { createHttpServer, resolveTlsFiles } from './http/tls.js';
import { registerAllMetrics } from './metrics/index.js';
import { createMetricsRenderer } from './metrics/render.js';
import { createScheduler } from './scheduler.js';
import { SnapshotCache } from './snapshots.js';
import { createExec } from './sources/exec.js';
import { buildSources } from './sources/index.js';
import { readText } from './sources/read.js';
import { openStore, type Db } from './store/db.js';
import { syncDiskRegistry } from './store/disks.js';
import { SMART_SOURCE, type SmartSnapshot } from './sources/smart/index.js';
import { version } from './version.js';

export interface Running {
  port: number;
  server: Server;
  /** Re-reads the TLS certificate (SIGHUP). */
  reloadTls(): void;
  /** Graceful: stop accepting, finish in-flight requests (bounded), stop sources, close the store. */
  stop(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  /** How long in-flight requests may take to finish at shutdown. */
  shutdownGraceMs?: number;
}

/** The JWT signing key: 32 random bytes per install, stored encrypted, created on first start. */
function signingKey(db: Db, keyring: ReturnType<typeof loadKeyring>): Uint8Array {
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

/** /metrics stays public unless `metrics.auth: token` or web-config basic auth users ask otherwise. */
function metricsGuard(
  config: Config,
  auth: Awaited<ReturnType<typeof createAuth>>,
  basicUsers: Record<string, string>,
): RequestHandler | undefined {
  const basic = Object.keys(basicUsers).length ? createBasicAuthChecker(basicUsers) : undefined;
  if (config.metrics.auth === 'none' && !basic) return undefined;
  return async (req, res, next) => {
    const header = req.headers.authorization;
    if (basic && /^Basic /i.test(header ?? '') && (await basic.check(header))) return next();
    if (config.metrics.auth === 'token' && hasScope(await principalOf(header, auth), 'read')) return next();
    res.setHeader('WWW-Authenticate', basic ? 'Basic realm="proxmon"' : 'Bearer realm="proxmon"');
    res.status(401).json(errorBody(errors.unauthorized()));
  };
}

/** The composition root: everything is built and wired here, and nowhere else holds global state. */
export async function start(config: Config, options: StartOptions = {}): Promise<Running> {
  const logger =
    options.logger ??
    pino({
      level: config.log_level,
      redact: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.token'],
    });
  const web = config.web_config_file ? loadWebConfig(config.web_config_file) : undefined;
  const tls = resolveTlsFiles(config.tls, web);
  const scheduled = buildSources(config);
  const db = openStore(config.data_dir);
  const exec = createExec(config.tools);

  try {
    const snapshots = new SnapshotCache();
    const scheduler = createScheduler({
      sources: scheduled,
      snapshots,
      context: { paths: config.paths, exec, readText, now: Date.now },
      logger,
      staleAfterIntervals: config.stale_after_intervals,
      onSuccess: (source, value) => {
        if (source === SMART_SOURCE) syncDiskRegistry(db, value as SmartSnapshot, Date.now());
      },
    });

    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    const live = registerAllMetrics(registry, snapshots, {
      version,
      perCpu: config.metrics.per_cpu,
      smartAttributes: config.smart.attributes,
    });
    const auth = await createAuth(config, db, logger, live.auth.loginFailed);
    const metrics = createMetricsRenderer(registry, {
      generation: () => snapshots.generation,
      maxAgeMs: config.metrics.max_age_seconds * 1000,
    });

    const jail = config.auth.fail2ban_jail;
    const bans = createBanChecker({ exec, jail, socket: config.auth.fail2ban_socket });
    const app = createApp({
      logger,
      metrics,
      routers: [
        createSystemRouter(snapshots),
        createAuthRouter(auth),
        createSecurityRouter({ audit: auth.audit, limiter: auth.limiter, bans, jail, exec }),
      ],
      bodyLimit: config.http.body_limit,
      version,
      headers: securityHeaders({ corsOrigins: config.auth.cors_origins, extraHeaders: web?.headers }),
      authenticate: authenticate({
        sessions: auth.sessions,
        apiTokens: auth.apiTokens,
        clientIp: createClientIpResolver(config.auth.trusted_proxies),
        isBanned: (ip) => (jail ? bans.isBanned(ip) : Promise.resolve(false)),
      }),
      metricsGuard: metricsGuard(config, auth, web?.basicAuthUsers ?? {}),
    });
    const http = createHttpServer(app, tls);
    const server = http.server;
    // A scrape every 15 s keeps its connection alive; allow that without idling sockets forever.
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
    server.requestTimeout = 30_000;

    await listen(server, config.port, config.host);
    scheduler.start();
    const port = (server.address() as AddressInfo).port;
    if (auth.setupToken.created) {
      // Printed once; it stays readable by root in the data dir until setup uses it.
      logger.warn(
        { setup_token: auth.setupToken.created, file: join(config.data_dir, 'setup-token') },
        'no users yet: POST /api/auth/setup with this one-time setup token to create the first admin',
      );
    }
    logger.info(
      { port, host: config.host, tls: !!tls, data_dir: config.data_dir, sources: scheduled.length, version },
      'proxmon listening',
    );

    let stopping: Promise<void> | undefined;
    const stop = () =>
      (stopping ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const grace = setTimeout(() => server.closeAllConnections(), options.shutdownGraceMs ?? 10_000);
        await closed;
        clearTimeout(grace);
        await scheduler.stop();
        db.close();
        logger.info('proxmon stopped');
      })());
    const reloadTls = () => {
      const r = http.reload();
      if (r.ok) logger.info({ certificate: r.certificate?.fingerprint256 }, 'TLS certificate reloaded');
      else
        logger.error({ reason: r.message }, 'TLS certificate reload failed; still serving the previous one');
    };
    return { port, server, stop, reloadTls };
  } catch (err) {
    db.close();
    throw err;
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') reject(new ConfigError(`port ${port} on ${host} is already in use`));
      else if (err.code === 'EACCES') reject(new ConfigError(`not allowed to listen on ${host}:${port}`));
      else if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND')
        reject(new ConfigError(`cannot listen on ${host}: no such local address`));
      else reject(err);
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}
