import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DB_FILE, openStore, type Db } from '../store/db.js';
import {
  decryptSecret,
  deleteSecret,
  encryptSecret,
  getSecret,
  KEYRING_FILE,
  loadKeyring,
  maskSecret,
  putSecret,
  rotateKey,
  SecretError,
} from './secrets.js';

const fresh = () => mkdtempSync(join(tmpdir(), 'proxmon-secrets-'));

/** Flips one bit in the base64url part `index` (2 = IV, 3 = ciphertext, 4 = tag) of a stored value. */
function flip(stored: string, index: number): string {
  const parts = stored.split(':');
  const bytes = Buffer.from(parts[index]!, 'base64url');
  bytes[0] = bytes[0]! ^ 0x01;
  parts[index] = bytes.toString('base64url');
  return parts.join(':');
}

function addUser(db: Db, id: number, totpSecret: string | null, pending: string | null = null): void {
  db.prepare(
    `INSERT INTO users (id, username, password_hash, role, totp_secret, totp_pending_secret, password_changed_at, created_at)
     VALUES (?, ?, 'x', 'admin', ?, ?, 0, 0)`,
  ).run(id, `user${id}`, totpSecret, pending);
}

describe('loadKeyring', () => {
  it('creates secret.key with mode 0600 even under a permissive umask, and reloads the same key', () => {
    const dir = fresh();
    const umask = process.umask(0);
    let keyring;
    try {
      keyring = loadKeyring(dir);
    } finally {
      process.umask(umask);
    }
    const file = join(dir, KEYRING_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual([KEYRING_FILE]); // no temp file left behind
    expect(keyring.currentKeyId).toMatch(/^[0-9a-f]{8}$/);
    expect(keyring.keyIds).toEqual([keyring.currentKeyId]);
    const stored = encryptSecret(keyring, 'hunter2');
    expect(decryptSecret(loadKeyring(dir), stored)).toBe('hunter2');
  });

  it('never shows key bytes when a keyring is logged or serialised', () => {
    const dir = fresh();
    const keyring = loadKeyring(dir);
    const file = JSON.parse(readFileSync(join(dir, KEYRING_FILE), 'utf8')) as {
      keys: Record<string, string>;
    };
    const key = file.keys[keyring.currentKeyId]!;
    expect(key).toHaveLength(43); // 32 bytes in base64url
    expect(JSON.stringify(keyring)).not.toContain(key);
    expect(inspect(keyring, { showHidden: true, depth: 5 })).not.toContain(key);
  });

  it('refuses a keyring file that group or others can read, saying how to fix it', () => {
    const dir = fresh();
    loadKeyring(dir);
    const file = join(dir, KEYRING_FILE);
    chmodSync(file, 0o644);
    expect(() => loadKeyring(dir)).toThrow(SecretError);
    expect(() => loadKeyring(dir)).toThrow(/has mode 644: group or others may read it.*chmod 600/);
    chmodSync(file, 0o600);
    expect(() => loadKeyring(dir)).not.toThrow();
  });

  it('says clearly when the data dir is missing', () => {
    const dir = join(fresh(), 'missing');
    expect(() => loadKeyring(dir)).toThrow(
      expect.objectContaining({ name: 'SecretError', reason: 'keyring' }),
    );
    expect(() => loadKeyring(dir)).toThrow(/missing\/secret\.key cannot be created: ENOENT/);
  });

  it('refuses a damaged keyring file rather than replacing it (that would lose every secret)', () => {
    const dir = fresh();
    const file = join(dir, KEYRING_FILE);
    writeFileSync(file, '{"version":1,"current":"abcd0123","keys":{}}', { mode: 0o600 });
    expect(() => loadKeyring(dir)).toThrow(/lacks its current key/);
    writeFileSync(file, 'not json');
    expect(() => loadKeyring(dir)).toThrow(/secret\.key is damaged/);
    expect(readFileSync(file, 'utf8')).toBe('not json');
  });
});

describe('encryptSecret / decryptSecret', () => {
  const keyring = loadKeyring(fresh());

  it('round-trips, with a fresh IV each time and the documented format', () => {
    const a = encryptSecret(keyring, 'JBSWY3DPEHPK3PXP');
    const b = encryptSecret(keyring, 'JBSWY3DPEHPK3PXP');
    expect(a).not.toBe(b);
    expect(a).toMatch(
      new RegExp(`^pxs1:${keyring.currentKeyId}:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]+:[A-Za-z0-9_-]{22}$`),
    );
    expect(decryptSecret(keyring, a)).toBe('JBSWY3DPEHPK3PXP');
    expect(decryptSecret(keyring, encryptSecret(keyring, ''))).toBe('');
  });

  it.each([
    ['IV', 2],
    ['ciphertext', 3],
    ['tag', 4],
  ])('detects a modified %s', (_name, index) => {
    const stored = encryptSecret(keyring, 'a secret value');
    expect(() => decryptSecret(keyring, flip(stored, index))).toThrow(
      expect.objectContaining({ name: 'SecretError', reason: 'tampered' }),
    );
  });

  it('refuses an edited header, an unknown key, another version and garbage, each with its reason', () => {
    const stored = encryptSecret(keyring, 'x');
    const other = encryptSecret(loadKeyring(fresh()), 'x');
    const cases: [string, string][] = [
      [stored.replace(/^pxs1:[0-9a-f]{8}/, `pxs1:${other.split(':')[1]}`), 'unknown-key'],
      [other, 'unknown-key'],
      [stored.replace(/^pxs1/, 'pxs2'), 'format'],
      ['plain text', 'format'],
      ['pxs1:a:b:c', 'format'],
      [stored.split(':').slice(0, 4).join(':') + ':AAAA', 'format'],
    ];
    for (const [value, reason] of cases)
      expect(() => decryptSecret(keyring, value), value).toThrow(expect.objectContaining({ reason }));
    expect(() => decryptSecret(keyring, stored.replace(/^pxs1/, 'pxs2'))).toThrow(
      /format pxs2 is not supported/,
    );
  });

  it('refuses text that UTF-8 cannot carry instead of storing something else', () => {
    expect(() => encryptSecret(keyring, 'a\uD800b')).toThrow(
      expect.objectContaining({ reason: 'plaintext' }),
    );
  });

  it('round-trips any text (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (text) => {
        expect(decryptSecret(keyring, encryptSecret(keyring, text))).toBe(text);
      }),
    );
  });

  it('never decrypts a random string, and only ever throws SecretError (property)', () => {
    // Mostly well-shaped values (right prefix, our key id, IV and tag of the right length) so the
    // random bytes reach AES-GCM itself, plus arbitrary junk in every part.
    const bytes = (n: number) =>
      fc.uint8Array({ minLength: n, maxLength: n }).map((b) => Buffer.from(b).toString('base64url'));
    const junk = fc.string({ unit: fc.constantFrom(...'ABCxyz019-_=+/'.split('')), maxLength: 30 });
    const shaped = fc
      .tuple(
        fc.constantFrom('pxs1', 'pxs1', 'pxs2', 'px'),
        fc.constantFrom(keyring.currentKeyId, keyring.currentKeyId, 'deadbeef', ''),
        fc.oneof(bytes(12), junk),
        fc.oneof(
          fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b).toString('base64url')),
          junk,
        ),
        fc.oneof(bytes(16), junk),
      )
      .map((parts) => parts.join(':'));
    const reasons = new Set<string>();
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), shaped), (value) => {
        let error: unknown;
        try {
          decryptSecret(keyring, value);
        } catch (err) {
          error = err;
        }
        if (!(error instanceof SecretError)) throw new Error(`not a SecretError: ${String(error)}`);
        reasons.add((error as SecretError).reason);
      }),
      { numRuns: 500 },
    );
    expect([...reasons].sort()).toEqual(['format', 'tampered', 'unknown-key']);
  });
});

