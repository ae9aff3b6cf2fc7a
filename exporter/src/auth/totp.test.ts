import fc from 'fast-check';
import { generate } from 'otplib';
import { describe, expect, it } from 'vitest';
import {
  consumeBackupCode,
  createTotpSecret,
  generateBackupCodes,
  totpQrDataUrl,
  totpUri,
  verifyTotp,
} from './totp.js';

// A fixed secret and clock: 1_700_000_015 s is 15 s into step 56_666_667.
const SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const NOW = 1_700_000_015_000;
const STEP = 56_666_667;
const codeAt = (step: number) => generate({ secret: SECRET, epoch: step * 30 });

describe('createTotpSecret / totpUri / totpQrDataUrl', () => {
  it('makes a 160-bit base32 secret, a fresh one each time', async () => {
    const a = await createTotpSecret();
    expect(a).toMatch(/^[A-Z2-7]{32}$/);
    expect(await createTotpSecret()).not.toBe(a);
  });

  it('builds the otpauth URI authenticator apps expect', () => {
    expect(totpUri(SECRET, 'alice')).toBe(`otpauth://totp/proxmon:alice?secret=${SECRET}&issuer=proxmon`);
    expect(totpUri(SECRET, 'bob@pve1', 'proxmon pve1')).toBe(
      `otpauth://totp/proxmon%20pve1:bob%40pve1?secret=${SECRET}&issuer=proxmon%20pve1`,
    );
  });

  it('renders the URI as an SVG data URL', async () => {
    const url = await totpQrDataUrl(totpUri(SECRET, 'alice'));
    const prefix = 'data:image/svg+xml;base64,';
    expect(url.startsWith(prefix)).toBe(true);
    const svg = Buffer.from(url.slice(prefix.length), 'base64').toString('utf8');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 \d+ \d+"[^>]*>/);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('<path');
  });
});

