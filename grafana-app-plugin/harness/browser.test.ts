import { mkdirSync, rmSync } from 'fs';
import http, { type IncomingMessage } from 'http';
import type { AddressInfo } from 'net';
import path from 'path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { testIds } from '../src/components/testIds';
import type { TestExporter } from '../src/test-support/exporter';
import { startTerminalExporter } from '../src/terminal/testing/terminalExporter';
import { PLACEHOLDER_HEADER, startHarness, type Harness } from './server';

/**
 * The plugin's pages in a real browser (Debian's Chromium), served by the harness against a real
 * exporter through a stand-in for Grafana's plugin proxy: the main flow of each page, and a screenshot
 * of each in test-artifacts/screenshots/.
 */

const CHROMIUM = process.env.PROXMON_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS = path.resolve(__dirname, '..', 'test-artifacts', 'screenshots');
const APP = '/a/proxmon-monitor-app';

let exporter: TestExporter;
let harness: Harness;
let browser: Browser;
let page: Page;
let hook: { url: string; received: Array<{ path: string; event?: string }>; close: () => void };
const pageErrors: string[] = [];
const failedRequests: string[] = [];
/** Icons and fonts Grafana's server has but the npm packages do not ship (told, not failed). */
const notShipped = new Set<string>();
const shots: string[] = [];