describe('maskSecret', () => {
  it('says whether a secret is set and reveals nothing of it', () => {
    expect(maskSecret('pxs1:abcd0123:…')).toEqual({ set: true, masked: '********' });
    expect(maskSecret('x')).toEqual({ set: true, masked: '********' });
    expect(maskSecret('')).toEqual({ set: false, masked: null });
    expect(maskSecret(null)).toEqual({ set: false, masked: null });
    expect(maskSecret(undefined)).toEqual({ set: false, masked: null });
  });
});

describe('putSecret / getSecret / deleteSecret', () => {
  it('stores, replaces, reads and deletes by name', () => {
    const dir = fresh();
    const db = openStore(dir);
    const keyring = loadKeyring(dir);
    expect(getSecret(db, keyring, 'smtp_password')).toBeNull();
    putSecret(db, keyring, 'smtp_password', 'first');
    putSecret(db, keyring, 'smtp_password', 'second');
    expect(getSecret(db, keyring, 'smtp_password')).toBe('second');
    expect(db.prepare('SELECT value FROM secrets').pluck().get()).toMatch(/^pxs1:/);
    expect(deleteSecret(db, 'smtp_password')).toBe(true);
    expect(deleteSecret(db, 'smtp_password')).toBe(false);
    expect(getSecret(db, keyring, 'smtp_password')).toBeNull();
    db.close();
  });

  describe('a stored secret cannot be found in plaintext in the SQLite files', () => {
    const plaintext = 'plaintext-canary-7f3a9c1e';
    const filesContain = (dir: string, needle: string) =>
      ['', '-wal', '-shm']
        .map((suffix) => join(dir, DB_FILE + suffix))
        .filter((f) => existsSync(f))
        .some((f) => readFileSync(f).includes(Buffer.from(needle)));

    it('while the write still sits in the WAL', () => {
      const dir = fresh();
      const db = openStore(dir);
      db.pragma('wal_autocheckpoint = 0');
      const keyring = loadKeyring(dir);
      putSecret(db, keyring, 'canary', plaintext);
      addUser(db, 1, encryptSecret(keyring, plaintext));
      expect(statSync(join(dir, `${DB_FILE}-wal`)).size).toBeGreaterThan(0);
      expect(filesContain(dir, 'pxs1:')).toBe(true); // the files read are the ones written
      expect(filesContain(dir, plaintext)).toBe(false);
      db.close();
    });

    it('after close has checkpointed it into the main file', () => {
      const dir = fresh();
      const db = openStore(dir);
      const keyring = loadKeyring(dir);
      putSecret(db, keyring, 'canary', plaintext);
      addUser(db, 1, encryptSecret(keyring, plaintext));
      db.close();
      expect(filesContain(dir, 'pxs1:')).toBe(true);
      expect(filesContain(dir, plaintext)).toBe(false);
    });
  });
});

