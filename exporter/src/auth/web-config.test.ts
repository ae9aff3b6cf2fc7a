import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';
import bcrypt from 'bcryptjs';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../config.js';
import { createBasicAuthChecker, loadWebConfig, parseWebConfig } from './web-config.js';

// Counts bcrypt comparisons, so the tests can tell a cache hit from a real check.
vi.mock('bcryptjs', async (importOriginal) => {
  const real = (await importOriginal<{ default: typeof import('bcryptjs') }>()).default;
  return { default: { ...real, compare: vi.fn((p: string, h: string) => real.compare(p, h)) } };
});
const compare = vi.mocked(bcrypt.compare) as unknown as ReturnType<typeof vi.fn>;

const parse = (yaml: string) => parseWebConfig(yaml, '/etc/proxmon/web.yml');
const errorOf = (yaml: string) => {
  try {
    parse(yaml);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
};

const HASH = '$2y$10$X0h1gDsPszWURQaxFh.zoubFi6DXncSjhoQNJgRrnGs7EsimhC7zG';

describe('parseWebConfig', () => {
  it('translates a full exporter-toolkit file into Node terms, paths relative to the file', () => {
    const web = parse(`
tls_server_config:
  cert_file: tls/server.crt
  key_file: /abs/server.key
  client_auth_type: RequireAndVerifyClientCert
  client_ca_file: ca.pem
  min_version: TLS13
  max_version: TLS13
  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256]
  prefer_server_cipher_suites: false
  curve_preferences: [X25519, CurveP256]
http_server_config:
  http2: false
  headers:
    Strict-Transport-Security: max-age=31536000
    X-Frame-Options: sameorigin
    Content-Security-Policy: ""
basic_auth_users:
  prometheus: ${HASH}
`);
    expect(web).toEqual({
      tls: {
        certFile: '/etc/proxmon/tls/server.crt',
        keyFile: '/abs/server.key',
        clientCaFile: '/etc/proxmon/ca.pem',
        minVersion: 'TLSv1.3',
        maxVersion: 'TLSv1.3',
        ciphers: 'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305',
        honorCipherOrder: false,
        ecdhCurve: 'X25519:P-256',
      },
      headers: { 'Strict-Transport-Security': 'max-age=31536000', 'X-Frame-Options': 'sameorigin' },
      http2: false,
      basicAuthUsers: { prometheus: HASH },
    });
  });

  it('applies exporter-toolkit defaults', () => {
    expect(parse('tls_server_config: {cert_file: c.pem, key_file: k.pem}').tls).toEqual({
      certFile: '/etc/proxmon/c.pem',
      keyFile: '/etc/proxmon/k.pem',
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.3',
      honorCipherOrder: true,
    });
  });

  it('treats an empty file or empty sections as nothing configured', () => {
    const none = { headers: {}, http2: true, basicAuthUsers: {} };
    expect(parse('')).toEqual(none);
    expect(parse('tls_server_config:\nbasic_auth_users:\n')).toEqual(none);
  });

  it('produces cipher and curve lists that OpenSSL accepts', () => {
    const web = parse(`
tls_server_config:
  cert_file: c
  key_file: k
  cipher_suites: [${[
    'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
    'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
    'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
    'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
    'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
    'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
    'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA',
    'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA',
    'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA',
    'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA',
  ].join(', ')}]
  curve_preferences: [CurveP256, CurveP384, CurveP521, X25519]
`);
    // OpenSSL silently drops unknown names from a list, so check each one on its own.
    for (const cipher of web.tls!.ciphers!.split(':'))
      expect(() => createSecureContext({ ciphers: cipher })).not.toThrow();
    expect(() => createSecureContext({ ecdhCurve: web.tls!.ecdhCurve! })).not.toThrow();
  });

  it.each([
    [
      'rate_limit:\n  interval: 1s',
      'unsupported key(s) rate_limit; proxmon supports tls_server_config, http_server_config, basic_auth_users',
    ],
    [
      'tls_server_config: {cert_file: c, key_file: k, client_allowed_sans: [a], cert: x}',
      'tls_server_config: unsupported key(s) client_allowed_sans, cert; proxmon supports cert_file, key_file, client_auth_type',
    ],
    [
      'http_server_config: {h2: true}',
      'http_server_config: unsupported key(s) h2; proxmon supports http2, headers',
    ],
    ['tls_server_config: {cert_file: c}', 'tls_server_config.key_file:'],
    [
      'tls_server_config: {cert_file: c, key_file: k, min_version: TLS10}',
      'TLS version "TLS10" is not supported (TLS 1.0 and 1.1 are deprecated',
    ],
    [
      'tls_server_config: {cert_file: c, key_file: k, min_version: TLS13, max_version: TLS12}',
      'min_version is above max_version',
    ],
    [
      'tls_server_config: {cert_file: c, key_file: k, client_auth_type: VerifyClientCertIfGiven}',
      'client_auth_type "VerifyClientCertIfGiven" is not supported',
    ],
    [
      'tls_server_config: {cert_file: c, key_file: k, client_auth_type: RequireAndVerifyClientCert}',
      'RequireAndVerifyClientCert needs client_ca_file',
    ],
    [
      'tls_server_config: {cert_file: c, key_file: k, client_ca_file: ca}',
      'client_ca_file is set but client_auth_type is not',
    ],
    [
      'tls_server_config: {cert_file: c, key_file: k, cipher_suites: [TLS_RSA_WITH_RC4_128_SHA]}',
      'cipher suite "TLS_RSA_WITH_RC4_128_SHA" is not supported',
    ],
    [
      'tls_server_config: {cert_file: c, key_file: k, cipher_suites: [TLS_AES_128_GCM_SHA256]}',
      'TLS 1.3 suites are not configurable',
    ],
    [
      'tls_server_config: {cert_file: c, key_file: k, curve_preferences: [X25519MLKEM768]}',
      'curve "X25519MLKEM768" is not supported',
    ],
    ['http_server_config: {headers: {X-Powered-By: me}}', 'header X-Powered-By is not supported'],
    [
      'http_server_config: {headers: {X-Frame-Options: allow-from x}}',
      'http_server_config.headers.X-Frame-Options: invalid value',
    ],
    [
      'http_server_config: {headers: {Content-Security-Policy: "a\\nb"}}',
      'headers.Content-Security-Policy: invalid value',
    ],
    ['basic_auth_users: {prometheus: secret}', 'basic_auth_users.prometheus: not a bcrypt hash'],
    [`basic_auth_users: {"a:b": "${HASH}"}`, 'a user name must be non-empty, without ":"'],
    ['tls_server_config: [1]', 'tls_server_config:'],
    ['key: [unclosed', 'is not valid YAML'],
  ])('rejects %j with one clear line', (yaml, message) => {
    const error = errorOf(yaml);
    expect(error).toContain(message);
    expect(error).toMatch(/^invalid web config \(\/etc\/proxmon\/web\.yml\): |is not valid YAML/);
    expect(error).not.toContain('\n');
  });

  it('loadWebConfig names an unreadable file', () => {
    expect(() => loadWebConfig('/nonexistent/web.yml')).toThrow(
      new ConfigError(
        'cannot read web config file /nonexistent/web.yml: ' +
          "ENOENT: no such file or directory, open '/nonexistent/web.yml'",
      ),
    );
  });

  it('loadWebConfig reads a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'proxmon-web-'));
    writeFileSync(join(dir, 'web.yml'), `basic_auth_users:\n  prom: "${HASH}"\n`);
    expect(loadWebConfig(join(dir, 'web.yml')).basicAuthUsers).toEqual({ prom: HASH });
  });
});

