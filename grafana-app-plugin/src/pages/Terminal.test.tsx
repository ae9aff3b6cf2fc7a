import React from 'react';
import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { PluginContextProvider } from '@grafana/data';
import TerminalPage from './Terminal';
import { api } from '../api/client';
import { testIds } from '../components/testIds';
import { configureApp, grafana, pluginMeta, setRole } from '../test-support/grafana';
import { sharedExporter, type TestExporter } from '../test-support/exporter';
import { supportCombobox } from '../test-support/combobox';
import { startTerminalExporter } from '../terminal/testing/terminalExporter';
import { Terminal as FakeTerminal } from '../terminal/testing/fakeXterm';

// xterm needs layout and a canvas that jsdom lacks: a stand-in records what the page writes and types.
jest.mock('@xterm/xterm', () => jest.requireActual('../terminal/testing/fakeXterm'));
jest.mock('@xterm/addon-fit', () => jest.requireActual('../terminal/testing/fakeXterm'));

// jsdom cannot reach a Grafana at its page's origin, so these tests use the documented direct connection
// (terminalDirectUrl): the ticket still comes through the plugin proxy (the Grafana shim), the socket
// goes to the exporter itself, and jsdom's WebSocket sends the page's Origin, http://localhost, which
// this exporter allows in terminal.allowed_origins. The proxied socket is tested in
// terminal/connection.test.ts and in the browser test.
const PAGE_ORIGIN = 'http://localhost';
let exporter: TestExporter;

const ids = testIds.terminal;

beforeAll(async () => {
  supportCombobox();
  exporter = await startTerminalExporter([PAGE_ORIGIN]);
}, 120_000);

afterAll(async () => {
  await exporter?.stop();
});

function useExporter(
  ex: Pick<TestExporter, 'url' | 'readToken' | 'adminToken'>,
  extra: Record<string, unknown> = {},
) {
  configureApp(ex);
  grafana.settings.jsonData = { ...grafana.settings.jsonData, terminalDirectUrl: ex.url, ...extra };
}

beforeEach(() => {
  setRole('Admin');
  useExporter(exporter);
  FakeTerminal.instances.length = 0;
});

const renderPage = () =>
  render(
    <PluginContextProvider meta={pluginMeta()}>
      <TerminalPage />
    </PluginContextProvider>,
  );

const lastTerminal = () => {
  const t = FakeTerminal.instances[FakeTerminal.instances.length - 1];
  if (!t) {
    throw new Error('no terminal was created');
  }
  return t;
};

const status = () => screen.getByTestId(ids.status);

/** Types a container id into the Combobox and takes it as a custom value (no PVE here, so no list). */
async function typeVmid(id: string) {
  const input = screen.getByTestId(ids.vmid);
  await userEvent.click(input);
  await userEvent.clear(input);
  await userEvent.type(input, id, { skipClick: true });
  const option = await waitFor(() => {
    const found = [...document.querySelectorAll<HTMLElement>('[role="option"]')].find((o) =>
      o.textContent?.startsWith(id),
    );
    if (!found) {
      throw new Error(`no option "${id}" yet`);
    }
    return found;
  });
  await userEvent.click(option);
}
const waitState = (state: string, timeout = 20_000) =>
  waitFor(() => expect(status()).toHaveAttribute('data-state', state), { timeout });

async function liveSessions(): Promise<unknown[]> {
  return (await api<{ sessions: unknown[] }>('terminal/sessions')).sessions;
}