describe('rotateKey', () => {
  it('re-encrypts every secret column under a new key, then drops the old key', () => {
    const dir = fresh();
    const db = openStore(dir);
    const before = loadKeyring(dir);
    addUser(db, 1, encryptSecret(before, 'TOTP-ONE'), encryptSecret(before, 'PENDING-ONE'));
    addUser(db, 2, null);
    putSecret(db, before, 'webhook', 'w-secret');
    const oldTotp = db.prepare('SELECT totp_secret FROM users WHERE id = 1').pluck().get() as string;

    const result = rotateKey(dir, db);

    expect(result.reencrypted).toBe(3); // two user columns and one secrets row; the NULLs are skipped
    expect(result.keyId).not.toBe(before.currentKeyId);
    const after = loadKeyring(dir);
    expect(after.keyIds).toEqual([result.keyId]);
    expect(statSync(join(dir, KEYRING_FILE)).mode & 0o777).toBe(0o600);
    const user = db
      .prepare('SELECT totp_secret, totp_pending_secret FROM users WHERE id = 1')
      .get() as Record<string, string>;
    expect(user.totp_secret).toMatch(new RegExp(`^pxs1:${result.keyId}:`));
    expect(decryptSecret(after, user.totp_secret!)).toBe('TOTP-ONE');
    expect(decryptSecret(after, user.totp_pending_secret!)).toBe('PENDING-ONE');
    expect(getSecret(db, after, 'webhook')).toBe('w-secret');
    expect(db.prepare('SELECT totp_secret FROM users WHERE id = 2').pluck().get()).toBeNull();
    // Old ciphertexts are now unreadable with the keyring on disk; only the old in-memory one could.
    expect(() => decryptSecret(after, oldTotp)).toThrow(expect.objectContaining({ reason: 'unknown-key' }));
    expect(decryptSecret(before, oldTotp)).toBe('TOTP-ONE');
    expect(db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL again, as openStore set it
    db.close();
  });

  it('a rotation that fails part-way changes nothing: old values still read with the keyring on disk', () => {
    const dir = fresh();
    const db = openStore(dir);
    const before = loadKeyring(dir);
    const keyFile = readFileSync(join(dir, KEYRING_FILE), 'utf8');
    addUser(db, 1, encryptSecret(before, 'TOTP-ONE'));
    db.prepare(`INSERT INTO secrets (name, value) VALUES ('broken', 'not encrypted')`).run();
    const oldTotp = db.prepare('SELECT totp_secret FROM users WHERE id = 1').pluck().get() as string;

    expect(() => rotateKey(dir, db)).toThrow(
      /secrets\.value where name = broken: stored value is not an encrypted/,
    );

    expect(db.prepare('SELECT totp_secret FROM users WHERE id = 1').pluck().get()).toBe(oldTotp);
    expect(readFileSync(join(dir, KEYRING_FILE), 'utf8')).toBe(keyFile);
    expect(decryptSecret(loadKeyring(dir), oldTotp)).toBe('TOTP-ONE');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    // Once the bad row is dealt with, the next rotation succeeds.
    deleteSecret(db, 'broken');
    expect(rotateKey(dir, db).reencrypted).toBe(1);
    db.close();
  });

  it('takes the columns to rotate as a parameter (later modules append to SECRET_COLUMNS)', () => {
    const dir = fresh();
    const db = openStore(dir);
    const before = loadKeyring(dir);
    putSecret(db, before, 'only', 'value');
    expect(rotateKey(dir, db, [{ table: 'secrets', column: 'value', key: 'name' }]).reencrypted).toBe(1);
    expect(() =>
      rotateKey(dir, db, [{ table: 'secrets; DROP TABLE users', column: 'value', key: 'name' }]),
    ).toThrow(/not a plain SQL identifier/);
    expect(getSecret(db, loadKeyring(dir), 'only')).toBe('value');
    db.close();
  });
});
