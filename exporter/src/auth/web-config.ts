import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import bcrypt from 'bcryptjs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../config.js';

/**
 * A Prometheus exporter-toolkit web config file (`--web.config.file`), so Prometheus users configure
 * proxmon's TLS and /metrics basic auth the way they already do. Unsupported keys and values are
 * rejected by name: a TLS option that is silently ignored is a security bug.
 */

type TlsVersion = 'TLSv1.2' | 'TLSv1.3';

/** tls_server_config, already translated into Node's terms. */
export interface WebTlsConfig {
  certFile: string;
  keyFile: string;
  minVersion: TlsVersion;
  maxVersion: TlsVersion;
  /** Set when client_auth_type is RequireAndVerifyClientCert: clients must present a cert signed by it. */
  clientCaFile?: string;
  /** OpenSSL cipher list for TLS 1.2 (TLS 1.3 suites keep their defaults, as in Go). */
  ciphers?: string;
  honorCipherOrder: boolean;
  /** OpenSSL curve list, e.g. `X25519:P-256`. */
  ecdhCurve?: string;
}

export interface WebConfig {
  tls?: WebTlsConfig;
  /** http_server_config.headers: extra response headers (see securityHeaders' extraHeaders). */
  headers: Record<string, string>;
  /** http_server_config.http2, kept for the record; proxmon serves HTTP/1.1 only. */
  http2: boolean;
  /** User name → bcrypt hash. Empty means basic auth is not configured. */
  basicAuthUsers: Record<string, string>;
}

const TLS_VERSIONS: Record<string, TlsVersion> = { TLS12: 'TLSv1.2', TLS13: 'TLSv1.3' };

/** Go's secure TLS ≤1.2 suites (crypto/tls CipherSuites()) by their OpenSSL names. */
const CIPHER_SUITES: Record<string, string> = {
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'ECDHE-RSA-AES128-GCM-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 'ECDHE-RSA-AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: 'ECDHE-ECDSA-AES128-SHA',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: 'ECDHE-RSA-AES128-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: 'ECDHE-ECDSA-AES256-SHA',
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: 'ECDHE-RSA-AES256-SHA',
};

const CURVES: Record<string, string> = {
  CurveP256: 'P-256',
  CurveP384: 'P-384',
  CurveP521: 'P-521',
  X25519: 'X25519',
};

/** Values exporter-toolkit accepts for each header, where it restricts them. */
const HEADERS: Record<string, RegExp | undefined> = {
  'Content-Security-Policy': undefined,
  'X-Frame-Options': /^(deny|sameorigin)$/i,
  'X-Content-Type-Options': /^nosniff$/i,
  'X-XSS-Protection': undefined,
  'Strict-Transport-Security': undefined,
};

/** What Node's setHeader refuses; caught here so it cannot fail every request later. */
const INVALID_HEADER_CHAR = /[^\t\x20-\x7e\x80-\xff]/;

const oneOf = (table: Record<string, unknown>, what: string, extra = '') =>
  z.string().refine((v) => Object.hasOwn(table, v), {
    error: (i) =>
      `${what} ${JSON.stringify(i.input)} is not supported${extra}; use one of ${Object.keys(table).join(', ')}`,
  });

const tlsVersion = oneOf(TLS_VERSIONS, 'TLS version', ' (TLS 1.0 and 1.1 are deprecated, RFC 8996)');

const tlsServerConfig = z
  .strictObject({
    cert_file: z.string().min(1, 'cert_file is required'),
    key_file: z.string().min(1, 'key_file is required'),
    client_auth_type: z
      .string()
      .refine((v) => v === 'NoClientCert' || v === 'RequireAndVerifyClientCert', {
        error: (i) =>
          `client_auth_type ${JSON.stringify(i.input)} is not supported; use NoClientCert or ` +
          'RequireAndVerifyClientCert (the other policies accept unverified or missing client certificates)',
      })
      .default('NoClientCert'),
    client_ca_file: z.string().min(1).optional(),
    min_version: tlsVersion.default('TLS12'),
    max_version: tlsVersion.default('TLS13'),
    cipher_suites: z
      .array(oneOf(CIPHER_SUITES, 'cipher suite', ' (TLS 1.3 suites are not configurable, as in Go)'))
      .min(1)
      .optional(),
    prefer_server_cipher_suites: z.boolean().default(true),
    curve_preferences: z.array(oneOf(CURVES, 'curve')).min(1).optional(),
  })
  .superRefine((t, ctx) => {
    const verify = t.client_auth_type === 'RequireAndVerifyClientCert';
    if (verify && !t.client_ca_file)
      ctx.addIssue({ code: 'custom', message: 'RequireAndVerifyClientCert needs client_ca_file' });
    if (!verify && t.client_ca_file)
      ctx.addIssue({
        code: 'custom',
        message: 'client_ca_file is set but client_auth_type is not RequireAndVerifyClientCert',
      });
    if (t.min_version === 'TLS13' && t.max_version === 'TLS12')
      ctx.addIssue({ code: 'custom', message: 'min_version is above max_version' });
  });

