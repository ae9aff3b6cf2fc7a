import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import {
  startSmtpStandin,
  type SmtpStandin,
} from '../exporter/src/notifications/channels/test-support/smtp-standin.js';
import {
  startTelegramStandin,
  type TelegramStandin,
} from '../exporter/src/notifications/channels/test-support/telegram-standin.js';
import { startDaemon, waitFor, type Daemon } from './stack/daemons.js';
import { deriveAlertmanagerConfig } from './stack/derive.js';
import { startCli, tempDir, type CliRun } from './support.js';

/**
 * Prometheus alerts through proxmon's channels, with real parts: two real Alertmanagers (an HA pair
 * without clustering, so each sends everything) running the shipped alerting/alertmanager.yml post
 * to the built exporter's receiver, which delivers through an email channel to a real SMTP server
 * (the smtp-server package) and a Telegram channel to the Bot API stand-in. Firing, then resolved:
 * each reaches each channel once, however often the Alertmanagers send it. A third Alertmanager
 * holding the wrong token is refused with 401.
 */

const TOKEN = 'am-email-e2e-receiver-token-0123456789';
const BOT_TOKEN = '123456789:AAHe2eBotToken_0123456789abcdefghi';
const CHAT = '-1001234';
const ALERT = 'ProxmonZfsPoolDegraded';
/** Every group but Prometheus alerts is muted, so host events of this machine stay out of the counts. */
const MUTED = ['security', 'storage', 'cluster', 'network', 'resources', 'vm_ct', 'backup']
  .concat(['services', 'health', 'updates', 'hardware', 'other'])
  .map((g) => [g, false]);
const STARTS_AT = new Date(Date.now() - 60_000).toISOString();

let dir: string;
let smtp: SmtpStandin;
let telegram: TelegramStandin;
let exporter: CliRun & { url: string };
const pair: Daemon[] = [];
let wrong: Daemon | undefined;

/** An alert as Prometheus posts it to Alertmanager's API; resolved once it carries a past endsAt. */
const alert = (endsAt?: string) => [
  {
    labels: { alertname: ALERT, severity: 'critical', node: 'pve1', pool: 'rpool' },
    annotations: {
      summary: 'ZFS pool rpool on pve1 is DEGRADED',
      description: 'A vdev of rpool is faulted; the pool has no redundancy left.',
    },
    startsAt: STARTS_AT,
    ...(endsAt ? { endsAt } : {}),
    generatorURL: 'http://prometheus.example:9090/graph?g0.expr=proxmon_zfs_pool_state',
  },
];

