import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { WebConfig } from '../auth/web-config.js';
import { ConfigError, type Config } from '../config.js';
import { createHttpServer, PVE_CERTIFICATES, resolveTlsFiles, type HttpServerHandle } from './tls.js';

interface TestCert {
  cert: string;
  key: string;
  /** As `openssl x509 -fingerprint -sha256` prints it, so the check does not trust our own code. */
  fingerprint: string;
}

/** A throwaway self-signed P-256 certificate, made by the openssl CLI. */
function makeCert(dir: string, name: string): TestCert {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'].concat([
      '-subj',
      `/CN=${name}`,
      '-days',
      '1',
      '-keyout',
      key,
      '-out',
      cert,
    ]),
    { stdio: 'ignore' },
  );
  const out = execFileSync('openssl', ['x509', '-in', cert, '-noout', '-fingerprint', '-sha256'], {
    encoding: 'utf8',
  });
  return { cert, key, fingerprint: out.trim().split('=')[1]! };
}

const tlsConfig = (over: Partial<Config['tls']> = {}): Config['tls'] => ({
  use_pve_certificate: false,
  ...over,
});
const webWithTls: WebConfig = {
  tls: {
    certFile: '/w/c.pem',
    keyFile: '/w/k.pem',
    minVersion: 'TLSv1.3',
    maxVersion: 'TLSv1.3',
    honorCipherOrder: true,
  },
  headers: {},
  http2: true,
  basicAuthUsers: {},
};
const webWithoutTls: WebConfig = { headers: {}, http2: true, basicAuthUsers: { p: 'x' } };

describe('resolveTlsFiles', () => {
  it('is plain HTTP when nothing is configured', () => {
    expect(resolveTlsFiles(tlsConfig())).toBeUndefined();
    expect(resolveTlsFiles(tlsConfig(), webWithoutTls)).toBeUndefined();
  });

  it('uses explicit files', () => {
    expect(resolveTlsFiles(tlsConfig({ cert_file: '/c', key_file: '/k' }), webWithoutTls)).toEqual({
      certFile: '/c',
      keyFile: '/k',
      minVersion: 'TLSv1.2',
    });
  });

  it("uses the node's certificate, preferring a custom one uploaded in the PVE GUI", () => {
    const pve = tlsConfig({ use_pve_certificate: true });
    expect(resolveTlsFiles(pve, undefined, () => false)).toEqual({
      certFile: '/etc/pve/local/pve-ssl.pem',
      keyFile: '/etc/pve/local/pve-ssl.key',
      minVersion: 'TLSv1.2',
    });
    const custom = new Set<string>([PVE_CERTIFICATES[0].certFile, PVE_CERTIFICATES[0].keyFile]);
    expect(resolveTlsFiles(pve, undefined, (p) => custom.has(p))).toMatchObject({
      certFile: '/etc/pve/local/pveproxy-ssl.pem',
      keyFile: '/etc/pve/local/pveproxy-ssl.key',
    });
    // Half a custom pair is not used.
    expect(resolveTlsFiles(pve, undefined, (p) => p === PVE_CERTIFICATES[0].certFile)).toMatchObject({
      certFile: '/etc/pve/local/pve-ssl.pem',
    });
  });

  it("uses the web config's tls_server_config", () => {
    expect(resolveTlsFiles(tlsConfig(), webWithTls)).toEqual(webWithTls.tls);
  });

  it.each([
    [tlsConfig({ cert_file: '/c' }), undefined, 'tls.cert_file and tls.key_file must be set together'],
    [tlsConfig({ key_file: '/k' }), undefined, 'tls.cert_file and tls.key_file must be set together'],
    [
      tlsConfig({ use_pve_certificate: true, cert_file: '/c', key_file: '/k' }),
      undefined,
      'TLS is configured twice (tls.use_pve_certificate and tls.cert_file/key_file); keep one',
    ],
    [
      tlsConfig({ cert_file: '/c', key_file: '/k' }),
      webWithTls,
      "TLS is configured twice (tls.cert_file/key_file and web_config_file's tls_server_config); keep one",
    ],
    [
      tlsConfig({ use_pve_certificate: true }),
      webWithTls,
      "TLS is configured twice (tls.use_pve_certificate and web_config_file's tls_server_config); keep one",
    ],
  ])('rejects conflicting settings (%#)', (config, web, message) => {
    expect(() => resolveTlsFiles(config, web)).toThrow(new ConfigError(message));
  });
});

const read = (file: string) => readFileSync(file, 'utf8');