const httpServerConfig = z.strictObject({
  http2: z.boolean().default(true),
  headers: z
    .record(z.string(), z.string())
    .superRefine((h, ctx) => {
      for (const [name, value] of Object.entries(h)) {
        if (!Object.hasOwn(HEADERS, name)) {
          ctx.addIssue({
            code: 'custom',
            path: [name],
            message: `header ${name} is not supported; use one of ${Object.keys(HEADERS).join(', ')}`,
          });
        } else if (
          INVALID_HEADER_CHAR.test(value) ||
          (value !== '' && HEADERS[name] && !HEADERS[name].test(value))
        ) {
          ctx.addIssue({ code: 'custom', path: [name], message: `invalid value ${JSON.stringify(value)}` });
        }
      }
    })
    .default({}),
});

/** bcrypt's modular crypt format ($2a$, $2b$ or $2y$ as htpasswd writes it), cost 4-31. */
const BCRYPT = /^\$2[aby]\$(0[4-9]|[12]\d|3[01])\$[./A-Za-z0-9]{53}$/;

const webConfigSchema = z.strictObject({
  tls_server_config: tlsServerConfig.nullish(),
  http_server_config: httpServerConfig.nullish(),
  basic_auth_users: z
    .record(
      z.string(),
      z.string().regex(BCRYPT, 'not a bcrypt hash (expected $2y$<cost>$..., e.g. from htpasswd -nBC 10)'),
    )
    .superRefine((users, ctx) => {
      for (const name of Object.keys(users)) {
        if (name === '' || name.includes(':'))
          ctx.addIssue({
            code: 'custom',
            path: [name],
            message: 'a user name must be non-empty, without ":"',
          });
      }
    })
    .nullish(),
});

type RawWebConfig = z.infer<typeof webConfigSchema>;