/** The exporter's API with the admin token, for setting the scene (what a test does not drive). */
async function exporterApi<T>(p: string, method = 'GET', body?: unknown): Promise<T> {
  const res = await fetch(`${exporter.url}/api/${p}`, {
    method,
    headers: {
      authorization: `Bearer ${exporter.adminToken}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) {
    throw new Error(`${method} /api/${p}: ${res.status} ${await res.text()}`);
  }
  return (await res.json()) as T;
}

/** A webhook receiver on loopback: the channel the Notifications flow adds points here. */
async function startHookReceiver(): Promise<typeof hook> {
  const received: Array<{ path: string; event?: string }> = [];
  const server = http.createServer((req: IncomingMessage, res) => {
    req.resume();
    req.on('end', () => {
      received.push({ path: req.url ?? '', event: req.headers['x-proxmon-event'] as string | undefined });
      res.writeHead(204);
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, received, close: () => server.close() };
}

const byId = (id: string) => page.getByTestId(id);

async function goto(p: string) {
  await page.goto(`${harness.url}/?path=${encodeURIComponent(p)}`);
}

async function navigate(tab: string) {
  await byId(`harness-nav-${tab}`).click();
}

async function screenshot(name: string) {
  // Let icons and fonts arrive, and no hover tooltip cover the page.
  await page.mouse.move(0, 0);
  await page.waitForLoadState('networkidle');
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  shots.push(file);
}

beforeAll(async () => {
  rmSync(SCREENSHOTS, { recursive: true, force: true });
  mkdirSync(SCREENSHOTS, { recursive: true });
  exporter = await startTerminalExporter();
  hook = await startHookReceiver();
  harness = await startHarness(exporter);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking'],
  });
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.setDefaultTimeout(30_000);
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('response', (r) => {
    const url = new URL(r.url());
    if (
      r.headers()[PLACEHOLDER_HEADER] ||
      (url.pathname.startsWith('/public/fonts/') && r.status() === 404)
    ) {
      notShipped.add(url.pathname);
    } else if (
      r.status() >= 400 &&
      url.pathname !== '/favicon.ico' &&
      !url.pathname.startsWith('/api/plugin-proxy/')
    ) {
      failedRequests.push(`${r.status()} ${r.url()}`);
    }
  });
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await harness?.close();
  hook?.close();
  await exporter?.stop();
  if (shots.length) {
    process.stdout.write(
      `\nbrowser test screenshots (${SCREENSHOTS}):\n${shots.map((s) => `  ${s}`).join('\n')}\n`,
    );
  }
  if (notShipped.size) {
    process.stdout.write(
      `not in the npm packages, so drawn as a ring (icons) or the system font (fonts) in the harness:\n${[
        ...notShipped,
      ]
        .sort()
        .map((u) => `  ${u}`)
        .join('\n')}\n`,
    );
  }
});

afterEach(() => {
  // A page that threw, or an icon or bundle file that did not load, is a broken page even if the flow passed.
  expect(pageErrors.splice(0)).toEqual([]);
  expect(failedRequests.splice(0)).toEqual([]);
});

describe('the plugin in Chromium', () => {
  it('Overview: dismisses a real error for 24 hours and un-dismisses it', async () => {
    // Any mounted filesystem is more than 1% full: the next cycle raises a real disk_space warning.
    await exporterApi('health/thresholds', 'PUT', { disks: { filesystem_warning: 1 } });
    await exporterApi('health/run', 'POST');
    const { errors } = await exporterApi<{ errors: Array<{ error_key: string; check: string }> }>(
      'health/active-errors',
    );
    const key = errors.find((e) => e.check === 'disk_space')?.error_key;
    expect(key).toBeDefined();
    const ov = testIds.overview;

    await goto(`${APP}/overview`);
    const active = byId(ov.activeErrors);
    await active.getByTestId(ov.errorRow(key!)).waitFor();
    await screenshot('overview');
    await active.getByTestId(ov.dismiss(key!)).click();
    await byId(ov.dismissDuration('24h')).click();
    await byId(ov.dismissedErrors).getByTestId(ov.errorRow(key!)).waitFor();
    await screenshot('overview-dismissed');
    await byId(ov.undismiss(key!)).click();
    await active.getByTestId(ov.errorRow(key!)).waitFor();
  }, 180_000);

  it('Health settings: shows the settings', async () => {
    await navigate('health-settings');
    await byId(testIds.healthSettings.container).waitFor();
    await byId(testIds.healthSettings.tab('suppression')).waitFor();
    await screenshot('health-settings');
  }, 120_000);

  it('Notifications: adds a webhook channel and tests it', async () => {
    const nt = testIds.notifications;
    await navigate('notifications');
    await byId(nt.channels.list).waitFor();
    await byId(nt.channels.add).click();
    await byId(nt.channelForm.form).waitFor();
    await byId(nt.channelForm.name).fill('browser-hook');
    const type = byId(nt.channelForm.type);
    await type.click();
    await type.fill('Webhook');
    await page
      .getByRole('option', { name: /^Webhook/ })
      .first()
      .click();
    await byId(nt.channelForm.field('url')).fill(`${hook.url}/browser`);
    await byId(nt.channelForm.save).click();
    await byId(nt.channels.row('browser-hook')).waitFor();

    await byId(nt.channels.test('browser-hook')).click();
    await expectText(nt.channels.testResult('browser-hook'), /sent/);
    expect(hook.received).toContainEqual({ path: '/browser', event: 'webhook_test' });
    await screenshot('notifications');
  }, 180_000);

  it('Security: creates an API token and shows it once', async () => {
    const tk = testIds.security.tokens;
    await navigate('security');
    await byId(tk.list).waitFor();
    await byId(tk.name).fill('browser-token');
    await byId(tk.create).click();
    await byId(tk.created).waitFor();
    expect(await byId(tk.createdValue).inputValue()).toMatch(/^pxm_/);
    await screenshot('security');
    const tokens = await exporterApi<Array<{ name: string; scopes: string[] }>>('auth/tokens');
    expect(tokens).toContainEqual(expect.objectContaining({ name: 'browser-token', scopes: ['read'] }));
  }, 180_000);

  it('Terminal: runs `echo proxmon-ok` in a host shell through the proxied WebSocket', async () => {
    const tm = testIds.terminal;
    await navigate('terminal');
    await byId(tm.connect).click();
    await expectState('connected');
    await byId(tm.screen).click();
    await page.keyboard.type('echo proxmon-ok');
    await page.keyboard.press('Enter');
    // The command's own output line (the typed line has `echo ` in front of it).
    await page.waitForFunction(() =>
      [...document.querySelectorAll('.xterm-rows > div')].some((r) => r.textContent?.trim() === 'proxmon-ok'),
    );
    await screenshot('terminal');
    // It went the way a browser in Grafana goes: the ticket and the socket through the plugin proxy.
    expect(harness.grafana.log).toContainEqual({
      method: 'GET',
      path: '/api/plugin-proxy/proxmon-monitor-app/api/terminal/ws',
      status: 101,
    });
    await byId(tm.disconnect).click();
    await expectState('closed');
  }, 180_000);

  it('Terminal panel: renders and waits for Connect', async () => {
    await navigate('panel');
    await byId(testIds.terminal.panel).waitFor();
    await expectState('idle');
    await screenshot('terminal-panel');
  }, 120_000);

  it('Configuration: tests the connection', async () => {
    const ac = testIds.appConfig;
    await navigate('config');
    await byId(ac.form).waitFor();
    await byId(ac.test).click();
    await expectText(ac.testResult, /Connection OK/);
    await screenshot('config');
  }, 120_000);
});

async function expectText(id: string, re: RegExp) {
  await page.waitForFunction(
    ([sel, src, flags]) => new RegExp(src, flags).test(document.querySelector(sel)?.textContent ?? ''),
    [`[data-testid="${id}"]`, re.source, re.flags] as const,
  );
}

async function expectState(state: string) {
  await byId(testIds.terminal.status)
    .and(page.locator(`[data-state="${state}"]`))
    .waitFor();
}
