import React from 'react';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { BackendSrvRequest } from '@grafana/runtime';
import Notifications from './Notifications';
import { api } from '../api/client';
import { testIds } from '../components/testIds';
import { backendSrvShim, configureApp, setRole } from '../test-support/grafana';
import { startExporter, type TestExporter } from '../test-support/exporter';
import { supportCombobox } from '../test-support/combobox';
import {
  createChannel,
  getChannel,
  getDeadLetters,
  getHistory,
  getSettings,
  replaceChannel,
  specForPut,
  testChannel,
  type AiView,
} from './notifications/api';
import {
  closedPort,
  eventually,
  startStandins,
  type Received,
  type Standins,
} from './notifications/standins';

// This file adds channels and changes delivery settings, so it runs its own exporter. A local
// stand-in plays the webhook receiver (and an OpenAI-compatible model for the AI rewrite).
const ids = testIds.notifications;
const AI_KEY = 'sk-proxmon-test-key-1';
/** Every event group but `other` (EVENT_GROUPS in exporter/src/notifications/catalogue.ts). */
const OTHER_GROUPS = [
  'health',
  'vm_ct',
  'backup',
  'resources',
  'storage',
  'hardware',
  'network',
  'security',
  'cluster',
  'services',
  'updates',
  'alerts',
];
// Rendering this page in jsdom is slow (Grafana UI, emotion); a busy CI machine needs the room.
jest.setTimeout(150_000);

let exporter: TestExporter;
let standins: Standins;
let deadPort: number;

/** The requests the page sent, with their bodies (the Grafana stand-in's fetch, spied on). */
let sent: BackendSrvRequest[] = [];
const sentTo = (method: string, path: string) =>
  sent.filter((r) => (r.method ?? 'GET') === method && r.url.includes(`/api/notifications/${path}`));

beforeAll(async () => {
  supportCombobox();

  [exporter, standins, deadPort] = await Promise.all([startExporter(), startStandins(AI_KEY), closedPort()]);
  configureApp(exporter);
}, 120_000);

afterAll(async () => {
  await Promise.all([exporter?.stop(), standins?.close()]);
});

beforeEach(() => {
  setRole('Admin');
  configureApp(exporter);
  sent = [];
  const real = backendSrvShim.fetch;
  jest.spyOn(backendSrvShim, 'fetch').mockImplementation((options) => {
    sent.push(options);
    return real(options);
  });
});

afterEach(() => {
  jest.restoreAllMocks();
});

async function renderPage(tab?: string) {
  render(<Notifications />);
  await screen.findByTestId(ids.channels.list);
  if (tab) {
    await userEvent.click(screen.getByTestId(ids.tab(tab)));
  }
}

/** Picks an option of a Combobox by its label (typed first: the list only renders what fits). */
async function choose(testId: string, label: string) {
  const input = screen.getByTestId(testId);
  // The click opens the list; typing must not click again (that closes it and restores the value).
  await userEvent.click(input);
  await userEvent.clear(input);
  await userEvent.type(input, label, { skipClick: true });
  // Plain selectors: role queries walk the whole accessibility tree, which is slow on this page.
  const option = await waitFor(() => {
    const found = [...document.querySelectorAll<HTMLElement>('[role="option"]')].find((o) =>
      o.textContent?.startsWith(label),
    );
    if (!found) {
      throw new Error(`no option "${label}" yet`);
    }
    return found;
  });
  await userEvent.click(option);
}

/** Clicks a RadioButtonGroup option by its label. */
const pick = (testId: string, label: string) =>
  userEvent.click(within(screen.getByTestId(testId)).getByLabelText(label));

/** Clicks the Reset button next to a configured SecretInput. */
async function resetSecret(testId: string) {
  const resetIn = (el: HTMLElement) =>
    [...el.querySelectorAll('button')].find((b) => b.textContent === 'Reset');
  let el = screen.getByTestId(testId).parentElement;
  while (el && !resetIn(el)) {
    el = el.parentElement;
  }
  const reset = el && resetIn(el);
  if (!reset) {
    throw new Error(`no Reset next to ${testId}`);
  }
  await userEvent.click(reset);
}