/** Reads and validates a web config file; relative paths in it are relative to the file, as in exporter-toolkit. */
export function loadWebConfig(file: string): WebConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read web config file ${file}: ${(err as Error).message}`);
  }
  return parseWebConfig(text, file);
}

/** Parses web config text; `file` names it in errors and anchors relative paths. */
export function parseWebConfig(text: string, file: string): WebConfig {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new ConfigError(
      `web config file ${file} is not valid YAML: ${(err as Error).message.split('\n')[0]}`,
    );
  }
  const result = webConfigSchema.safeParse(doc ?? {});
  if (!result.success) {
    const [first] = result.error.issues;
    const where = first?.path.length ? `${first.path.join('.')}: ` : '';
    const message =
      first?.code === 'unrecognized_keys'
        ? `unsupported key(s) ${first.keys.join(', ')}; proxmon supports ${supportedKeys(first.path).join(', ')}`
        : (first?.message ?? 'invalid');
    const more = result.error.issues.length > 1 ? ` (and ${result.error.issues.length - 1} more)` : '';
    throw new ConfigError(`invalid web config (${file}): ${where}${message}${more}`);
  }
  return normalise(result.data, dirname(file));
}

function supportedKeys(path: readonly PropertyKey[]): string[] {
  const section = path[0];
  if (section === 'tls_server_config') return Object.keys(tlsServerConfig.shape);
  if (section === 'http_server_config') return Object.keys(httpServerConfig.shape);
  return Object.keys(webConfigSchema.shape);
}

function normalise(raw: RawWebConfig, baseDir: string): WebConfig {
  const t = raw.tls_server_config;
  const tls: WebTlsConfig | undefined = t
    ? {
        certFile: resolve(baseDir, t.cert_file),
        keyFile: resolve(baseDir, t.key_file),
        minVersion: TLS_VERSIONS[t.min_version]!,
        maxVersion: TLS_VERSIONS[t.max_version]!,
        ...(t.client_ca_file && { clientCaFile: resolve(baseDir, t.client_ca_file) }),
        ...(t.cipher_suites && { ciphers: t.cipher_suites.map((c) => CIPHER_SUITES[c]!).join(':') }),
        honorCipherOrder: t.prefer_server_cipher_suites,
        ...(t.curve_preferences && { ecdhCurve: t.curve_preferences.map((c) => CURVES[c]!).join(':') }),
      }
    : undefined;
  // Blank values mean "unset" in exporter-toolkit.
  const headers = Object.fromEntries(
    Object.entries(raw.http_server_config?.headers ?? {}).filter(([, v]) => v !== ''),
  );
  return {
    ...(tls && { tls }),
    headers,
    http2: raw.http_server_config?.http2 ?? true,
    basicAuthUsers: { ...raw.basic_auth_users },
  };
}

export interface BasicAuthChecker {
  /** True when the Authorization header carries a configured user and the right password. */
  check(authorizationHeader?: string): Promise<boolean>;
}

export interface BasicAuthOptions {
  now?: () => number;
  /** How long a successful login skips bcrypt; exporter-toolkit's cache is similar. */
  cacheTtlMs?: number;
}

/** bcrypt reads at most 72 bytes; longer passwords would match on their prefix alone, so they are refused. */
const MAX_PASSWORD_BYTES = 72;
const MAX_HEADER_LENGTH = 4096;

/**
 * Checks HTTP basic auth against bcrypt hashes. bcrypt is slow on purpose (cost 10 takes ~70 ms in Go and
 * ~250 ms of CPU in bcryptjs), and Prometheus sends the same credentials on every scrape, so a verified
 * (user, password) is remembered for a minute as a keyed SHA-256 digest, and later scrapes compare digests
 * in constant time instead. Unknown users are compared against a dummy hash of the highest configured
 * cost, so the time taken does not reveal which user names exist. Failures are never cached.
 */
export function createBasicAuthChecker(
  users: Readonly<Record<string, string>>,
  { now = Date.now, cacheTtlMs = 60_000 }: BasicAuthOptions = {},
): BasicAuthChecker {
  const hashes = new Map(Object.entries(users));
  const costs = [...hashes.values()].map((h) => bcrypt.getRounds(h));
  const cost = costs.length ? Math.max(...costs) : 10;
  // Made up front: generating it on the first unknown user would make that request stand out.
  const dummyHash = bcrypt.hash(randomBytes(16).toString('hex'), cost);
  // Per-process key: the cache never holds a plain, offline-crackable SHA-256 of a password.
  const cacheKey = randomBytes(32);
  const digest = (user: string, password: string) =>
    createHmac('sha256', cacheKey).update(user).update('\0').update(password).digest();
  const verified = new Map<string, { digest: Buffer; expires: number }>();

  return {
    async check(header) {
      const creds = parseBasic(header);
      if (!creds) return false;
      const { user, password } = creds;
      const hash = hashes.get(user);
      const d = digest(user, password);
      const cached = hash === undefined ? undefined : verified.get(user);
      if (cached && cached.expires > now() && timingSafeEqual(cached.digest, d)) return true;

      const match = await bcrypt.compare(password, hash ?? (await dummyHash));
      if (hash === undefined || !match) return false;
      verified.set(user, { digest: d, expires: now() + cacheTtlMs });
      return true;
    },
  };
}

function parseBasic(header: string | undefined): { user: string; password: string } | undefined {
  if (!header || header.length > MAX_HEADER_LENGTH) return undefined;
  const m = /^basic[ \t]+([A-Za-z0-9+/]+={0,2})[ \t]*$/i.exec(header);
  if (!m?.[1]) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 1) return undefined;
  const password = decoded.slice(colon + 1);
  if (Buffer.byteLength(password) > MAX_PASSWORD_BYTES) return undefined;
  return { user: decoded.slice(0, colon), password };
}
