import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Db } from '../store/db.js';

/**
 * Secrets at rest: AES-256-GCM under a random 32-byte key kept in `<data_dir>/secret.key` (0600),
 * so a copied database alone reveals nothing. Stored form: `pxs1:<keyId>:<iv>:<ciphertext>:<tag>`
 * (base64url); `pxs1:<keyId>` is also the GCM additional data, so the header cannot be edited.
 */

export const KEYRING_FILE = 'secret.key';
const FORMAT = 'pxs1';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID = /^[0-9a-f]{8}$/;
const B64URL = /^[A-Za-z0-9_-]*$/;

export type SecretErrorReason = 'keyring' | 'format' | 'unknown-key' | 'tampered' | 'plaintext';

/**
 * A stored value that cannot be decrypted, or a keyring file that cannot be trusted. Thrown, not
 * returned: both mean broken data or a bug at a boundary, not a condition callers branch on. The
 * message never contains a secret.
 */
export class SecretError extends Error {
  override name = 'SecretError';
  constructor(
    readonly reason: SecretErrorReason,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The loaded keys, as ids only: the key bytes sit in a module-private map, so logging or
 * serialising a Keyring cannot leak them.
 */
export interface Keyring {
  readonly file: string;
  readonly currentKeyId: string;
  readonly keyIds: readonly string[];
}

const material = new WeakMap<Keyring, ReadonlyMap<string, Buffer>>();

function makeKeyring(file: string, currentKeyId: string, keys: ReadonlyMap<string, Buffer>): Keyring {
  if (!keys.has(currentKeyId)) throw new SecretError('keyring', `keyring ${file} lacks its current key`);
  const keyring: Keyring = Object.freeze({ file, currentKeyId, keyIds: Object.freeze([...keys.keys()]) });
  material.set(keyring, keys);
  return keyring;
}

function keyBytes(keyring: Keyring, id: string): Buffer | undefined {
  const keys = material.get(keyring);
  if (!keys) throw new SecretError('keyring', 'not a keyring from loadKeyring');
  return keys.get(id);
}

const keyringSchema = z.object({
  version: z.literal(1),
  current: z.string().regex(KEY_ID),
  keys: z.record(z.string().regex(KEY_ID), z.string().regex(B64URL)),
});

/**
 * Loads the keyring, creating it on first use. The data dir must already exist (openStore makes it).
 * Like ssh with a private key, it refuses a file that group or others can read or write, or that
 * another user owns: such a key may already have leaked, and silently fixing the mode would hide
 * that. The message says how to fix it.
 */
export function loadKeyring(dataDir: string): Keyring {
  const file = join(dataDir, KEYRING_FILE);
  const existing = readKeyringFile(file);
  if (existing) return existing;
  const created = newKeyring(file, new Map());
  try {
    writeKeyringFile(created, 'create');
  } catch (err) {
    // Another process (the CLI beside the server) created it first: use theirs, never overwrite.
    const theirs = (err as NodeJS.ErrnoException).code === 'EEXIST' ? readKeyringFile(file) : undefined;
    if (theirs) return theirs;
    throw new SecretError('keyring', `keyring ${file} cannot be created: ${(err as Error).message}`);
  }
  return created;
}

function readKeyringFile(file: string): Keyring | undefined {
  let text: string;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new SecretError('keyring', `keyring ${file} is not a regular file`);
    if ((st.mode & 0o077) !== 0)
      throw new SecretError(
        'keyring',
        `keyring ${file} has mode ${(st.mode & 0o777).toString(8)}: group or others may read it; ` +
          `if that was never so, run: chmod 600 ${file}; otherwise rotate the key`,
      );
    const euid = process.geteuid?.();
    if (euid !== undefined && st.uid !== euid)
      throw new SecretError(
        'keyring',
        `keyring ${file} is owned by uid ${st.uid}, not by this process (${euid})`,
      );
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof SecretError) throw err;
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SecretError('keyring', `keyring ${file} cannot be read: ${(err as Error).message}`);
  }
  let parsed: z.infer<typeof keyringSchema>;
  try {
    parsed = keyringSchema.parse(JSON.parse(text));
  } catch {
    throw new SecretError(
      'keyring',
      `keyring ${file} is damaged; restore it from the backup taken with the database`,
    );
  }
  const keys = new Map<string, Buffer>();
  for (const [id, b64] of Object.entries(parsed.keys)) {
    const key = Buffer.from(b64, 'base64url');
    if (key.length !== KEY_BYTES)
      throw new SecretError('keyring', `keyring ${file}: key ${id} is not 32 bytes`);
    keys.set(id, key);
  }
  return makeKeyring(file, parsed.current, keys);
}

