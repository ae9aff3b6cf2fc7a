import { ENV, startExporter, type TestExporter } from './exporter';

declare global {
  // Shared with globalTeardown, which runs in the same context.
  var __proxmonExporter: TestExporter | undefined;
}

/** One real exporter for the whole jest run; tests reach it through the Grafana shim (setupTests.ts). */
export default async function globalSetup(): Promise<void> {
  const exporter = await startExporter();
  globalThis.__proxmonExporter = exporter;
  process.env[ENV.url] = exporter.url;
  process.env[ENV.readToken] = exporter.readToken;
  process.env[ENV.adminToken] = exporter.adminToken;
  process.stdout.write(`\nproxmon exporter for the plugin tests: ${exporter.url} (pid ${exporter.pid})\n`);
}
