#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=4
// A small young generation keeps RSS near 100 MB (V8 grows it to 32 MB for a long-running process
// otherwise); scavenges get more frequent but shorter. Two malloc arenas instead of glibc's 8 per core
// keep the native side (zlib, SQLite, the libuv pool) from fragmenting into extra resident memory.
// `npm start`, the systemd unit, the Dockerfile and the benchmark run with the same settings.
import { Command } from 'commander';
import {
  backup,
  readPasswordFromStdin,
  restore,
  secretsRotateKey,
  tokenCreate,
  userAdd,
  userResetPassword,
} from './cli-admin.js';
import { ConfigError, loadConfig } from './config.js';
import { ApiError } from './http/errors.js';
import { start } from './main.js';
import {
  defaultExporterUrl,
  NOTIFY_EXIT,
  NotifyUsageError,
  parseNotifyArgs,
  runNotify,
  type RawNotifyOptions,
} from './notifications/cli-notify.js';
import { buildSources } from './sources/index.js';
import { StoreError } from './store/db.js';
import { version } from './version.js';

/** Exit status for a configuration or environment the user must fix (bad config, port in use, data dir). */
const EXIT_CONFIG = 2;

function fatal(err: unknown): never {
  if (err instanceof ApiError && err.status < 500) {
    process.stderr.write(`proxmon: ${err.message}\n`);
    process.exit(EXIT_CONFIG);
  }
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
  process.on('SIGHUP', () => running.reloadTls());
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

/** Runs an admin command against the configured data dir and prints its result. */
const admin =
  <A extends unknown[]>(fn: (...args: A) => Promise<string> | string) =>
  async (...args: A) => {
    try {
      process.stdout.write(`${await fn(...args)}\n`);
    } catch (err) {
      fatal(err);
    }
  };

const user = program.command('user').description('manage users (as root on the host)');
user
  .command('add <name>')
  .description('create a user; the password is read from standard input')
  .option('--role <role>', 'admin or viewer', 'viewer')
  .action(
    admin(async (name: string, opts: { role: string }) =>
      userAdd(loadConfig(), name, opts.role, await readPasswordFromStdin()),
    ),
  );
user
  .command('reset-password <name>')
  .description('the way back in: set a new random password, revoke all sessions')
  .option('--disable-totp', 'also turn TOTP off (a lost authenticator)')
  .action(
    admin((name: string, opts: { disableTotp?: boolean }) =>
      userResetPassword(loadConfig(), name, !!opts.disableTotp),
    ),
  );

program
  .command('token')
  .description('API tokens')
  .command('create')
  .description('create an API token and print it (shown once)')
  .requiredOption('--name <name>', 'what it is for, e.g. grafana')
  .option('--scope <scope...>', 'read, write, admin, terminal', ['read'])
  .option('--user <name>', 'owner (default: the first admin)')
  .option('--expires-days <n>', 'days until it expires', (v) => Number(v))
  .action(
    admin((opts: { name: string; scope: string[]; user?: string; expiresDays?: number }) =>
      tokenCreate(loadConfig(), opts),
    ),
  );

program
  .command('secrets')
  .description('encrypted secrets')
  .command('rotate-key')
  .description('create a new encryption key and re-encrypt every stored secret with it')
  .action(admin(() => secretsRotateKey(loadConfig())));

program
  .command('backup <file>')
  .description('online backup of the database to <file>, and the key file to <file>.key')
  .action(admin((file: string) => backup(loadConfig(), file)));

program
  .command('restore <file>')
  .description('restore <file> and <file>.key into the data dir (stop proxmon first)')
  .option('--force', 'replace an existing database')
  .action(admin((file: string, opts: { force?: boolean }) => restore(loadConfig(), file, !!opts.force)));

program
  .command('notify')
  .description(
    'send a notification (for hook scripts): through the running exporter, or straight into its ' +
      'outbox when the exporter does not answer within 3 s; exit 0 sent or queued, 2 bad arguments, 1 other',
  )
  .option('--type <event>', 'event type from GET /api/notifications/catalogue', 'custom')
  .option('--severity <severity>', 'OK, INFO, WARNING or CRITICAL', 'INFO')
  .option('--title <text>', 'the title (required for --type custom)')
  .option('--body <text>', 'the message text')
  .option(
    '--field <key=value>',
    'a named fact for the templates, e.g. vmid=101 (repeatable)',
    (v: string, all: string[]) => [...all, v],
    [] as string[],
  )
  .option('--url <url>', "the exporter (default: $PROXMON_URL, else this host's configured address)")
  .option(
    '--token <token>',
    'API token with the write scope (default: $PROXMON_TOKEN, which other users cannot see in ps)',
  )
  .showHelpAfterError('(proxmon notify --help shows the options)')
  // Wrong arguments exit 2 like every other bad call here; commander's own default is 1.
  .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : NOTIFY_EXIT.usage))
  .action(async (opts: RawNotifyOptions & { url?: string; token?: string }) => {
    try {
      const args = parseNotifyArgs(opts);
      const config = loadConfig();
      process.exitCode = await runNotify({
        args,
        url: opts.url ?? process.env.PROXMON_URL ?? defaultExporterUrl(config),
        token: opts.token ?? process.env.PROXMON_TOKEN,
        dataDir: config.data_dir,
        out: (line) => process.stdout.write(`${line}\n`),
        err: (line) => process.stderr.write(`${line}\n`),
      });
    } catch (err) {
      process.stderr.write(`proxmon: ${(err as Error).message}\n`);
      process.exitCode = err instanceof NotifyUsageError ? NOTIFY_EXIT.usage : NOTIFY_EXIT.failed;
    }
  });

program
  .command('version')
  .description('print the version')
  .action(() => {
    process.stdout.write(`proxmon ${version} (node ${process.version})\n`);
  });

await program.parseAsync();