function newKeyring(file: string, keep: ReadonlyMap<string, Buffer>): Keyring {
  let id: string;
  do id = randomBytes(4).toString('hex');
  while (keep.has(id));
  return makeKeyring(file, id, new Map([...keep, [id, randomBytes(KEY_BYTES)]]));
}

function serialiseKeyring(keyring: Keyring): string {
  const keys = Object.fromEntries(
    keyring.keyIds.map((id) => [id, keyBytes(keyring, id)!.toString('base64url')]),
  );
  return JSON.stringify({ version: 1, current: keyring.currentKeyId, keys }) + '\n';
}

/**
 * Writes a temp file created 0600 (never readable by others, whatever the umask), fsyncs it, then
 * either links it into place (`create`: fails with EEXIST rather than replace a key in use) or
 * renames over the old file (`replace`), and fsyncs the directory so the new name survives a crash.
 */
function writeKeyringFile(keyring: Keyring, mode: 'create' | 'replace'): void {
  const tmp = `${keyring.file}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, serialiseKeyring(keyring));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    if (mode === 'create') {
      linkSync(tmp, keyring.file);
      unlinkSync(tmp);
    } else renameSync(tmp, keyring.file);
  } catch (err) {
    unlinkSync(tmp);
    throw err;
  }
  const dir = openSync(join(keyring.file, '..'), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

export function encryptSecret(keyring: Keyring, plaintext: string): string {
  const data = Buffer.from(plaintext, 'utf8');
  // A lone surrogate would come back as U+FFFD: refuse rather than store something else.
  if (data.toString('utf8') !== plaintext)
    throw new SecretError('plaintext', 'secret is not well-formed Unicode text');
  return sealWith(keyring.currentKeyId, keyBytes(keyring, keyring.currentKeyId)!, data);
}

function sealWith(keyId: string, key: Buffer, data: Buffer): string {
  const iv = randomBytes(IV_BYTES);
  const header = `${FORMAT}:${keyId}`;
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(header));
  const ct = Buffer.concat([cipher.update(data), cipher.final()]);
  return [header, iv, ct, cipher.getAuthTag()]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join(':');
}

/** Throws SecretError for anything that is not a `pxs1` value this keyring wrote, unmodified. */
export function decryptSecret(keyring: Keyring, stored: string): string {
  const parts = stored.split(':');
  if (parts.length !== 5 || parts[0] !== FORMAT) {
    const version =
      parts.length === 5 && /^pxs\d+$/.test(parts[0]!) ? ` (format ${parts[0]} is not supported)` : '';
    throw new SecretError('format', `stored value is not an encrypted secret${version}`);
  }
  const [, keyId, ivText, ctText, tagText] = parts as [string, string, string, string, string];
  if (![ivText, ctText, tagText].every((p) => B64URL.test(p)))
    throw new SecretError('format', 'stored secret is not base64url');
  const key = keyBytes(keyring, keyId);
  if (!key)
    throw new SecretError(
      'unknown-key',
      `stored secret uses key ${JSON.stringify(keyId)}, not in ${keyring.file}`,
    );
  const iv = Buffer.from(ivText, 'base64url');
  const tag = Buffer.from(tagText, 'base64url');
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES)
    throw new SecretError('format', 'stored secret has a malformed IV or tag');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(`${FORMAT}:${keyId}`));
    decipher.setAuthTag(tag);
    const data = Buffer.concat([decipher.update(Buffer.from(ctText, 'base64url')), decipher.final()]);
    return data.toString('utf8');
  } catch {
    throw new SecretError(
      'tampered',
      `stored secret under key ${keyId} failed authentication (modified or corrupt)`,
    );
  }
}

/** Every column that holds encryptSecret output; rotation re-encrypts them all. Append when a module adds one. */
export const SECRET_COLUMNS: readonly { table: string; column: string; key: string }[] = [
  { table: 'users', column: 'totp_secret', key: 'id' },
  { table: 'users', column: 'totp_pending_secret', key: 'id' },
  { table: 'secrets', column: 'value', key: 'name' },
];

const IDENT = /^[a-z_][a-z0-9_]*$/;
const ident = (name: string): string => {
  if (!IDENT.test(name)) throw new Error(`not a plain SQL identifier: ${name}`);
  return `"${name}"`;
};

/**
 * Replaces the key, in an order where a crash at any point leaves every value readable:
 * 1. the keyring file gets a new current key beside the old ones (old values still decrypt);
 * 2. one IMMEDIATE transaction, committed with synchronous=FULL so it survives power loss,
 *    re-encrypts every non-null value in `columns` under the new key;
 * 3. only then is the keyring file rewritten with the new key alone.
 * If step 2 fails (a value that does not decrypt), the transaction rolls back, the keyring file is
 * put back as it was, and the SecretError names the row. Run it with the server stopped (or make the
 * server reload the keyring): a running process keeps its old keyring in memory.
 */
export function rotateKey(
  dataDir: string,
  db: Db,
  columns: readonly { table: string; column: string; key: string }[] = SECRET_COLUMNS,
): { keyId: string; reencrypted: number } {
  const old = loadKeyring(dataDir);
  const both = newKeyring(old.file, new Map(old.keyIds.map((id) => [id, keyBytes(old, id)!])));
  writeKeyringFile(both, 'replace');

  const synchronous = db.pragma('synchronous', { simple: true }) as number;
  let reencrypted = 0;
  try {
    db.pragma('synchronous = FULL');
    db.transaction(() => {
      for (const { table, column, key } of columns) {
        const select = `SELECT ${ident(key)} AS k, ${ident(column)} AS v FROM ${ident(table)} WHERE ${ident(column)} IS NOT NULL`;
        const update = db.prepare(`UPDATE ${ident(table)} SET ${ident(column)} = ? WHERE ${ident(key)} = ?`);
        for (const row of db.prepare(select).all() as { k: unknown; v: string }[]) {
          let plaintext: string;
          try {
            plaintext = decryptSecret(both, row.v);
          } catch (err) {
            const e = err as SecretError;
            throw new SecretError(
              e.reason,
              `${table}.${column} where ${key} = ${String(row.k)}: ${e.message}`,
            );
          }
          update.run(encryptSecret(both, plaintext), row.k);
          reencrypted++;
        }
      }
    }).immediate();
  } catch (err) {
    writeKeyringFile(old, 'replace');
    throw err;
  } finally {
    db.pragma(`synchronous = ${synchronous}`);
  }

  const only = makeKeyring(
    old.file,
    both.currentKeyId,
    new Map([[both.currentKeyId, keyBytes(both, both.currentKeyId)!]]),
  );
  writeKeyringFile(only, 'replace');
  return { keyId: only.currentKeyId, reencrypted };
}

/** What an API may say about a secret: whether it is set, and a fixed mask that reveals no length or character. */
export function maskSecret(value: string | null | undefined): { set: boolean; masked: string | null } {
  const set = value !== null && value !== undefined && value !== '';
  return { set, masked: set ? '********' : null };
}

export function putSecret(db: Db, keyring: Keyring, name: string, plaintext: string): void {
  db.prepare(
    'INSERT INTO secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value',
  ).run(name, encryptSecret(keyring, plaintext));
}

/** The decrypted secret, or null when none is stored under that name. */
export function getSecret(db: Db, keyring: Keyring, name: string): string | null {
  const value = db.prepare('SELECT value FROM secrets WHERE name = ?').pluck().get(name) as
    string | undefined;
  return value === undefined ? null : decryptSecret(keyring, value);
}

/** Returns whether a secret was stored under that name. */
export function deleteSecret(db: Db, name: string): boolean {
  return db.prepare('DELETE FROM secrets WHERE name = ?').run(name).changes > 0;
}