async function postAlerts(am: Daemon, body: unknown): Promise<void> {
  const r = await fetch(`${am.url}/api/v2/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!r.ok) throw new Error(`Alertmanager refused the alert: ${r.status} ${await r.text()}`);
}

/** Webhook notifications an Alertmanager attempted, and how many of them failed (its own counters). */
async function sent(am: Daemon): Promise<{ attempts: number; failed: number }> {
  const text = await (await fetch(`${am.url}/metrics`)).text();
  const sum = (name: string) =>
    text
      .split('\n')
      .filter((l) => l.startsWith(`${name}{`) && l.includes('integration="webhook"'))
      .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  return {
    attempts: sum('alertmanager_notifications_total'),
    failed: sum('alertmanager_notifications_failed_total'),
  };
}

/** Mails about the alert in one state, told apart by proxmon's event header. */
const mails = (event: 'alert_firing' | 'alert_resolved') =>
  smtp.received.filter((m) => new RegExp(`^X-Proxmon-Event: ${event}\\r?$`, 'm').test(m.raw));
const chats = (state: 'firing' | 'resolved') =>
  telegram.delivered.filter((d) => d.text.includes(`${ALERT} ${state}`));

const logs = () =>
  [
    `--- exporter\n${exporter?.output().slice(-2000)}`,
    ...pair.map((am, i) => `--- alertmanager ${i + 1}\n${am.logs().slice(-1500)}`),
    `--- mails\n${smtp?.received.map((m) => /^Subject: .*$/m.exec(m.raw)?.[0]).join('\n')}`,
    `--- telegram\n${telegram?.delivered.map((d) => d.text.split('\n')[0]).join('\n')}`,
  ].join('\n');

/** The shipped Alertmanager config, aimed at the exporter, resending every 2 s instead of every 4 h. */
function alertmanagerConfig(name: string, tokenFile: string): string {
  const derived = deriveAlertmanagerConfig(dir, `${exporter.url}/api/notifications/alertmanager`, tokenFile);
  const config = parse(readFileSync(derived, 'utf8')) as { route: Record<string, unknown> };
  config.route.repeat_interval = '2s';
  const out = join(dir, `${name}.yml`);
  writeFileSync(out, stringify(config));
  return out;
}

const startAlertmanager = (name: string, config: string) =>
  startDaemon('prometheus-alertmanager', (port) => [
    `--config.file=${config}`,
    `--storage.path=${join(dir, name)}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--cluster.listen-address=',
  ]);

beforeAll(async () => {
  dir = tempDir('am-email');
  smtp = await startSmtpStandin();
  telegram = await startTelegramStandin({ token: BOT_TOKEN, chats: [CHAT] });
  const policy = { groups: Object.fromEntries(MUTED) };
  const configFile = join(dir, 'proxmon.yaml');
  writeFileSync(
    configFile,
    stringify({
      health: { journal: { enabled: false } },
      notifications: {
        settings: { hostname: 'pve1' },
        receivers: { alertmanager_token: TOKEN },
        channels: [
          {
            name: 'mail',
            type: 'email',
            config: {
              host: '127.0.0.1',
              port: smtp.port,
              tls_mode: 'none',
              from_address: 'proxmon@pve1.example.org',
              to_addresses: ['ops@example.org'],
            },
            ...policy,
          },
          {
            name: 'phone',
            type: 'telegram',
            config: { bot_token: BOT_TOKEN, chat_id: CHAT, api_url: telegram.url },
            ...policy,
          },
        ],
      },
    }),
  );
  exporter = await startCli({ PROXMON_CONFIG: configFile });

  const tokenFile = join(dir, 'receiver-token');
  writeFileSync(tokenFile, TOKEN);
  const wrongFile = join(dir, 'wrong-token');
  writeFileSync(wrongFile, 'not-the-receiver-token');
  const good = alertmanagerConfig('good', tokenFile);
  const [a, b, c] = await Promise.all([
    startAlertmanager('am1', good),
    startAlertmanager('am2', good),
    startAlertmanager('am-wrong', alertmanagerConfig('wrong', wrongFile)),
  ]);
  pair.push(a, b);
  wrong = c;
}, 90_000);

afterAll(async () => {
  await Promise.all([...pair, wrong].map((am) => am?.stop()));
  if (exporter) {
    exporter.child.kill('SIGTERM');
    await exporter.exited;
  }
  await smtp?.close();
  await telegram?.close();
});

describe('Alertmanager → receiver → email and Telegram', () => {
  it('refuses a wrong receiver token with 401, from Alertmanager and from anyone', async () => {
    const direct = await fetch(`${exporter.url}/api/notifications/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer wrong' },
      body: JSON.stringify({ version: '4', status: 'firing', alerts: [] }),
    });
    expect(direct.status).toBe(401);
    expect(await direct.json()).toEqual({
      error: { code: 'unauthorized', message: 'wrong or missing receiver token' },
    });

    await postAlerts(wrong!, alert());
    await waitFor(
      async () => ((await sent(wrong!)).failed >= 1 ? true : undefined),
      30_000,
      () => `the wrong-token Alertmanager never failed a notification:\n${wrong?.logs()}`,
    );
    // Alertmanager says why (401) in its log; nothing reached a channel.
    expect(wrong?.logs()).toMatch(/401/);
    expect(mails('alert_firing')).toEqual([]);
    expect(chats('firing')).toEqual([]);
    await wrong?.stop();
  }, 60_000);

  it('delivers the firing alert once per channel while both Alertmanagers keep sending it', async () => {
    await Promise.all(pair.map((am) => postAlerts(am, alert())));
    // Each Alertmanager posts it, then posts it again every repeat interval: at least 3 each.
    await waitFor(
      async () => {
        const counts = await Promise.all(pair.map(sent));
        return counts.every((c) => c.attempts - c.failed >= 3) ? true : undefined;
      },
      60_000,
      () => `the Alertmanagers did not send the alert three times each:\n${logs()}`,
    );
    await waitFor(
      () => (mails('alert_firing').length > 0 && chats('firing').length > 0 ? true : undefined),
      30_000,
      () => `the firing alert did not reach both channels:\n${logs()}`,
    );
    expect(mails('alert_firing')).toHaveLength(1);
    expect(chats('firing')).toHaveLength(1);
    const [mail] = mails('alert_firing');
    expect(mail?.to).toEqual(['ops@example.org']);
    expect(mail?.raw).toMatch(
      new RegExp(`^Subject: \\[proxmon\\] CRITICAL: pve1: ${ALERT} firing\\r?$`, 'm'),
    );
    expect(mail?.raw).toContain('ZFS pool rpool on pve1 is DEGRADED');
    expect(chats('firing')[0]?.chatId).toBe(CHAT);

    // The repeats were held back at the receiver, not lost on the way.
    const metrics = await (await fetch(`${exporter.url}/metrics`)).text();
    expect(metrics).toMatch(/^proxmon_notifications_suppressed_total\{reason="cooldown"\} ([4-9]|\d\d+)$/m);
  }, 120_000);

  it('delivers the resolution once per channel, though both Alertmanagers send it', async () => {
    const before = await Promise.all(pair.map(sent));
    await Promise.all(pair.map((am) => postAlerts(am, alert(new Date().toISOString()))));
    await waitFor(
      async () => {
        const counts = await Promise.all(pair.map(sent));
        const resolvedSent = counts.every(
          (c, i) => c.attempts - c.failed > before[i]!.attempts - before[i]!.failed,
        );
        return resolvedSent && mails('alert_resolved').length > 0 && chats('resolved').length > 0
          ? true
          : undefined;
      },
      60_000,
      () => `the resolution did not reach both channels:\n${logs()}`,
    );
    // A few more group intervals: nothing else arrives.
    await new Promise((r) => setTimeout(r, 3_000));
    expect(mails('alert_resolved')).toHaveLength(1);
    expect(chats('resolved')).toHaveLength(1);
    expect(mails('alert_firing')).toHaveLength(1);
    expect(chats('firing')).toHaveLength(1);
    expect(mails('alert_resolved')[0]?.raw).toMatch(new RegExp(`^Subject: .*${ALERT} resolved\\r?$`, 'm'));
    expect(smtp.received).toHaveLength(2);
    expect(telegram.delivered).toHaveLength(2);
  }, 90_000);
});
