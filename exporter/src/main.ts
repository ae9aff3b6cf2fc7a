import { hostname } from 'node:os';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { pino, type Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { createClientIpResolver } from './auth/client-ip.js';
import { createBanChecker } from './auth/fail2ban.js';
import { createAuth } from './auth/index.js';
import { loadWebConfig } from './auth/web-config.js';
import { ConfigError, type Config } from './config.js';
import { createApp } from './http/app.js';
import { createAuthRouter } from './http/auth.js';
import { scheduleHistoryMaintenance } from './history/maintenance.js';
import { createHistoryRecorder } from './history/recorder.js';
import { createHistoryStore } from './history/store.js';
import { createHistoryRouter } from './http/history.js';
import { createLogsRouter } from './http/logs.js';
import { createNetworkRouter, NETWORK_SOURCE } from './http/network.js';
import { createOciRouter } from './http/oci.js';
import { createProcessesRouter } from './http/processes.js';
import { createProxmenuxRouter } from './http/proxmenux.js';
import { createSmartTestsRouter } from './http/smart-tests.js';
import { createNetworkRates } from './network/rates.js';
import { loadCatalogue } from './oci/catalogue.js';
import { createOciDeployer } from './oci/deployer.js';
import { DeploymentStore } from './oci/store.js';
import { listDir } from './processes/sample.js';
import { createSmartTestService } from './smart-tests/scheduler.js';
import { SmartTestStore } from './smart-tests/store.js';
import type { NetworkSnapshot } from './sources/network/types.js';
import { createHardwareRouter } from './http/hardware.js';
import { createNotificationsRouter } from './http/notifications.js';
import { createPveWebhookRouter } from './http/notifications-pve.js';
import { AiSettingsStore, aiSettingsFromConfig, createAiRewrite } from './notifications/ai/index.js';
import { provisionNotifications } from './notifications/provision.js';
import { createNotificationEngine, type NotificationEngine } from './notifications/engine.js';
import { healthNotification } from './notifications/from-health.js';
import { createWatchers, type Watchers } from './notifications/watch.js';
import { createHealthRouter } from './http/health.js';
import { createHealthMonitor } from './health/monitor.js';
import { Sampler } from './health/samples.js';
import { recordSamples, SAMPLE_KEEP_SECONDS } from './health/sampling.js';
import { HealthStore } from './health/store/index.js';
import { createPveRouter } from './http/pve.js';
import { createVmsRouter } from './http/vms.js';
import { authenticate } from './http/authenticate.js';
import { fixedSecurityHeaders, securityHeaders } from './http/headers.js';
import { withMetricsFastPath } from './http/metrics-fast-path.js';
import { metricsGuard } from './http/metrics-guard.js';
import { createSecurityRouter } from './http/security.js';
import { createStorageRouter } from './http/storage.js';
import { createSystemRouter } from './http/system.js';
import { createTerminalRouter } from './http/terminal.js';
import { createTerminalService } from './terminal/index.js';
import { attachTerminalWebSocket } from './terminal/websocket.js';
import { createHttpServer, resolveTlsFiles } from './http/tls.js';
import { registerAllMetrics } from './metrics/index.js';
import { createMetricsRenderer } from './metrics/render.js';
import { createScheduler } from './scheduler.js';
import { SnapshotCache } from './snapshots.js';
import { createExec } from './sources/exec.js';
import { buildSources, createPveAccessFromConfig } from './sources/index.js';
import { readText } from './sources/read.js';
import { openStore } from './store/db.js';
import { syncDiskRegistry } from './store/disks.js';
import { PVE_BACKUPS_SOURCE, type PveBackupsSnapshot } from './sources/pve/index.js';
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
  const exec = createExec(config.tools);
  const pve = createPveAccessFromConfig(config, exec);
  const scheduled = buildSources(config, { pve });
  const db = openStore(config.data_dir);

  try {
    const snapshots = new SnapshotCache();
    // Built after the scheduler and the metrics (the engine needs the auth keyring), used by both.
    const late: { notifications?: NotificationEngine; watchers?: Watchers } = {};
    const sampler = new Sampler(SAMPLE_KEEP_SECONDS);
    const history = createHistoryStore(db);
    const recorder = createHistoryRecorder({
      store: history,
      snapshots,
      sampleMs: config.history.sample_seconds * 1000,
      logger: logger.child({ module: 'history' }),
    });
    const networkRates = createNetworkRates();
    const scheduler = createScheduler({
      sources: scheduled,
      snapshots,
      context: { paths: config.paths, exec, readText, now: Date.now },
      logger,
      staleAfterIntervals: config.stale_after_intervals,
      onSuccess: (source, value) => {
        if (source === SMART_SOURCE) syncDiskRegistry(db, value as SmartSnapshot, Date.now());
        recordSamples(sampler, source, snapshots, Date.now());
        late.watchers?.onSource(source);
        if (source === NETWORK_SOURCE) networkRates.observe(value as NetworkSnapshot, Date.now());
        if (config.history.enabled) recorder.record(source, value, Date.now());
      },
    });

    const healthStore = new HealthStore(db, Date.now);
    const health = createHealthMonitor({
      db,
      store: healthStore,
      snapshots,
      samples: sampler,
      exec,
      paths: config.paths,
      logger,
      journal: config.health.journal,
      options: {
        intervalMinutes: config.health.interval_minutes,
        firstRunDelayMs: config.health.first_run_delay_seconds * 1000,
        bootGraceSeconds: config.health.boot_grace_seconds,
      },
    });
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    const live = registerAllMetrics(registry, snapshots, {
      version,
      perCpu: config.metrics.per_cpu,
      smartAttributes: config.smart.attributes,
      health: { latest: health.latest, counts: () => healthStore.counts() },
      // The engine needs the auth keyring, which needs the live auth counters registered here first.
      notifications: {
        counters: () => late.notifications?.state.counters() ?? new Map(),
        waiting: () => late.notifications?.outbox.waiting() ?? new Map(),
        channels: () => late.notifications?.channels.list().map((c) => c.spec.name) ?? [],
      },
    });
    const auth = await createAuth(config, db, logger, live.auth.loginFailed);
    const aiSettings = new AiSettingsStore(db, auth.keyring, aiSettingsFromConfig(config));
    const notifications = createNotificationEngine({
      db,
      keyring: auth.keyring,
      logger,
      exec,
      hostname: hostname(),
      excluded: (kind, name) =>
        healthStore.exclusions()[kind === 'storage' ? 'storages' : 'interfaces'].get(name)?.notifications ===
        false,
      rewrite: createAiRewrite(aiSettings, { logger }),
    });
    provisionNotifications(notifications, config);
    late.notifications = notifications;
    late.watchers = createWatchers({
      db,
      engine: notifications,
      snapshots,
      logger,
      journal: config.health.journal,
      backupsFromWebhook: config.notifications.receivers.pve_webhook_secret !== undefined,
    });
    health.events.on('event', (e) => {
      const n = healthNotification(e, Date.now());
      if (n) notifications.submit(n);
    });
    const latestSmart = () => snapshots.latest<SmartSnapshot>(SMART_SOURCE);
    const smartTestStore = new SmartTestStore(db);
    const smartTests = createSmartTestService({ store: smartTestStore, exec, smart: latestSmart, logger });
    const ociDeployments = new DeploymentStore(db);
    const ociDeployer = createOciDeployer({ pve, store: ociDeployments, logger });
    const metrics = createMetricsRenderer(registry, {
      generation: () => snapshots.generation,
      maxAgeMs: config.metrics.max_age_seconds * 1000,
    });

    const jail = config.auth.fail2ban_jail;
    const bans = createBanChecker({ exec, jail, socket: config.auth.fail2ban_socket });
    const clientIp = createClientIpResolver(config.auth.trusted_proxies);
    const isBanned = (ip: string) => (jail ? bans.isBanned(ip) : Promise.resolve(false));
    const terminal = createTerminalService({
      settings: config.terminal,
      audit: auth.audit,
      users: auth.users,
      logger,
      pctPath: config.tools.pct,
    });
    const security = { corsOrigins: config.auth.cors_origins, extraHeaders: web?.headers };
    const guard = metricsGuard(config, auth, web?.basicAuthUsers ?? {});
    const app = createApp({
      logger,
      metrics,
      routers: [
        createSystemRouter(snapshots),
        createAuthRouter(auth),
        createSecurityRouter({ audit: auth.audit, limiter: auth.limiter, bans, jail, exec }),
        // Before the storage router, whose /smart/:disk would otherwise catch /smart/schedules.
        createSmartTestsRouter({
          exec,
          store: smartTestStore,
          service: smartTests,
          smart: latestSmart,
          audit: auth.audit,
        }),
        createStorageRouter({ snapshots, db }),
        createHardwareRouter({ snapshots }),
        createVmsRouter({
          pve,
          snapshots,
          audit: auth.audit,
          lastBackup: (vmid) =>
            snapshots.latest<PveBackupsSnapshot>(PVE_BACKUPS_SOURCE)?.lastBackup.get(vmid),
        }),
        createPveRouter({
          pve,
          snapshots,
          backups: {
            source: PVE_BACKUPS_SOURCE,
            latest: () => snapshots.latest<PveBackupsSnapshot>(PVE_BACKUPS_SOURCE),
          },
        }),
        createTerminalRouter(terminal),
        createLogsRouter({
          exec,
          pve,
          journalctl: config.tools.journalctl,
          directory: config.logs.journal_directory,
          downloadMaxLines: config.logs.download_max_lines,
          downloadTimeoutMs: config.logs.download_timeout_seconds * 1000,
          timeoutMs: config.logs.query_timeout_seconds * 1000,
        }),
        createNetworkRouter({ snapshots, rates: networkRates, history }),
        createHistoryRouter({ history, db }),
        createProcessesRouter({
          reader: { procfs: config.paths.procfs, rootfs: config.paths.rootfs, readText, listDir },
          windowMs: config.processes.sample_ms,
        }),
        createProxmenuxRouter({
          rootfs: config.paths.rootfs,
          latestVersion: config.proxmenux.latest_version,
        }),
        createOciRouter({
          pve,
          audit: auth.audit,
          deployments: ociDeployments,
          deployer: ociDeployer,
          defaults: {
            templateStorage: config.oci.template_storage,
            rootfsStorage: config.oci.rootfs_storage,
            bridge: config.oci.bridge,
          },
          catalogue: config.oci.catalogue_file ? loadCatalogue(config.oci.catalogue_file) : undefined,
        }),
        createNotificationsRouter({
          engine: notifications,
          ai: aiSettings,
          audit: auth.audit,
          alertmanagerToken: config.notifications.receivers.alertmanager_token,
          pveWebhookSecret: config.notifications.receivers.pve_webhook_secret,
        }),
        createPveWebhookRouter({
          pve,
          audit: auth.audit,
          pveWebhookSecret: config.notifications.receivers.pve_webhook_secret,
        }),
        createHealthRouter({
          store: healthStore,
          snapshots,
          latest: health.latest,
          runCycle: health.runCycle,
          emit: (events) => {
            for (const e of events) health.events.emit('event', e);
          },
          publicProbe: config.health.public_probe,
        }),
      ],
      bodyLimit: config.http.body_limit,
      version,
      headers: securityHeaders(security),
      authenticate: authenticate({
        sessions: auth.sessions,
        apiTokens: auth.apiTokens,
        clientIp,
        isBanned,
      }),
      metricsGuard: guard,
    });
    const fixedHeaders = fixedSecurityHeaders(security);
    const http = createHttpServer(
      guard || !fixedHeaders ? app : withMetricsFastPath(app, metrics, fixedHeaders),
      tls,
    );
    const server = http.server;
    const terminalSocket = attachTerminalWebSocket(server, { terminal, clientIp, isBanned });
    // A scrape every 15 s keeps its connection alive; allow that without idling sockets forever.
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
    server.requestTimeout = 30_000;

    await listen(server, config.port, config.host);
    scheduler.start();
    health.start();
    smartTests.reload();
    const historyJob = scheduleHistoryMaintenance({
      store: history,
      schedule: config.history.schedule,
      logger: logger.child({ module: 'history' }),
    });
    notifications.start();
    late.watchers.start();
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
        // Upgraded sockets are not the server's to close: end the terminals (and their shells) first.
        terminalSocket.close();
        await terminal.sessions.closeAll();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const grace = setTimeout(() => server.closeAllConnections(), options.shutdownGraceMs ?? 10_000);
        await closed;
        clearTimeout(grace);
        await health.stop();
        await late.watchers?.stop();
        smartTests.stop();
        await historyJob.stop();
        await notifications.stop();
        await scheduler.stop();
        pve.client.close();
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
    pve.client.close();
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
