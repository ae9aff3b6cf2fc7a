import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  parseBody,
  startStandin,
  type Standin,
} from '../exporter/src/notifications/channels/test-support/standin-server.js';
import { cli, runCli, tempDir } from './support.js';

/** `proxmon notify` as a hook script runs it, against the built CLI and a real exporter. */
let hook: Standin;
let dataDir: string;
let config: string;
let writeToken: string;
let readToken: string;

const ADMIN = { PROXMON_ADMIN_USER: 'admin', PROXMON_ADMIN_PASSWORD: 'correct horse battery staple' };
/** `proxmon serve` on a free port; a longer wait than startCli's, since first start hashes the admin password. */
async function serve() {
  const run = runCli([], { PROXMON_PORT: '0', PROXMON_DATA_DIR: dataDir, PROXMON_CONFIG: config, ...ADMIN });
  const deadline = Date.now() + 60_000;
  for (;;) {
    const m = /"port":(\d+)[^\n]*"msg":"proxmon listening"/.exec(run.output());
    if (m) return { ...run, url: `http://127.0.0.1:${m[1]}` };
    if (run.child.exitCode !== null || Date.now() > deadline)
      throw new Error(`proxmon did not start:\n${run.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function notify(args: string[], env: Record<string, string> = {}) {
  const run = runCli(['notify', ...args], { PROXMON_DATA_DIR: dataDir, PROXMON_CONFIG: config, ...env });
  const code = await run.exited;
  return { code, out: run.output().trim() };
}

function tokenCreate(scopes: string[]): string {
  const r = spawnSync(process.execPath, [cli, 'token', 'create', '--name', 'hooks', '--scope', ...scopes], {
    env: { ...process.env, PROXMON_DATA_DIR: dataDir, PROXMON_LOG_LEVEL: 'silent' },
    encoding: 'utf8',
  });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.trim();
}

/** Titles the channel stand-in received, in order. */
const delivered = () =>
  hook.requests.map((r) => (parseBody(r) as { message?: { title?: string } }).message?.title);

async function until(what: string, ok: () => boolean, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end)
      throw new Error(`timed out waiting for ${what}; delivered: ${delivered().join(' | ')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  hook = await startStandin(() => ({ status: 200, body: {} }));
  dataDir = tempDir('data');
  config = join(tempDir('cfg'), 'proxmon.yaml');
  writeFileSync(
    config,
    [
      'notifications:',
      '  channels:',
      '    - name: ops',
      '      type: webhook',
      `      config: { url: "${hook.url}/hook" }`,
      '',
    ].join('\n'),
  );
});
afterAll(() => hook.close());

describe('proxmon notify', () => {
  it('bad arguments exit 2 with one clear line, before touching anything', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--type', 'no_such_event', '--title', 't'], /^proxmon: unknown event type "no_such_event"/],
      [
        ['--severity', 'urgent', '--title', 't'],
        /^proxmon: --severity must be one of OK, INFO, WARNING, CRITICAL/,
      ],
      [['--title', 't', '--field', 'vmid'], /^proxmon: --field "vmid": expected key=value/],
      [['--body', 'no title'], /^proxmon: --title is required with --type custom$/],
    ];
    for (const [args, message] of cases) {
      const r = await notify(args, { PROXMON_DATA_DIR: join(dataDir, 'never-created') });
      expect(r.code, r.out).toBe(2);
      expect(r.out.split('\n')).toHaveLength(1);
      expect(r.out).toMatch(message);
    }
    const unknown = await notify(['--title', 't', '--priority', 'high']);
    expect(unknown.code).toBe(2);
    expect(unknown.out).toMatch(/unknown option '--priority'/);
  }, 60_000);

  it('sends through the running exporter; with the exporter stopped it queues, and a restart delivers it once', async () => {
    let p = await serve();
    try {
      writeToken = tokenCreate(['read', 'write']);
      readToken = tokenCreate(['read']);
      const online = await notify(
        ['--type', 'custom', '--severity', 'warning', '--title', 'Disk check', '--body', 'sdb at 91 %'],
        { PROXMON_URL: p.url, PROXMON_TOKEN: writeToken },
      );
      expect(online.code, online.out).toBe(0);
      expect(online.out).toBe(`proxmon: sent through the exporter at ${p.url}: queued for ops`);
      await until('the online message', () => delivered().includes('Disk check'));
      expect(parseBody(hook.requests.at(-1)!)).toMatchObject({
        event: { type: 'custom', severity: 'WARNING' },
        message: { title: 'Disk check', body: 'sdb at 91 %' },
      });

      // A token given on the command line works the same and is never echoed.
      const argv = await notify(['--title', 'Argv token', '--url', p.url, '--token', writeToken]);
      expect(argv.code).toBe(0);
      expect(argv.out).not.toContain(writeToken);
      await until('the argv message', () => delivered().includes('Argv token'));

      // A read-only token is refused (403): the message goes into the outbox and the running
      // exporter still delivers it, without printing the token.
      const refused = await notify(['--title', 'Read token', '--url', p.url, '--token', readToken]);
      expect(refused.code, refused.out).toBe(0);
      expect(refused.out).toMatch(/refused the API token/);
      expect(refused.out).toMatch(/answered HTTP 403 .*; written to the outbox in .* queued for ops/);
      expect(refused.out).not.toContain(readToken);
      await until('the read-token message', () => delivered().includes('Read token'));
    } finally {
      p.child.kill('SIGTERM');
    }
    expect(await p.exited).toBe(0);

    const offline = await notify(
      ['--title', 'While down', '--body', 'queued by the hook', '--field', 'vmid=101'],
      {
        PROXMON_URL: p.url,
        PROXMON_TOKEN: writeToken,
      },
    );
    expect(offline.code, offline.out).toBe(0);
    expect(offline.out).toMatch(
      new RegExp(
        `^proxmon: the exporter at ${p.url.replace(/\./g, '\\.')} is not reachable \\(connection refused\\); ` +
          'written to the outbox in .* for the exporter to deliver: queued for ops$',
      ),
    );
    expect(offline.out).not.toContain(writeToken);
    await new Promise((r) => setTimeout(r, 300));
    expect(delivered()).not.toContain('While down');

    p = await serve();
    try {
      await until('the queued message after restart', () => delivered().includes('While down'));
      // A few more delivery ticks: still once.
      await new Promise((r) => setTimeout(r, 2500));
      expect(delivered().filter((t) => t === 'While down')).toHaveLength(1);
      expect(delivered().filter((t) => t === 'Disk check')).toHaveLength(1);
      expect(delivered().filter((t) => t === 'Read token')).toHaveLength(1);
    } finally {
      p.child.kill('SIGTERM');
    }
    expect(await p.exited).toBe(0);
  }, 120_000);
});
