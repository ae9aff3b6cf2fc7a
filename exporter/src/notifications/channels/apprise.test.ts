import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createExec, type Exec } from '../../sources/exec.js';
import { fail, ok } from '../../sources/source.js';
import { APPRISE_TYPE, appriseBody, appriseChannel, appriseYaml } from './apprise.js';
import { USER_AGENT } from './http.js';
import { startAppriseApiStandin, type AppriseStandin } from './test-support/apprise-standin.js';
import { sampleMessage, sendOptions, testDeps } from './test-support/channel-test-kit.js';
import { parseBody, Script, startStandin, type Standin } from './test-support/standin-server.js';

const URL_A = 'tgram://123456:AAH-secret-bot-token/-1001111';
const URL_B = 'mailto://user:mail-password@example.org';

let servers: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function apiSetup(
  extra: Record<string, unknown>,
): Promise<{ standin: AppriseStandin; config: unknown }> {
  const standin = await startAppriseApiStandin({ keys: ['proxmon-ops'] });
  servers.push(standin);
  return { standin, config: { api_url: standin.url, ...extra } };
}

function channel(config: unknown, deps = testDeps()) {
  return appriseChannel.create(appriseChannel.config.parse(config), deps);
}

describe('apprise channel, Apprise API server', () => {
  it('sends stateless notifications with the URLs in the body', async () => {
    const { standin, config } = await apiSetup({ urls: `${URL_A}, ${URL_B}` });
    expect(await channel(config).send(sampleMessage(), sendOptions())).toEqual({ ok: true });

    const req = standin.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/notify/');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers.accept).toBe('application/json');
    expect(req.headers['user-agent']).toBe(USER_AGENT);
    expect(parseBody(req)).toEqual({
      urls: `${URL_A},${URL_B}`,
      title: 'Backup failed: VM 101 (web01)',
      body: appriseBody(sampleMessage()),
      type: 'failure',
      format: 'text',
    });
    expect(appriseBody(sampleMessage())).toBe(
      'vzdump of VM 101 failed after 2m 14s.\nReason: storage "backup-nfs" is not online\n\n' +
        'VM: 101 (web01)\nStorage: backup-nfs\n\nHost: pve1',
    );
  });

  it('sends to a stored configuration by key, with a tag, and no URLs', async () => {
    const { standin, config } = await apiSetup({ key: 'proxmon-ops', tag: 'devops' });
    expect(await channel(config).send(sampleMessage({ severity: 'OK' }), sendOptions())).toEqual({
      ok: true,
    });
    expect(standin.requests[0]?.url).toBe('/notify/proxmon-ops');
    expect(standin.notifications[0]).toEqual({
      key: 'proxmon-ops',
      payload: expect.objectContaining({ type: 'success', tag: 'devops' }),
    });
    expect(standin.notifications[0]?.payload).not.toHaveProperty('urls');
  });

  it('maps severities to Apprise notify types', () => {
    expect(APPRISE_TYPE).toEqual({ CRITICAL: 'failure', WARNING: 'warning', INFO: 'info', OK: 'success' });
  });

  it('fails for good when the key has no stored configuration (204)', async () => {
    const { config } = await apiSetup({ key: 'unknown-key' });
    expect(await channel(config).send(sampleMessage(), sendOptions())).toEqual({
      ok: false,
      retryable: false,
      error: 'Apprise API: no configuration is stored for this key',
    });
  });

  it('retries when an upstream service failed (424) or the server did (500)', async () => {
    const { standin, config } = await apiSetup({ key: 'proxmon-ops' });
    standin.script.push('failed-dependency', 'server-error');
    const ch = channel(config);
    expect(await ch.send(sampleMessage(), sendOptions())).toEqual({
      ok: false,
      retryable: true,
      error: 'Apprise API: HTTP 424: One or more notification could not be sent.',
    });
    expect(await ch.send(sampleMessage(), sendOptions())).toMatchObject({ ok: false, retryable: true });
    expect(await ch.send(sampleMessage(), sendOptions())).toEqual({ ok: true });
  });

  it('does not retry a rejected payload (400)', async () => {
    const deps = testDeps({
      fetch: () => Promise.resolve(new Response('An invalid payload was specified.', { status: 400 })),
    });
    const result = await channel({ api_url: 'http://127.0.0.1:9', urls: URL_A }, deps).send(
      sampleMessage(),
      sendOptions(),
    );
    expect(result).toEqual({
      ok: false,
      retryable: false,
      error: 'Apprise API: HTTP 400: An invalid payload was specified.',
    });
  });

  it('aborts a hung server at the deadline, as retryable', async () => {
    const { standin, config } = await apiSetup({ urls: URL_A });
    standin.script.push('hang');
    const started = Date.now();
    const result = await channel(config).send(sampleMessage(), sendOptions(200));
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(result).toMatchObject({ ok: false, retryable: true });
  });

  it('keeps the Apprise URLs and the key out of error texts', async () => {
    const deps = testDeps({
      fetch: (url, init) => Promise.reject(new Error(`failed: ${String(url)} ${String(init?.body)}`)),
    });
    const cases = [
      {
        config: { api_url: 'http://127.0.0.1:9', urls: `${URL_A} ${URL_B}` },
        secrets: [URL_A, URL_B, 'AAH-secret-bot-token', 'mail-password'],
      },
      { config: { api_url: 'http://127.0.0.1:9', key: 'proxmon-ops' }, secrets: ['proxmon-ops'] },
    ];
    for (const { config, secrets } of cases) {
      const result = await channel(config, deps).send(sampleMessage(), sendOptions());
      expect(result).toMatchObject({ ok: false, retryable: true });
      if (result.ok) continue;
      expect(result.error).toMatch(/^Apprise API: failed: /);
      for (const secret of secrets) expect(result.error).not.toContain(secret);
    }
  });
});