describe('Terminal page', () => {
  it('connects on Connect, runs a command, and ends the session on unmount', async () => {
    const { unmount } = renderPage();
    expect(screen.getByTestId(ids.container)).toHaveTextContent(
      `Connecting straight to the exporter at ${exporter.url}`,
    );
    expect(status()).toHaveAttribute('data-state', 'idle');
    const term = lastTerminal();
    expect(term.opened).toBe(true);

    await userEvent.click(screen.getByTestId(ids.connect));
    await waitState('connected');
    expect(status()).toHaveTextContent(/Connected.*host shell/);
    expect(term.focused).toBe(true);

    act(() => term.type('echo proxmon-$((6*7))\r'));
    await waitFor(() => expect(term.written).toMatch(/[\r\n]proxmon-42\r?\n/), { timeout: 20_000 });
    expect(await liveSessions()).toHaveLength(1);

    unmount();
    expect(term.disposed).toBe(true);
    await waitFor(async () => expect(await liveSessions()).toEqual([]), { timeout: 15_000 });
  });

  it('shows a closed session with its reason, and reconnects on Reconnect', async () => {
    renderPage();
    await userEvent.click(screen.getByTestId(ids.connect));
    await waitState('connected');
    const term = lastTerminal();
    act(() => term.type('exit 7\r'));
    await waitState('closed');
    expect(status()).toHaveTextContent('the shell exited (code 7)');
    expect(term.written).toContain('[proxmon] the shell exited (code 7)');

    await userEvent.click(screen.getByTestId(ids.connect));
    await waitState('connected');
    expect(term.written).toContain('[proxmon] new session');
    await userEvent.click(screen.getByTestId(ids.disconnect));
    await waitState('closed');
    expect(status()).toHaveTextContent('disconnected');
  });

  it('sends the new size when the terminal is refitted', async () => {
    renderPage();
    await userEvent.click(screen.getByTestId(ids.connect));
    await waitState('connected');
    const term = lastTerminal();
    act(() => term.resize(120, 40));
    act(() => term.type('stty size\r'));
    await waitFor(() => expect(term.written).toMatch(/[\r\n]40 120\r?\n/), { timeout: 20_000 });
  });

  it("opens a container's console, after validating the id", async () => {
    renderPage();
    const target = screen.getByTestId(ids.target);
    await userEvent.click(within(target).getByText('Container console'));
    expect(screen.queryByTestId(ids.view)).not.toBeInTheDocument();
    expect(screen.getByText('Choose a container to open its console.')).toBeInTheDocument();

    await typeVmid('42');
    expect(await screen.findByTestId(ids.vmidError)).toHaveTextContent('between 100 and 999999999');

    await typeVmid('101');
    await waitFor(() => expect(screen.queryByTestId(ids.vmidError)).not.toBeInTheDocument());
    await userEvent.click(screen.getByTestId(ids.connect));
    await waitState('connected');
    expect(status()).toHaveTextContent('lxc/101');
    await waitFor(() => expect(lastTerminal().written).toContain('entered CT 101'), { timeout: 20_000 });
  });

  it('keeps retrying, then says so, when the exporter refuses the page origin', async () => {
    // The shared exporter allows no extra origins: the direct socket is refused before it opens.
    useExporter(sharedExporter());
    renderPage();
    await userEvent.click(screen.getByTestId(ids.connect));
    await waitState('reconnecting');
    expect(status()).toHaveTextContent('the WebSocket could not be opened');
    await userEvent.click(screen.getByTestId(ids.disconnect));
    await waitState('closed');
  });

  it('refuses an invalid direct URL before connecting', async () => {
    useExporter(exporter, { terminalDirectUrl: 'ftp://pve1.lan' });
    renderPage();
    expect(screen.getByTestId(ids.directUrlError)).toHaveTextContent('Use http(s):// or ws(s)://');
    expect(screen.getByTestId(ids.connect)).toBeDisabled();
  });

  it('shows a Viewer the forbidden state and no terminal', async () => {
    setRole('Viewer');
    renderPage();
    expect(screen.getByTestId(testIds.pageState.forbidden)).toBeInTheDocument();
    expect(screen.queryByTestId(ids.view)).not.toBeInTheDocument();
    expect(FakeTerminal.instances).toHaveLength(0);
  });
});