describe('verifyTotp', () => {
  it('accepts the current step and returns it', async () => {
    expect(await verifyTotp(SECRET, await codeAt(STEP), null, NOW)).toEqual({ ok: true, step: STEP });
  });

  it('accepts one step of drift either way', async () => {
    expect(await verifyTotp(SECRET, await codeAt(STEP - 1), null, NOW)).toEqual({ ok: true, step: STEP - 1 });
    expect(await verifyTotp(SECRET, await codeAt(STEP + 1), null, NOW)).toEqual({ ok: true, step: STEP + 1 });
    // At the very edges of the current step too.
    expect(await verifyTotp(SECRET, await codeAt(STEP - 1), null, STEP * 30_000 + 29_999)).toMatchObject({
      ok: true,
    });
    expect(await verifyTotp(SECRET, await codeAt(STEP + 1), null, STEP * 30_000)).toMatchObject({ ok: true });
  });

  it('refuses a code two steps away', async () => {
    expect(await verifyTotp(SECRET, await codeAt(STEP - 2), null, NOW)).toEqual({
      ok: false,
      reason: 'invalid',
    });
    expect(await verifyTotp(SECRET, await codeAt(STEP + 2), null, NOW)).toEqual({
      ok: false,
      reason: 'invalid',
    });
  });

  it('refuses the accepted step again, and any earlier one, as a replay', async () => {
    const code = await codeAt(STEP);
    const first = await verifyTotp(SECRET, code, null, NOW);
    expect(first).toEqual({ ok: true, step: STEP });
    expect(await verifyTotp(SECRET, code, STEP, NOW)).toEqual({ ok: false, reason: 'replayed' });
    expect(await verifyTotp(SECRET, code, STEP, NOW + 20_000)).toEqual({ ok: false, reason: 'replayed' });
    expect(await verifyTotp(SECRET, await codeAt(STEP - 1), STEP, NOW)).toEqual({
      ok: false,
      reason: 'replayed',
    });
    // The next step's code is still good after the current one was used.
    expect(await verifyTotp(SECRET, await codeAt(STEP + 1), STEP, NOW)).toEqual({ ok: true, step: STEP + 1 });
    // A wrong code with a lastStep is invalid, not replayed.
    expect(await verifyTotp(SECRET, await codeAt(STEP + 5), STEP, NOW)).toEqual({
      ok: false,
      reason: 'invalid',
    });
  });

  it('copes with a lastStep ahead of the clock (the clock went back) without throwing', async () => {
    expect(await verifyTotp(SECRET, await codeAt(STEP), STEP + 10, NOW)).toEqual({
      ok: false,
      reason: 'replayed',
    });
    expect(await verifyTotp(SECRET, await codeAt(STEP), STEP + 1, NOW)).toEqual({
      ok: false,
      reason: 'replayed',
    });
  });

  it('ignores spaces in what the user typed', async () => {
    const code = await codeAt(STEP);
    expect(await verifyTotp(SECRET, ` ${code.slice(0, 3)} ${code.slice(3)} `, null, NOW)).toMatchObject({
      ok: true,
    });
  });

  it('answers invalid, never throws, for anything typed (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 12 }),
        fc.option(fc.integer(), { nil: null }),
        async (code, last) => {
          const result = await verifyTotp(SECRET, code, last, NOW);
          if (!result.ok) expect(['invalid', 'replayed']).toContain(result.reason);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('backup codes', () => {
  const CODE = /^[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}$/;

  it('makes 8 distinct xxxx-xxxx codes with a differently salted scrypt hash each', () => {
    const { codes, hashes } = generateBackupCodes();
    expect(codes).toHaveLength(8);
    expect(hashes).toHaveLength(8);
    for (const code of codes) expect(code).toMatch(CODE);
    expect(new Set(codes).size).toBe(8);
    const salts = hashes.map((h) => h.split('$')[4]);
    expect(new Set(salts).size).toBe(8);
    for (const [i, hash] of hashes.entries()) {
      expect(hash).toMatch(/^scrypt\$4096\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
      expect(hash).not.toContain(codes[i]!.replace('-', ''));
    }
    expect(generateBackupCodes(3).codes).toHaveLength(3);
  });

  it('is single-use: a code removes its own hash and then no longer matches', () => {
    const { codes, hashes } = generateBackupCodes(4);
    const remaining = consumeBackupCode(codes[2]!, hashes);
    expect(remaining).toEqual([hashes[0], hashes[1], hashes[3]]);
    expect(consumeBackupCode(codes[2]!, remaining!)).toBeNull();
    expect(consumeBackupCode(codes[0]!, remaining!)).toEqual([hashes[1], hashes[3]]);
  });

  it('ignores case, dashes and spaces, and reads o as 0 and i or l as 1', () => {
    const { codes, hashes } = generateBackupCodes(1);
    const code = codes[0]!;
    expect(consumeBackupCode(` ${code.toUpperCase().replace('-', ' - ')} `, hashes)).toEqual([]);
    expect(consumeBackupCode(code.replace('-', ''), hashes)).toEqual([]);
    // Draw until a code holds a 0 or a 1 (about one in five does), then type it with look-alikes.
    let drawn = generateBackupCodes(1);
    while (!/[01]/.test(drawn.codes[0]!)) drawn = generateBackupCodes(1);
    const typed = drawn.codes[0]!.replace(/0/g, 'O').replace(/1/g, () => (Math.random() < 0.5 ? 'I' : 'l'));
    expect(consumeBackupCode(typed, drawn.hashes)).toEqual([]);
  });

  it('refuses wrong, malformed and unknown-format input with null, never throwing', () => {
    const { codes, hashes } = generateBackupCodes(2);
    const other = generateBackupCodes(1).codes[0]!;
    expect(consumeBackupCode(other, hashes)).toBeNull();
    expect(consumeBackupCode('', hashes)).toBeNull();
    expect(consumeBackupCode('abcd-efgu', hashes)).toBeNull(); // u is not in the alphabet
    expect(consumeBackupCode(codes[0]!, [])).toBeNull();
    expect(consumeBackupCode(codes[0]!, ['bcrypt$x', 'scrypt$0$0$0$AA$AA', 'scrypt$4096$8$1$$'])).toBeNull();
    // A damaged entry does not stop a good one from matching, and stays in the list.
    expect(consumeBackupCode(codes[1]!, ['junk', ...hashes])).toEqual(['junk', hashes[0]]);
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), (code) => {
        expect(consumeBackupCode(code, hashes.slice(0, 1))).toBeNull();
      }),
      { numRuns: 100 },
    );
  });
});