describe('createBasicAuthChecker', () => {
  const basic = (userPass: string) => `Basic ${Buffer.from(userPass).toString('base64')}`;
  // Cost 4 keeps the tests fast; the htpasswd spelling ($2y$) must work too.
  const users = {
    alice: bcrypt.hashSync('correct horse', 4).replace(/^\$2b\$/, '$2y$'),
    bob: bcrypt.hashSync('ünïcode pass', 5),
  };
  let clock = 1_000_000;
  const now = () => clock;
  beforeEach(() => {
    compare.mockClear();
    clock = 1_000_000;
  });

  it('accepts configured users with the right password', async () => {
    const auth = createBasicAuthChecker(users, { now });
    expect(await auth.check(basic('alice:correct horse'))).toBe(true);
    expect(await auth.check(basic('bob:ünïcode pass'))).toBe(true);
    expect(await auth.check(`bAsIc  ${Buffer.from('alice:correct horse').toString('base64')}`)).toBe(true);
  });

  it('refuses wrong passwords, unknown users and malformed headers', async () => {
    const auth = createBasicAuthChecker(users, { now });
    for (const header of [
      basic('alice:wrong'),
      basic('alice:correct horsE'),
      basic('mallory:correct horse'),
      basic('alice'),
      basic(':correct horse'),
      basic('constructor:x'),
      basic('__proto__:x'),
      'Bearer abc',
      'Basic',
      'Basic !!!',
      '',
      undefined,
      `Basic ${'A'.repeat(5000)}`,
    ]) {
      expect(await auth.check(header), String(header)).toBe(false);
    }
  });

  it('refuses passwords longer than bcrypt reads, which would otherwise match on their prefix', async () => {
    const long = 'x'.repeat(72);
    const auth = createBasicAuthChecker({ carol: bcrypt.hashSync(long, 4) }, { now });
    expect(await auth.check(basic(`carol:${long}`))).toBe(true);
    expect(await auth.check(basic(`carol:${long}-and-more`))).toBe(false);
  });

  it('runs bcrypt for unknown users too, against a hash of the highest configured cost', async () => {
    const auth = createBasicAuthChecker(users, { now });
    expect(await auth.check(basic('mallory:whatever'))).toBe(false);
    expect(compare).toHaveBeenCalledTimes(1);
    const [, dummy] = compare.mock.calls[0] as [string, string];
    expect(Object.values(users)).not.toContain(dummy);
    expect(bcrypt.getRounds(dummy)).toBe(5);
  });

  it('caches a success for a minute, keyed by user and password; failures are never cached', async () => {
    const auth = createBasicAuthChecker(users, { now });
    expect(await auth.check(basic('alice:correct horse'))).toBe(true);
    expect(await auth.check(basic('alice:correct horse'))).toBe(true);
    clock += 59_000;
    expect(await auth.check(basic('alice:correct horse'))).toBe(true);
    expect(compare).toHaveBeenCalledTimes(1);

    expect(await auth.check(basic('alice:wrong'))).toBe(false);
    expect(await auth.check(basic('alice:wrong'))).toBe(false);
    expect(compare).toHaveBeenCalledTimes(3);

    clock += 2_000;
    expect(await auth.check(basic('alice:correct horse'))).toBe(true);
    expect(compare).toHaveBeenCalledTimes(4);
  });

  it('refuses everyone when no users are configured', async () => {
    const auth = createBasicAuthChecker({}, { now });
    expect(await auth.check(basic('alice:correct horse'))).toBe(false);
  });
});
