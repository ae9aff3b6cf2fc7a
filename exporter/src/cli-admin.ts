import { copyFileSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { rotateKey, KEYRING_FILE } from './auth/secrets.js';
import { ROLES, roleScopes, SCOPES, type Role, type Scope } from './auth/scopes.js';
import { ConfigError, type Config } from './config.js';
import { createAuth, type Auth } from './auth/index.js';
import { DB_FILE, openStore } from './store/db.js';

/**
 * The host's root user's tools: they open the data dir directly (the server may be running; SQLite's
 * WAL and busy timeout make that safe) and print results on stdout.
 */
async function withAuth<T>(config: Config, fn: (auth: Auth) => Promise<T>): Promise<T> {
  const db = openStore(config.data_dir);
  try {
    return await fn(await createAuth(config, db, pino({ level: 'silent' })));
  } finally {
    db.close();
  }
}

export function readPasswordFromStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    if (process.stdin.isTTY) return reject(new ConfigError('pipe the password on standard input'));
    let text = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (d: string) => (text += d));
    process.stdin.on('end', () => resolve(text.replace(/\r?\n$/, '')));
    process.stdin.on('error', reject);
  });
}

export async function userAdd(
  config: Config,
  username: string,
  role: string,
  password: string,
): Promise<string> {
  if (!(ROLES as readonly string[]).includes(role))
    throw new ConfigError(`role must be one of ${ROLES.join(', ')}`);
  return withAuth(config, async (auth) => {
    const user = await auth.service.createUser(username, password, role as Role, 'cli', null);
    return `created ${user.role} ${user.username}`;
  });
}

export async function userResetPassword(
  config: Config,
  username: string,
  disableTotp: boolean,
): Promise<string> {
  return withAuth(config, async (auth) => {
    const password = await auth.service.resetPassword(username, disableTotp);
    return `new password for ${username}: ${password}\n(all sessions revoked${disableTotp ? ', TOTP disabled' : ''})`;
  });
}

export async function tokenCreate(
  config: Config,
  opts: { name: string; scope: string[]; user?: string; expiresDays?: number },
): Promise<string> {
  const bad = opts.scope.filter((s) => !(SCOPES as readonly string[]).includes(s));
  if (bad.length) throw new ConfigError(`unknown scope ${bad.join(', ')} (known: ${SCOPES.join(', ')})`);
  return withAuth(config, async (auth) => {
    const owner = opts.user
      ? auth.users.byName(opts.user)
      : auth.users.list().find((u) => u.role === 'admin');
    if (!owner) throw new ConfigError(opts.user ? `no user ${opts.user}` : 'no admin user yet');
    const extra = opts.scope.filter((s) => !roleScopes(owner.role).includes(s as Scope));
    if (extra.length)
      throw new ConfigError(`${owner.username} (${owner.role}) cannot hold: ${extra.join(', ')}`);
    const expires = opts.expiresDays ? Date.now() + opts.expiresDays * 86_400_000 : null;
    const { token } = auth.apiTokens.create(owner.id, opts.name, opts.scope as Scope[], expires);
    auth.audit.record({
      actor: 'cli',
      action: 'token_created',
      target: opts.name,
      detail: { scopes: opts.scope },
    });
    return token;
  });
}

export function secretsRotateKey(config: Config): string {
  const db = openStore(config.data_dir);
  try {
    const { keyId, reencrypted } = rotateKey(config.data_dir, db);
    // A running server holds the old key in memory and could no longer read what was re-encrypted.
    return `new key ${keyId}; re-encrypted ${reencrypted} secrets; restart proxmon now`;
  } finally {
    db.close();
  }
}

/** An online, consistent copy of the database (SQLite's backup API) plus the key file beside it. */
export async function backup(config: Config, file: string): Promise<string> {
  const db = openStore(config.data_dir);
  try {
    await db.backup(file);
  } finally {
    db.close();
  }
  copyFileSync(join(config.data_dir, KEYRING_FILE), `${file}.key`);
  return `backed up to ${file} and ${file}.key (keep the key file as secret as the data)`;
}

/** Puts a backup back; refuses to overwrite an existing database unless forced. Stop the server first. */
export function restore(config: Config, file: string, force: boolean): string {
  if (!existsSync(file) || !existsSync(`${file}.key`))
    throw new ConfigError(`need both ${file} and ${file}.key`);
  const target = join(config.data_dir, DB_FILE);
  if (existsSync(target) && !force)
    throw new ConfigError(`${target} exists; stop proxmon and pass --force to replace it`);
  openStore(config.data_dir).close(); // creates the data dir with the right mode
  // A WAL left from the old database must not be replayed onto the restored one.
  for (const suffix of ['-wal', '-shm']) rmSync(`${target}${suffix}`, { force: true });
  copyFileSync(file, target);
  copyFileSync(`${file}.key`, join(config.data_dir, KEYRING_FILE));
  openStore(config.data_dir).close(); // integrity check and migrations of the restored file
  return `restored ${file} into ${config.data_dir}`;
}