/** A local JSON endpoint for the CLI's json:// URLs: what Apprise's JSON plugin posts. */
async function jsonEndpoint(): Promise<Standin & { script: Script<'fail' | 'hang'> }> {
  const script = new Script<'fail' | 'hang'>();
  const standin = await startStandin(() => {
    const next = script.next();
    if (next === 'hang') return 'hang';
    return next === 'fail' ? { status: 500, body: 'boom' } : { status: 200, body: { ok: true } };
  });
  servers.push(standin);
  return Object.assign(standin, { script });
}

describe('apprise channel, the real apprise CLI', () => {
  beforeAll(() => {
    try {
      execFileSync('apprise', ['--version'], { stdio: 'ignore' });
    } catch {
      throw new Error('these tests run the real apprise CLI: install the Debian package "apprise"');
    }
  });

  const cliDeps = () => testDeps({ exec: createExec() });

  it('notifies every configured URL through the CLI', async () => {
    const endpoint = await jsonEndpoint();
    const port = new URL(endpoint.url).port;
    const ch = channel(
      { urls: `json://127.0.0.1:${port}/one-secret-path\njson://127.0.0.1:${port}/two` },
      cliDeps(),
    );
    const message = sampleMessage({ title: 'Backup failed — ünïcode ✓', severity: 'WARNING' });
    expect(await ch.send(message, sendOptions(20_000))).toEqual({ ok: true });

    expect(endpoint.requests.map((r) => r.url).sort()).toEqual(['/one-secret-path', '/two']);
    for (const req of endpoint.requests) {
      expect(parseBody(req)).toMatchObject({
        version: '1.0',
        title: 'Backup failed — ünïcode ✓',
        message: appriseBody(message),
        type: 'warning',
      });
    }
  });

  it('retries when a service fails (exit 1), without showing the URL', async () => {
    const endpoint = await jsonEndpoint();
    endpoint.script.push('fail');
    const url = `json://127.0.0.1:${new URL(endpoint.url).port}/hook-secret-7f3a`;
    const result = await channel({ urls: url }, cliDeps()).send(sampleMessage(), sendOptions(20_000));
    expect(result).toMatchObject({ ok: false, retryable: true });
    if (result.ok) return;
    expect(result.error).toMatch(/^Apprise CLI: exit 1/);
    expect(result.error).not.toContain('hook-secret-7f3a');
  });

  it('kills the CLI when the deadline passes while the service hangs, as retryable', async () => {
    const endpoint = await jsonEndpoint();
    endpoint.script.push('hang');
    const url = `json://127.0.0.1:${new URL(endpoint.url).port}/`;
    const deadline = new AbortController();
    // The deadline passes once the CLI is stuck inside the request (its start-up alone takes seconds).
    const watcher = setInterval(() => {
      if (endpoint.requests.length > 0) deadline.abort();
    }, 20);
    try {
      const sending = channel({ urls: url }, cliDeps()).send(sampleMessage(), {
        signal: deadline.signal,
        idempotencyKey: 'delivery-1',
      });
      const result = await sending;
      expect(endpoint.requests).toHaveLength(1);
      expect(result).toEqual({ ok: false, retryable: true, error: 'Apprise CLI: apprise: aborted' });
    } finally {
      clearInterval(watcher);
    }
  });

  it('passes the URLs in a private temporary file, never in argv, and removes it', async () => {
    let seen: { args: readonly string[]; file: string; mode: number; text: string } | undefined;
    const exec: Exec = (tool, args) => {
      const flag = args.find((a) => a.startsWith('--config='));
      const file = flag?.slice('--config='.length) ?? '';
      seen = { args, file, mode: statSync(file).mode & 0o777, text: readFileSync(file, 'utf8') };
      expect(tool).toBe('apprise');
      return Promise.resolve(ok({ stdout: '', stderr: '', exitCode: 0, durationMs: 1 }));
    };
    const ch = channel({ urls: `${URL_A},${URL_B}` }, testDeps({ exec }));
    expect(await ch.send(sampleMessage(), sendOptions())).toEqual({ ok: true });
    expect(seen?.mode).toBe(0o600);
    expect(seen?.text).toBe(appriseYaml([URL_A, URL_B]));
    expect(seen?.args.join(' ')).not.toMatch(/secret|password|tgram|mailto/);
    expect(existsSync(seen?.file ?? '')).toBe(false);
    expect(existsSync(dirname(seen?.file ?? ''))).toBe(false);
  });

  it.each([
    [2, 'Error: Invalid value for -n', false],
    [3, '', false],
    [
      1,
      '2026-11-26 05:19:19,289 - ERROR - You must specify at least one server URL or populated configuration file.',
      false,
    ],
    [
      1,
      '2026-11-26 05:19:20,916 - WARNING - A Connection error occurred sending JSON notification to 127.0.0.1.',
      true,
    ],
  ])('maps exit %i to retryable=%s', async (exitCode, stderr, retryable) => {
    const exec: Exec = () => Promise.resolve(ok({ stdout: '', stderr, exitCode, durationMs: 1 }));
    const result = await channel({ urls: URL_A }, testDeps({ exec })).send(sampleMessage(), sendOptions());
    expect(result).toMatchObject({ ok: false, retryable });
  });

  it('does not retry when apprise is not installed', async () => {
    const exec: Exec = () => Promise.resolve(fail('absent', 'apprise: not installed'));
    expect(await channel({ urls: URL_A }, testDeps({ exec })).send(sampleMessage(), sendOptions())).toEqual({
      ok: false,
      retryable: false,
      error: 'Apprise CLI: the apprise command is not installed (Debian package "apprise")',
    });
  });
});

describe('apprise config', () => {
  const parse = (c: Record<string, unknown>) => appriseChannel.config.safeParse(c);

  it('picks the mode from api_url, and checks each mode has what it needs', () => {
    expect(parse({ urls: URL_A }).success).toBe(true);
    expect(parse({ api_url: 'http://apprise:8000', key: 'abc' }).success).toBe(true);
    expect(parse({ api_url: 'http://apprise:8000' }).success).toBe(false);
    expect(parse({ mode: 'api', urls: URL_A }).success).toBe(false);
    expect(parse({ mode: 'cli' }).success).toBe(false);
    expect(parse({ urls: 'not a url' }).success).toBe(false);
    expect(parse({ api_url: 'http://apprise:8000', key: 'bad key!' }).success).toBe(false);
    expect(parse({ urls: URL_A, tag: 'devops' }).success).toBe(false);
  });

  it('treats the URLs and the key as secrets', () => {
    expect(appriseChannel.secretKeys).toEqual(['urls', 'key']);
  });
});
