import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validate, type Config } from '../config.js';
import { start, type Running } from '../main.js';
import { silentLogger } from './tools.js';

/** Starts the whole exporter in-process on a free loopback port with a fresh data dir. */
export async function startTestServer(
  overrides: Record<string, unknown> = {},
): Promise<Running & { url: string; config: Config }> {
  const config = validate(
    {
      port: 0,
      host: '127.0.0.1',
      data_dir: mkdtempSync(join(tmpdir(), 'proxmon-data-')),
      latency_targets: ['127.0.0.1'],
      ...overrides,
    },
    'test',
  );
  const running = await start(config, { logger: silentLogger(), shutdownGraceMs: 1000 });
  return { ...running, config, url: `http://127.0.0.1:${running.port}` };
}
