import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { pino, type Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { ConfigError, type Config } from './config.js';
import { createApp } from './http/app.js';
import { createSystemRouter } from './http/system.js';
import { registerAllMetrics } from './metrics/index.js';
import { createMetricsRenderer } from './metrics/render.js';
import { createScheduler } from './scheduler.js';
import { SnapshotCache } from './snapshots.js';
import { createExec } from './sources/exec.js';
import { buildSources } from './sources/index.js';
import { readText } from './sources/read.js';
import { openStore } from './store/db.js';
import { version } from './version.js';

export interface Running {
  port: number;
  server: Server;
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
  const scheduled = buildSources(config);
  const db = openStore(config.data_dir);

  const snapshots = new SnapshotCache();
  const scheduler = createScheduler({
    sources: scheduled,
    snapshots,
    context: { paths: config.paths, exec: createExec(config.tools), readText, now: Date.now },
    logger,
    staleAfterIntervals: config.stale_after_intervals,
  });

  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  registerAllMetrics(registry, snapshots, { version, perCpu: config.metrics.per_cpu });
  const metrics = createMetricsRenderer(registry, {
    generation: () => snapshots.generation,
    maxAgeMs: config.metrics.max_age_seconds * 1000,
  });

  const app = createApp({
    logger,
    metrics,
    routers: [createSystemRouter(snapshots)],
    bodyLimit: config.http.body_limit,
    version,
  });
  const server = createServer(app);
  // A scrape every 15 s keeps its connection alive; allow that without idling sockets forever.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 30_000;

  try {
    await listen(server, config.port, config.host);
  } catch (err) {
    db.close();
    throw err;
  }
  scheduler.start();
  const port = (server.address() as AddressInfo).port;
  logger.info(
    { port, host: config.host, data_dir: config.data_dir, sources: scheduled.length, version },
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

  return { port, server, stop };
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
