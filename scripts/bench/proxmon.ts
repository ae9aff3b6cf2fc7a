import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { httpGetText, sleep } from './http-get.js';
import { startServer, type Server } from './server.js';

export interface ProxmonOptions {
  /** Instance name, also its log and data folder name. */
  name: string;
  cli: string;
  host: string;
  port: number;
  workDir: string;
  env: NodeJS.ProcessEnv;
  /** Put first on PATH, so its executables replace the host tools. */
  pathPrefix?: string;
}

export async function startProxmon(options: ProxmonOptions): Promise<Server> {
  const dataDir = join(options.workDir, `${options.name}-data`);
  await mkdir(dataDir);
  const path = options.pathPrefix ? `${options.pathPrefix}:${options.env.PATH ?? ''}` : options.env.PATH;
  return startServer({
    name: options.name,
    // node itself, not npm: the child's pid must be the server whose memory we read.
    command: process.execPath,
    // The same V8 flag and malloc setting `npm start` and the proxmon command use.
    args: ['--max-semi-space-size=4', options.cli],
    env: {
      ...options.env,
      PATH: path,
      PROXMON_HOST: options.host,
      PROXMON_PORT: String(options.port),
      PROXMON_DATA_DIR: dataDir,
      // Never ping anything but loopback from a benchmark.
      PROXMON_LATENCY_TARGETS: '127.0.0.1',
      PROXMON_LOG_LEVEL: 'warn',
      MALLOC_ARENA_MAX: '2', // as npm start, the proxmon command and the systemd unit
    },
    host: options.host,
    port: options.port,
    logFile: join(options.workDir, `${options.name}.log`),
    readyPath: '/healthz',
    readyTimeoutMs: 30_000,
  });
}

/** `proxmon_source_errors_total` per source label, from a /metrics text. */
export function sourceErrorCounts(metricsText: string): Map<string, number> {
  const counts = new Map<string, number>();
  const sample = /^proxmon_source_errors_total\{([^}]*)\}\s+(\S+)/gm;
  for (const [, labels = '', value = ''] of metricsText.matchAll(sample)) {
    const source = /(?:^|,)\s*source="([^"]*)"/.exec(labels)?.[1];
    if (source !== undefined) counts.set(source, Number(value));
  }
  return counts;
}

/** Polls /metrics until `source` has at least one error; resolves to the metrics text then, or undefined. */
export async function waitForSourceError(
  server: Server,
  source: string,
  timeoutMs: number,
): Promise<{ elapsedMs: number; metricsText: string } | undefined> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    const { status, body } = await httpGetText(server, '/metrics', 5_000);
    if (status === 200 && (sourceErrorCounts(body).get(source) ?? 0) >= 1) {
      return { elapsedMs: Date.now() - started, metricsText: body };
    }
    await sleep(500);
  }
  return undefined;
}