/** Sets a text field (one change event: typing key by key re-renders the page per key, which is slow in jsdom). */
const type = (testId: string, text: string) =>
  fireEvent.change(screen.getByTestId(testId), { target: { value: text } });

/** Test messages the stand-in received at `path` (health events reach the channels too). */
const testHooksAt = (path: string) =>
  standins.hooks.filter((h) => h.path === path && h.headers['x-proxmon-event'] === 'webhook_test');
const key = (h: Received) => String(h.headers['idempotency-key']);
/** Deliveries, counted once per idempotency key as a receiver that dedupes would. */
const deliveries = (hooks: Received[]) => new Set(hooks.map(key));
const payload = (h: Received) =>
  h.body as { schema: string; event: { type: string; severity: string }; message: { title: string } };

describe('Notifications', () => {
  it('starts with no channels, and the form refuses what the exporter would', async () => {
    await renderPage();
    expect(within(screen.getByTestId(ids.channels.list)).getByText(/No channels yet/)).toBeInTheDocument();

    await userEvent.click(screen.getByTestId(ids.channels.add));
    const form = await screen.findByTestId(ids.channelForm.form);
    await userEvent.click(screen.getByTestId(ids.channelForm.save));
    expect(within(form).getByText('A name is required')).toBeInTheDocument();
    expect(within(form).getByText('URL is required')).toBeInTheDocument();

    type(ids.channelForm.name, 'Ops Hook');
    type(ids.channelForm.field('url'), 'ftp://example.org/hook');
    type(ids.channelForm.field('secret'), 'too-short');
    await userEvent.click(screen.getByTestId(ids.channelForm.save));
    expect(within(form).getByText(/starting with a letter or digit/)).toBeInTheDocument();
    expect(within(form).getByText('Must be an http:// or https:// URL')).toBeInTheDocument();
    expect(within(form).getByText('Use at least 16 characters')).toBeInTheDocument();

    // Another type has other fields.
    await choose(ids.channelForm.type, 'Telegram');
    expect(screen.getByTestId(ids.channelForm.field('chat_id'))).toBeInTheDocument();
    expect(screen.queryByTestId(ids.channelForm.field('url'))).not.toBeInTheDocument();
    await userEvent.click(screen.getByTestId(ids.channelForm.save));
    expect(within(form).getByText('Bot token is required')).toBeInTheDocument();

    expect(sentTo('POST', 'channels')).toEqual([]);
    await userEvent.click(screen.getByTestId(ids.channelForm.cancel));
    expect(await screen.findByTestId(ids.channels.list)).toBeInTheDocument();
  });

  it('adds a webhook channel; its secrets only ever show as configured', async () => {
    await renderPage();
    await userEvent.click(screen.getByTestId(ids.channels.add));
    await screen.findByTestId(ids.channelForm.form);
    type(ids.channelForm.name, 'ops-hook');
    await choose(ids.channelForm.type, 'Webhook');
    type(ids.channelForm.field('url'), `${standins.url}/hook`);
    type(ids.channelForm.field('bearer_token'), 'hook-token-1');
    type(ids.channelForm.field('headers'), 'X-Team: ops');
    await userEvent.click(screen.getByTestId(ids.channelForm.save));

    const list = await screen.findByTestId(ids.channels.list);
    expect(await within(list).findByTestId(ids.channels.row('ops-hook'))).toBeInTheDocument();
    expect(screen.getByTestId(ids.channels.secret('ops-hook', 'url'))).toHaveTextContent('url: configured');
    expect(screen.getByTestId(ids.channels.secret('ops-hook', 'bearer_token'))).toHaveTextContent(
      'bearer_token: configured',
    );
    expect(screen.getByTestId(ids.channels.secret('ops-hook', 'secret'))).toHaveTextContent(
      'secret: not set',
    );
    expect(list).not.toHaveTextContent(standins.url);
    expect(list).not.toHaveTextContent('hook-token-1');

    const [post] = sentTo('POST', 'channels');
    expect(post?.data).toMatchObject({
      name: 'ops-hook',
      type: 'webhook',
      enabled: true,
      min_severity: 'INFO',
      config: { url: `${standins.url}/hook`, bearer_token: 'hook-token-1', headers: { 'X-Team': 'ops' } },
    });
    const stored = await getChannel('ops-hook');
    expect(stored.config).toMatchObject({
      url: '********',
      bearer_token: '********',
      headers: { 'X-Team': 'ops' },
    });
  });

  it('tests it: the stand-in receives the POST and the row shows the result', async () => {
    await renderPage();
    const before = deliveries(testHooksAt('/hook'));
    await userEvent.click(screen.getByTestId(ids.channels.test('ops-hook')));
    expect(await screen.findByTestId(ids.channels.testResult('ops-hook'))).toHaveTextContent('sent');

    const got = testHooksAt('/hook').filter((h) => !before.has(key(h)));
    expect(deliveries(got).size).toBe(1);
    expect(got[0]).toMatchObject({
      method: 'POST',
      headers: { authorization: 'Bearer hook-token-1', 'x-team': 'ops', 'x-proxmon-event': 'webhook_test' },
    });
    expect(payload(got[0]!)).toMatchObject({
      schema: 'proxmon.notification.v1',
      event: { type: 'webhook_test' },
    });

    await userEvent.click(screen.getByTestId(ids.channels.testAll));
    expect(await screen.findByTestId(ids.channels.testAllResult)).toHaveTextContent(/ops-hook\s*sent/);
    expect(deliveries(testHooksAt('/hook')).size).toBe(before.size + 2);
  });

  it('edits it: secrets are kept unless replaced, and a replaced URL is used', async () => {
    await renderPage();
    await userEvent.click(screen.getByTestId(ids.channels.edit('ops-hook')));
    await screen.findByTestId(ids.channelForm.form);
    expect(screen.getByTestId(ids.channelForm.name)).toBeDisabled();
    expect(screen.getByTestId(ids.channelForm.field('url'))).toHaveValue('configured');
    expect(screen.getByTestId(ids.channelForm.field('headers'))).toHaveValue('X-Team: ops');
    await pick(ids.channelForm.minSeverity, 'Warning and up');
    type(ids.channelForm.field('headers'), 'X-Team: core');
    await userEvent.click(screen.getByTestId(ids.channelForm.save));
    await screen.findByTestId(ids.channels.list);

    const [put] = sentTo('PUT', 'channels/ops-hook');
    const config = (put?.data as { config: Record<string, unknown> }).config;
    expect(config).toEqual({ headers: { 'X-Team': 'core' }, signature_header: 'X-Proxmon-Signature-256' });
    expect((await getChannel('ops-hook')).min_severity).toBe('WARNING');

    // The stored URL and token still work.
    const before = testHooksAt('/hook').length;
    await userEvent.click(screen.getByTestId(ids.channels.test('ops-hook')));
    expect(await screen.findByTestId(ids.channels.testResult('ops-hook'))).toHaveTextContent('sent');
    expect(testHooksAt('/hook').slice(before)[0]?.headers).toMatchObject({
      authorization: 'Bearer hook-token-1',
      'x-team': 'core',
    });

    // Reset and replace the URL.
    await userEvent.click(screen.getByTestId(ids.channels.edit('ops-hook')));
    await screen.findByTestId(ids.channelForm.form);
    await resetSecret(ids.channelForm.field('url'));
    type(ids.channelForm.field('url'), `${standins.url}/hook2`);
    await userEvent.click(screen.getByTestId(ids.channelForm.save));
    await screen.findByTestId(ids.channels.list);
    const replaced = (sentTo('PUT', 'channels/ops-hook')[1]?.data as { config: Record<string, unknown> })
      .config;
    expect(replaced).toEqual({
      url: `${standins.url}/hook2`,
      headers: { 'X-Team': 'core' },
      signature_header: 'X-Proxmon-Signature-256',
    });
    await testChannel('ops-hook');
    expect(deliveries(testHooksAt('/hook2')).size).toBe(1);
  });

  it('toggles an event group and an event for the channel', async () => {
    await renderPage('events');
    const backup = await screen.findByTestId(ids.events.group('backup'));
    expect(backup).toBeChecked();
    expect(screen.getByTestId(ids.events.event('backup_fail'))).toBeEnabled();
    expect(screen.getByTestId(ids.events.save)).toBeDisabled();

    await userEvent.click(backup);
    expect(screen.getByTestId(ids.events.event('backup_fail'))).toBeDisabled();
    const stateChange = screen.getByTestId(ids.events.event('state_change'));
    expect(stateChange).not.toBeChecked();
    await userEvent.click(stateChange);
    await userEvent.click(screen.getByTestId(ids.events.save));
    expect(await screen.findByTestId(ids.events.saved)).toBeInTheDocument();
    expect(screen.getByTestId(ids.events.group('backup'))).not.toBeChecked();

    const stored = await getChannel('ops-hook');
    expect(stored.groups).toEqual({ backup: false });
    expect(stored.events).toEqual({ state_change: true });
    // The policy PUT carries no secret.
    const put = sentTo('PUT', 'channels/ops-hook')[0]?.data as { config: Record<string, unknown> };
    expect(put.config).toEqual({
      headers: { 'X-Team': 'core' },
      signature_header: 'X-Proxmon-Signature-256',
    });
  });

  it('validates and saves the delivery settings, quiet hours and the digest', async () => {
    await renderPage('schedule');
    const form = await screen.findByTestId(ids.schedule.settingsForm);
    type(ids.schedule.timezone, 'Mars/Olympus');
    type(ids.schedule.maxAttempts, '0');
    await userEvent.click(screen.getByTestId(ids.schedule.save));
    expect(within(form).getByText(/Not a known time zone/)).toBeInTheDocument();
    expect(within(form).getByText('Between 1 and 100')).toBeInTheDocument();
    expect(sentTo('PUT', 'settings')).toEqual([]);

    type(ids.schedule.timezone, 'Europe/Berlin');
    // One attempt: the dead-letter test below needs a failure to be final at once.
    type(ids.schedule.maxAttempts, '1');
    await userEvent.click(screen.getByTestId(ids.schedule.save));
    expect(await screen.findByTestId(ids.schedule.saved)).toBeInTheDocument();
    expect(await getSettings()).toMatchObject({ timezone: 'Europe/Berlin', max_attempts: 1 });

    await userEvent.click(screen.getByTestId(ids.schedule.quiet('ops-hook')));
    type(ids.schedule.quietStart('ops-hook'), '25:00');
    type(ids.schedule.quietEnd('ops-hook'), '06:30');
    await userEvent.click(screen.getByTestId(ids.schedule.digest('ops-hook')));
    type(ids.schedule.digestTime('ops-hook'), '8:15');
    await userEvent.click(screen.getByTestId(ids.schedule.channelSave('ops-hook')));
    expect(screen.getAllByText('Use 24-hour HH:MM, e.g. 07:30')).toHaveLength(2);
    type(ids.schedule.quietStart('ops-hook'), '22:00');
    type(ids.schedule.digestTime('ops-hook'), '08:15');
    await userEvent.click(screen.getByTestId(ids.schedule.channelSave('ops-hook')));
    expect(await screen.findByTestId(ids.schedule.channelSaved('ops-hook'))).toBeInTheDocument();
    let stored = await getChannel('ops-hook');
    expect(stored.quiet_hours).toEqual({ start: '22:00', end: '06:30' });
    expect(stored.digest).toEqual({ time: '08:15' });
    expect(stored.groups).toEqual({ backup: false });

    // Off again (they would hold the events the next tests send).
    await userEvent.click(screen.getByTestId(ids.schedule.quiet('ops-hook')));
    await userEvent.click(screen.getByTestId(ids.schedule.digest('ops-hook')));
    await userEvent.click(screen.getByTestId(ids.schedule.channelSave('ops-hook')));
    await waitFor(async () => {
      stored = await getChannel('ops-hook');
      expect(stored.quiet_hours).toBeUndefined();
    });
    expect(stored.digest).toBeUndefined();
  });

  it('lists the test deliveries in the history, with filters and paging', async () => {
    // Enough deliveries for two pages of 10.
    for (let i = 0; i < 8; i++) {
      await testChannel('ops-hook');
    }
    // Health events reach the channel too; the filters below keep to the test messages.
    const all = (await getHistory({ channel: 'ops-hook', event_type: 'webhook_test', limit: 100 })).entries;
    expect(all.length).toBeGreaterThanOrEqual(12);
    await renderPage('history');
    const table = await screen.findByTestId(ids.history.table);
    await waitFor(() => expect(table).toHaveTextContent('webhook_test'));
    expect(table).toHaveTextContent('ops-hook');

    await pick(ids.history.status, 'Failed');
    expect(
      await within(screen.getByTestId(ids.history.table)).findByText(/No deliveries match/),
    ).toBeInTheDocument();
    expect(sentTo('GET', 'history').at(-1)?.url).toContain('success=false');
    await pick(ids.history.status, 'Sent');
    await waitFor(() => expect(screen.getByTestId(ids.history.table)).toHaveTextContent('webhook_test'));

    await choose(ids.history.channel, 'ops-hook');
    await choose(ids.history.eventType, 'webhook_test');
    await pick(ids.history.time, 'Last hour');
    await pick(ids.history.pageSize, '10');
    await waitFor(() => expect(sentTo('GET', 'history').at(-1)?.url).toContain('limit=10'));
    const last = sentTo('GET', 'history').at(-1)?.url ?? '';
    expect(last).toContain('channel=ops-hook');
    expect(last).toContain('event_type=webhook_test');
    await waitFor(() =>
      expect(screen.getByTestId(ids.history.table).querySelectorAll('tbody tr')).toHaveLength(10),
    );
    expect(screen.getByTestId(ids.history.page)).toHaveTextContent('Page 1');
    expect(screen.getByTestId(ids.history.previous)).toBeDisabled();

    await userEvent.click(screen.getByTestId(ids.history.next));
    expect(await screen.findByTestId(ids.history.row(all[10]!.id))).toBeInTheDocument();
    expect(screen.getByTestId(ids.history.page)).toHaveTextContent('Page 2');
    expect(screen.queryByTestId(ids.history.row(all[0]!.id))).not.toBeInTheDocument();
    await userEvent.click(screen.getByTestId(ids.history.previous));
    expect(await screen.findByTestId(ids.history.row(all[0]!.id))).toBeInTheDocument();
  });

  it('turns a delivery to a closed port into a dead letter, and Retry sends it again', async () => {
    await createChannel({
      name: 'dead-hook',
      type: 'webhook',
      enabled: true,
      // Only the `other` group (custom messages): the health events of this host stay out of it.
      groups: Object.fromEntries(OTHER_GROUPS.map((g) => [g, false])),
      events: {},
      min_severity: 'INFO',
      ai: { enabled: false, detail: 'standard', language: 'en' },
      config: { url: `http://127.0.0.1:${deadPort}/gone` },
    });
    await api('notifications/send', {
      method: 'POST',
      data: { type: 'custom', severity: 'WARNING', title: 'Disk full on pve1', body: 'root is 97% full' },
    });
    const dead = await eventually(
      async () => (await getDeadLetters()).dead_letters.find((d) => d.channel === 'dead-hook'),
      'the dead letter',
    );
    expect(dead).toMatchObject({ event_type: 'custom', title: 'Disk full on pve1', attempts: 1 });

    await renderPage('dead-letters');
    const row = await screen.findByTestId(ids.deadLetters.row(dead.id));
    expect(row.closest('tr')).toHaveTextContent('dead-hook');
    expect(row.closest('tr')).toHaveTextContent('Disk full on pve1');

    // Point the channel somewhere that answers, then retry.
    const view = await getChannel('dead-hook');
    await replaceChannel('dead-hook', { ...specForPut(view), config: { url: `${standins.url}/fixed` } });
    await userEvent.click(screen.getByTestId(ids.deadLetters.retry(dead.id)));
    expect(await screen.findByTestId(ids.deadLetters.result)).toHaveTextContent('Queued again');
    const fixed = await eventually(
      () => standins.hooks.find((h) => h.path === '/fixed'),
      'the retried delivery',
    );
    expect(payload(fixed).message.title).toBe('Disk full on pve1');
    expect(payload(fixed).event).toMatchObject({ type: 'custom', severity: 'WARNING' });

    await userEvent.click(screen.getByTestId(ids.deadLetters.refresh));
    await waitFor(() => expect(screen.queryByTestId(ids.deadLetters.row(dead.id))).not.toBeInTheDocument());
    const { entries } = await getHistory({ channel: 'dead-hook', event_type: 'custom', limit: 10 });
    expect(entries.map((e) => e.success)).toEqual([true, false]);
  });

  it('deletes a channel only after confirming', async () => {
    await renderPage();
    await userEvent.click(screen.getByTestId(ids.channels.remove('dead-hook')));
    await userEvent.click(await screen.findByTestId(ids.channels.cancelDelete));
    expect(sentTo('DELETE', 'channels/dead-hook')).toEqual([]);
    expect(screen.getByTestId(ids.channels.row('dead-hook'))).toBeInTheDocument();

    await userEvent.click(screen.getByTestId(ids.channels.remove('dead-hook')));
    await userEvent.click(await screen.findByTestId(ids.channels.confirmDelete));
    await waitFor(() => expect(screen.queryByTestId(ids.channels.row('dead-hook'))).not.toBeInTheDocument());
    expect(screen.getByTestId(ids.channels.row('ops-hook'))).toBeInTheDocument();
    await expect(getChannel('dead-hook')).rejects.toMatchObject({ status: 404, kind: 'not-found' });
  });

  it('sets up the AI rewrite with the provider model list and a test', async () => {
    await renderPage('ai');
    const form = await screen.findByTestId(ids.ai.form);
    await choose(ids.ai.provider, 'OpenAI');
    type(ids.ai.baseUrl, 'not a url');
    await userEvent.click(screen.getByTestId(ids.ai.save));
    expect(within(form).getByText(/Not a URL/)).toBeInTheDocument();
    expect(within(form).getByText('OpenAI (or compatible) needs an API key')).toBeInTheDocument();
    expect(sentTo('PUT', 'ai')).toEqual([]);

    // Provider and key first (rewrite still off), then the model from the provider's list.
    type(ids.ai.baseUrl, `${standins.url}/v1`);
    type(ids.ai.apiKey, AI_KEY);
    if ((screen.getByTestId(ids.ai.enabled) as HTMLInputElement).checked) {
      await userEvent.click(screen.getByTestId(ids.ai.enabled));
    }
    await userEvent.click(screen.getByTestId(ids.ai.save));
    expect(await screen.findByTestId(ids.ai.saved)).toBeInTheDocument();
    // The form starts again from the saved settings: the key is only "configured" now.
    await waitFor(() => expect(screen.getByTestId(ids.ai.apiKey)).toHaveValue('configured'));

    await userEvent.click(screen.getByTestId(ids.ai.loadModels));
    expect(await screen.findByTestId(ids.ai.models)).toHaveTextContent('proxmon-test-model');
    await choose(ids.ai.model, 'proxmon-test-model');
    await choose(ids.ai.language, 'German');
    await pick(ids.ai.detail, 'Brief');
    await userEvent.click(screen.getByTestId(ids.ai.test));
    const result = await screen.findByTestId(ids.ai.testResult);
    expect(within(result).getByTestId(ids.ai.template)).toHaveTextContent('backup of VM 101 (web01) failed');
    expect(within(result).getByTestId(ids.ai.rewritten)).toHaveTextContent('Rewritten: ');
    expect(result).toHaveTextContent('proxmon-test-model, de, brief');
    expect(standins.chats.at(-1)?.headers.authorization).toBe(`Bearer ${AI_KEY}`);

    await userEvent.click(screen.getByTestId(ids.ai.enabled));
    await userEvent.click(screen.getByTestId(ids.ai.channel('ops-hook')));
    await userEvent.click(screen.getByTestId(ids.ai.save));
    await waitFor(() => expect(sentTo('PUT', 'ai')).toHaveLength(2));
    const put = sentTo('PUT', 'ai')[1]?.data as Record<string, unknown>;
    expect(put).not.toHaveProperty('api_key');
    expect(put).toMatchObject({
      enabled: true,
      model: 'proxmon-test-model',
      channels: { 'ops-hook': { enabled: true } },
    });
    const view = await eventually(async () => {
      const v = await api<AiView>('notifications/ai');
      return v.enabled ? v : undefined;
    }, 'the saved AI settings');
    expect(view).toMatchObject({
      provider: 'openai',
      model: 'proxmon-test-model',
      base_url: `${standins.url}/v1`,
      language: 'de',
      detail: 'brief',
      api_key_set: true,
    });
    expect(JSON.stringify(view)).not.toContain(AI_KEY);
    expect(view.channels.find((c) => c.name === 'ops-hook')?.enabled).toBe(true);
  });

  it('shows a Viewer the channels without the actions the routes would refuse', async () => {
    setRole('Viewer');
    await renderPage();
    expect(screen.getByTestId(ids.channels.row('ops-hook'))).toBeInTheDocument();
    expect(screen.queryByTestId(ids.channels.add)).not.toBeInTheDocument();
    expect(screen.queryByTestId(ids.channels.test('ops-hook'))).not.toBeInTheDocument();
    expect(screen.queryByTestId(ids.channels.edit('ops-hook'))).not.toBeInTheDocument();
    await userEvent.click(screen.getByTestId(ids.tab('history')));
    expect(await screen.findByTestId(ids.history.table)).toBeInTheDocument();
    const refused = await testChannel('ops-hook').catch((e: unknown) => e);
    expect(refused).toMatchObject({ status: 403, kind: 'forbidden', code: 'route_denied' });
  });

  it('shows the error state when the exporter refuses the token', async () => {
    configureApp({ url: exporter.url, readToken: 'pxm_wrong', adminToken: exporter.adminToken });
    render(<Notifications />);
    const error = await screen.findByTestId(testIds.pageState.error);
    expect(error).toHaveTextContent('Could not load the notification channels');
    expect(error).toHaveTextContent(/refused the token/);
  });

  it('shows the forbidden state when the token lacks the read scope', async () => {
    const { token } = await api<{ token: string }>('auth/tokens', {
      method: 'POST',
      data: { name: 'notify-terminal-only', scopes: ['terminal'] },
    });
    configureApp({ url: exporter.url, readToken: token, adminToken: exporter.adminToken });
    render(<Notifications />);
    expect(await screen.findByTestId(testIds.pageState.forbidden)).toHaveTextContent('Not allowed');
  });
});
