import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { generateSecret, generateURI, verify } from 'otplib';

/** RFC 6238 defaults every authenticator app understands: SHA-1, 6 digits, 30 s steps. */
const PERIOD_S = 30;

/** A fresh base32 secret of 20 random bytes (160 bits, the RFC 4226 recommendation). */
export async function createTotpSecret(): Promise<string> {
  return generateSecret({ length: 20 });
}

/** The `otpauth://totp/<issuer>:<account>?secret=…&issuer=…` URI that authenticator apps scan. */
export function totpUri(secret: string, account: string, issuer = 'proxmon'): string {
  return generateURI({ issuer, label: account, secret });
}

/** The URI as an SVG QR code in a data URL: an `<img src>` that needs no script, font or network. */
export async function totpQrDataUrl(uri: string): Promise<string> {
  // Loaded when a QR code is drawn (rarely), not held in memory for the exporter's life.
  const { default: QRCode } = await import('qrcode');
  const svg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}

export type TotpResult = { ok: true; step: number } | { ok: false; reason: 'invalid' | 'replayed' };

/**
 * Checks a 6-digit code against the steps `now` −1, 0 and +1 (30 s of clock drift either way), and
 * refuses any step at or before `lastStep`, the one accepted last, so a code seen over a shoulder
 * or in a log cannot be used again. Store the returned step as the new lastStep. A secret that is
 * not valid base32 throws: it came from createTotpSecret, so that is a bug, not a user error.
 */
export async function verifyTotp(
  secret: string,
  code: string,
  lastStep: number | null,
  now: number = Date.now(),
): Promise<TotpResult> {
  const token = code.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(token)) return { ok: false, reason: 'invalid' };
  const epoch = Math.floor(now / 1000);
  const current = Math.floor(epoch / PERIOD_S);
  const after = lastStep !== null && Number.isSafeInteger(lastStep) && lastStep >= 0 ? lastStep : undefined;
  const check = (afterTimeStep?: number) =>
    verify({ secret, token, epoch, epochTolerance: PERIOD_S, afterTimeStep });

  // otplib rejects an afterTimeStep beyond the window; then every step in it is already used.
  if (after === undefined || after < current + 1) {
    const fresh = await check(after);
    // The union also covers HOTP results, which have no timeStep.
    if (fresh.valid && 'timeStep' in fresh) return { ok: true, step: fresh.timeStep };
  }
  // A match only among used steps is a replay; telling it apart helps the audit log, not an attacker
  // (who learns nothing new: the code was already valid once).
  if (after !== undefined && (await check()).valid) return { ok: false, reason: 'replayed' };
  return { ok: false, reason: 'invalid' };
}

/**
 * Crockford base32: no i, l, o or u, so a code read aloud or off paper is unambiguous; 8 characters
 * carry 40 random bits.
 */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const CODE_CHARS = 8;

/**
 * scrypt at 2^12 × 8 (4 MiB, ~10 ms): cheap enough to run synchronously for 8 codes, yet 2^40
 * guesses per stolen hash cost centuries of CPU. Each hash has its own 16-byte salt. Stored as
 * `scrypt$N$r$p$salt$hash` (base64url), like passwords.ts.
 */
const PARAMS = { N: 4096, r: 8, p: 1 } as const;
const HASH_BYTES = 32;

/** Codes to show the user once, formatted `xxxx-xxxx`, and the hashes to store in their place. */
export function generateBackupCodes(count = 8): { codes: string[]; hashes: string[] } {
  const codes: string[] = [];
  const hashes: string[] = [];
  for (let i = 0; i < count; i++) {
    const raw = randomCode();
    codes.push(`${raw.slice(0, 4)}-${raw.slice(4)}`);
    hashes.push(hashBackupCode(raw));
  }
  return { codes, hashes };
}

function randomCode(): string {
  // 5 bytes = 40 bits = exactly 8 base32 characters, no modulo bias.
  let bits = randomBytes(5).reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);
  let out = '';
  for (let i = 0; i < CODE_CHARS; i++, bits >>= 5n) out = ALPHABET[Number(bits & 31n)]! + out;
  return out;
}

function hashBackupCode(raw: string): string {
  const salt = randomBytes(16);
  const hash = scryptSync(raw, salt, HASH_BYTES, PARAMS);
  return [
    'scrypt',
    PARAMS.N,
    PARAMS.r,
    PARAMS.p,
    salt.toString('base64url'),
    hash.toString('base64url'),
  ].join('$');
}

/** Case, dashes and spaces do not matter, and the look-alikes o→0, i/l→1 are read as Crockford does. */
function normaliseBackupCode(code: string): string | undefined {
  const raw = code
    .toLowerCase()
    .replace(/[\s-]+/g, '')
    .replace(/o/g, '0')
    .replace(/[il]/g, '1');
  return raw.length === CODE_CHARS && [...raw].every((c) => ALPHABET.includes(c)) ? raw : undefined;
}

function matches(raw: string, stored: string): boolean {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const params = { N: Number(n), r: Number(r), p: Number(p), maxmem: 64 * 1024 * 1024 };
  try {
    const actual = scryptSync(raw, Buffer.from(salt, 'base64url'), expected.length, params);
    return timingSafeEqual(actual, expected);
  } catch {
    return false; // parameters scrypt refuses (a damaged row): no match, like any other wrong code
  }
}

/**
 * Spends a backup code: the remaining hashes without the one it matched (store them), or null when
 * it matches none. Every hash is checked, whichever matches, so timing says nothing about which.
 */
export function consumeBackupCode(code: string, hashes: readonly string[]): string[] | null {
  const raw = normaliseBackupCode(code);
  if (raw === undefined) return null;
  let found = -1;
  hashes.forEach((stored, i) => {
    if (matches(raw, stored) && found < 0) found = i;
  });
  return found < 0 ? null : hashes.filter((_, i) => i !== found);
}
