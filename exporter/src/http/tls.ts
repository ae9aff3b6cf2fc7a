import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import type { WebConfig } from '../auth/web-config.js';
import { ConfigError, type Config } from '../config.js';

/** What the HTTPS server needs; files are re-read on reload(). */
export interface TlsServerOptions {
  certFile: string;
  keyFile: string;
  minVersion?: tls.SecureVersion;
  maxVersion?: tls.SecureVersion;
  /** When set, clients must present a certificate that this CA bundle verifies (mutual TLS). */
  clientCaFile?: string;
  /** OpenSSL cipher list; applies to TLS 1.2, TLS 1.3 keeps its defaults. */
  ciphers?: string;
  honorCipherOrder?: boolean;
  ecdhCurve?: string;
}

/** The node's own certificate: pveproxy-ssl.* is a custom or ACME one uploaded in the GUI, else pve-ssl.*. */
export const PVE_CERTIFICATES = [
  { certFile: '/etc/pve/local/pveproxy-ssl.pem', keyFile: '/etc/pve/local/pveproxy-ssl.key' },
  { certFile: '/etc/pve/local/pve-ssl.pem', keyFile: '/etc/pve/local/pve-ssl.key' },
] as const;

/**
 * Decides where the certificate comes from: `tls.use_pve_certificate`, `tls.cert_file`/`key_file`, or
 * the web config's tls_server_config. Exactly one may be used; undefined means plain HTTP.
 */
export function resolveTlsFiles(
  config: Config['tls'],
  web?: WebConfig,
  exists: (path: string) => boolean = existsSync,
): TlsServerOptions | undefined {
  const explicit = config.cert_file !== undefined || config.key_file !== undefined;
  const sources = [
    config.use_pve_certificate && 'tls.use_pve_certificate',
    explicit && 'tls.cert_file/key_file',
    web?.tls && "web_config_file's tls_server_config",
  ].filter((s): s is string => typeof s === 'string');
  if (sources.length > 1)
    throw new ConfigError(`TLS is configured twice (${sources.join(' and ')}); keep one`);

  if (config.use_pve_certificate) {
    const own = PVE_CERTIFICATES.find((c) => exists(c.certFile) && exists(c.keyFile)) ?? PVE_CERTIFICATES[1];
    return { ...own, minVersion: 'TLSv1.2' };
  }
  if (explicit) {
    if (!config.cert_file || !config.key_file)
      throw new ConfigError('tls.cert_file and tls.key_file must be set together');
    return { certFile: config.cert_file, keyFile: config.key_file, minVersion: 'TLSv1.2' };
  }
  return web?.tls && { ...web.tls };
}

export interface CertificateSummary {
  subject: string;
  issuer: string;
  /** Colon-separated SHA-256, as `openssl x509 -fingerprint -sha256` and getPeerCertificate() print it. */
  fingerprint256: string;
  validFrom: Date;
  validTo: Date;
}

export type ReloadResult =
  { ok: true; certificate: CertificateSummary | undefined } | { ok: false; message: string };

export interface HttpServerHandle {
  /** An https.Server when TLS is on (WebSocket upgrades on it are WSS); not yet listening. */
  server: http.Server;
  /** The certificate being served; undefined for plain HTTP. */
  certificate(): CertificateSummary | undefined;
  /**
   * Re-reads the certificate, key and client CA files (for SIGHUP). A file that cannot be read or does
   * not form a valid pair leaves the current certificate in place and is reported. Plain HTTP: a no-op.
   */
  reload(): ReloadResult;
}

/** Creates the HTTP or HTTPS server. An unreadable or invalid certificate or key is a ConfigError. */
export function createHttpServer(
  handler: http.RequestListener,
  tlsOptions?: TlsServerOptions,
): HttpServerHandle {
  if (!tlsOptions) {
    return {
      server: http.createServer(handler),
      certificate: () => undefined,
      reload: () => ({ ok: true, certificate: undefined }),
    };
  }
  let current = buildSecureContext(tlsOptions);
  const mutual = tlsOptions.clientCaFile !== undefined;
  const server = https.createServer(
    { ...current.options, requestCert: mutual, rejectUnauthorized: mutual },
    handler,
  );
  return {
    server,
    certificate: () => current.certificate,
    reload() {
      try {
        const next = buildSecureContext(tlsOptions);
        server.setSecureContext(next.options);
        current = next;
        return { ok: true, certificate: current.certificate };
      } catch (err) {
        return { ok: false, message: `kept the current certificate: ${(err as Error).message}` };
      }
    },
  };
}

interface LoadedContext {
  options: tls.SecureContextOptions;
  certificate: CertificateSummary;
}

function buildSecureContext(o: TlsServerOptions): LoadedContext {
  const cert = readPem(o.certFile, 'certificate');
  const key = readPem(o.keyFile, 'key');
  const ca = o.clientCaFile === undefined ? undefined : readPem(o.clientCaFile, 'client CA');
  const options: tls.SecureContextOptions = {
    cert,
    key,
    ...(ca && { ca }),
    minVersion: o.minVersion ?? 'TLSv1.2',
    ...(o.maxVersion && { maxVersion: o.maxVersion }),
    ...(o.ciphers && { ciphers: o.ciphers }),
    ...(o.honorCipherOrder !== undefined && { honorCipherOrder: o.honorCipherOrder }),
    ...(o.ecdhCurve && { ecdhCurve: o.ecdhCurve }),
  };
  let x509: X509Certificate;
  try {
    // Builds the context once to validate: PEM syntax, key type, and that the key matches the cert.
    tls.createSecureContext(options);
    x509 = new X509Certificate(cert);
  } catch (err) {
    throw new ConfigError(
      `invalid TLS certificate or key (${o.certFile}, ${o.keyFile}${ca ? `, ${o.clientCaFile}` : ''}): ${(err as Error).message}`,
    );
  }
  return {
    options,
    certificate: {
      subject: x509.subject.replaceAll('\n', ', '),
      issuer: x509.issuer.replaceAll('\n', ', '),
      fingerprint256: x509.fingerprint256,
      validFrom: new Date(x509.validFrom),
      validTo: new Date(x509.validTo),
    },
  };
}

function readPem(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new ConfigError(`cannot read TLS ${what} file ${file}: ${(err as Error).message}`);
  }
}