// openssl is installed by scripts/install-test-deps.sh; a missing one fails here rather than skipping.
describe('createHttpServer', () => {
  let dir: string;
  let first: TestCert;
  let second: TestCert;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'proxmon-tls-'));
    first = makeCert(dir, 'first');
    second = makeCert(dir, 'second');
  });

  let handle: HttpServerHandle | undefined;
  afterEach(async () => {
    const server = handle?.server;
    handle = undefined;
    if (server?.listening) await new Promise((resolve) => server.close(resolve));
  });

  let served = 0;
  /** Serving copies, so a test can swap the files underneath the server. */
  function serve(cert: TestCert, extra: { clientCaFile?: string } = {}) {
    const live = {
      certFile: join(dir, `live-${++served}.crt`),
      keyFile: join(dir, `live-${served}.key`),
    };
    copyFileSync(cert.cert, live.certFile);
    copyFileSync(cert.key, live.keyFile);
    handle = createHttpServer((_req, res) => res.end('hello'), { ...live, ...extra });
    return { handle, live };
  }

  async function listen(server: Server): Promise<number> {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  }

  /** One fresh connection (no agent, so no reuse across reloads); resolves the body and the peer's fingerprint. */
  function get(port: number, client: { cert?: string; key?: string } = {}) {
    return new Promise<{ body: string; fingerprint: string; protocol: string | null }>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, path: '/', rejectUnauthorized: false, agent: false, ...client },
        (res) => {
          const socket = res.socket as TLSSocket;
          const fingerprint = socket.getPeerCertificate().fingerprint256;
          const protocol = socket.getProtocol();
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ body, fingerprint, protocol }));
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  it('serves HTTPS with the configured certificate', async () => {
    const { handle } = serve(first);
    const port = await listen(handle.server);
    const r = await get(port);
    expect(r).toEqual({ body: 'hello', fingerprint: first.fingerprint, protocol: 'TLSv1.3' });
    expect(handle.certificate()).toMatchObject({
      subject: 'CN=first',
      issuer: 'CN=first',
      fingerprint256: first.fingerprint,
    });
    const validTo = handle.certificate()!.validTo.getTime();
    expect(validTo - Date.now()).toBeGreaterThan(23 * 3600_000);
    expect(validTo - Date.now()).toBeLessThan(25 * 3600_000);
  });

  it('reload() picks up a replaced certificate for new connections', async () => {
    const { handle, live } = serve(first);
    const port = await listen(handle.server);
    expect((await get(port)).fingerprint).toBe(first.fingerprint);

    copyFileSync(second.cert, live.certFile);
    copyFileSync(second.key, live.keyFile);
    expect((await get(port)).fingerprint).toBe(first.fingerprint);
    const result = handle.reload();
    expect(result).toMatchObject({ ok: true, certificate: { subject: 'CN=second' } });
    expect((await get(port)).fingerprint).toBe(second.fingerprint);
    expect(handle.certificate()?.fingerprint256).toBe(second.fingerprint);
  });

  it.each([
    [
      'a garbage certificate',
      (live: { certFile: string }) => writeFileSync(live.certFile, 'not a certificate\n'),
    ],
    ['an empty certificate', (live: { certFile: string }) => writeFileSync(live.certFile, '')],
    ['a missing key', (live: { keyFile: string }) => writeFileSync(live.keyFile, '')],
    ['a key from another certificate', (live: { keyFile: string }) => copyFileSync(second.key, live.keyFile)],
  ])('reload() keeps the old certificate after %s and says why', async (_what, breakIt) => {
    const { handle, live } = serve(first);
    const port = await listen(handle.server);
    breakIt(live);
    const result = handle.reload();
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toMatch(
      /^kept the current certificate: invalid TLS certificate or key \(/,
    );
    expect((await get(port)).fingerprint).toBe(first.fingerprint);
    expect(handle.certificate()?.fingerprint256).toBe(first.fingerprint);
  });

  it('an unreadable or invalid certificate at start is a ConfigError', () => {
    const missing = join(dir, 'missing.crt');
    expect(() => createHttpServer(() => undefined, { certFile: missing, keyFile: first.key })).toThrow(
      new ConfigError(
        `cannot read TLS certificate file ${missing}: ENOENT: no such file or directory, open '${missing}'`,
      ),
    );
    expect(() => createHttpServer(() => undefined, { certFile: first.cert, keyFile: second.key })).toThrow(
      /^invalid TLS certificate or key \(.*first\.crt, .*second\.key\): .*key values mismatch/,
    );
    expect(() => createHttpServer(() => undefined, { certFile: first.key, keyFile: first.key })).toThrow(
      ConfigError,
    );
  });

  it('with a client CA, only clients holding a certificate it verifies get through (mutual TLS)', async () => {
    const { handle } = serve(first, { clientCaFile: second.cert });
    const port = await listen(handle.server);
    expect(await get(port, { cert: read(second.cert), key: read(second.key) })).toMatchObject({
      body: 'hello',
    });
    await expect(get(port)).rejects.toThrow();
    await expect(get(port, { cert: read(first.cert), key: read(first.key) })).rejects.toThrow();
  });

  it('honours TLS version limits', async () => {
    const live = { certFile: first.cert, keyFile: first.key };
    handle = createHttpServer((_req, res) => res.end('hello'), { ...live, maxVersion: 'TLSv1.2' });
    const port = await listen(handle.server);
    expect((await get(port)).protocol).toBe('TLSv1.2');
  });

  it('is plain HTTP without TLS options, and reload() is a no-op', () => {
    handle = createHttpServer(() => undefined);
    expect(handle.server.constructor.name).toBe('Server');
    expect('setSecureContext' in handle.server).toBe(false);
    expect(handle.certificate()).toBeUndefined();
    expect(handle.reload()).toEqual({ ok: true, certificate: undefined });
  });
});
