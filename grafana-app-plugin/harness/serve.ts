import { startExporter } from '../src/test-support/exporter';
import { startHarness } from './server';

/**
 * For a person: `npm run harness -w grafana-app-plugin` starts an exporter (a fresh data dir) and the
 * harness, and prints the URL to open; Ctrl-C stops both.
 */
async function main(): Promise<void> {
  const exporter = await startExporter();
  const harness = await startHarness(exporter);
  process.stdout.write(
    `exporter ${exporter.url}\nharness  ${harness.url}/?path=/a/proxmon-monitor-app/overview\n`,
  );
  const stop = async () => {
    await harness.close();
    await exporter.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

void main();
