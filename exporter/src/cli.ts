#!/usr/bin/env node
import { Command } from 'commander';
import { ConfigError, loadConfig } from './config.js';
import { start } from './main.js';
import { buildSources } from './sources/index.js';
import { StoreError } from './store/db.js';
import { version } from './version.js';

/** Exit status for a configuration or environment the user must fix (bad config, port in use, data dir). */
const EXIT_CONFIG = 2;

function fatal(err: unknown): never {
  if (err instanceof ConfigError || err instanceof StoreError) {
    process.stderr.write(`proxmon: ${err.message}\n`);
    process.exit(EXIT_CONFIG);
  }
  process.stderr.write(`proxmon: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
}

async function serve(): Promise<void> {
  const config = loadConfig();
  const running = await start(config);
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (++signals > 1) process.exit(130); // a second Ctrl-C means now
    void running.stop().then(
      () => process.exit(0),
      (err: unknown) => fatal(err),
    );
    process.stderr.write(`proxmon: ${signal}, shutting down\n`);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

const program = new Command('proxmon')
  .description('Prometheus exporter, health monitor and notifier for Proxmox VE hosts')
  .version(version, '-V, --version')
  .showHelpAfterError();

program
  .command('serve', { isDefault: true })
  .description('run the exporter (default); configured by PROXMON_* variables and PROXMON_CONFIG')
  .action(() => serve().catch(fatal));

program
  .command('config')
  .description('configuration tools')
  .command('check [file]')
  .description('validate a config file (default: $PROXMON_CONFIG) with the environment applied; exit 0 or 2')
  .action((file: string | undefined) => {
    try {
      const config = loadConfig(process.env, file ?? process.env.PROXMON_CONFIG);
      buildSources(config);
      process.stdout.write(`config ok${file ? `: ${file}` : ''}\n`);
    } catch (err) {
      fatal(err);
    }
  });

program
  .command('version')
  .description('print the version')
  .action(() => {
    process.stdout.write(`proxmon ${version} (node ${process.version})\n`);
  });

await program.parseAsync();
