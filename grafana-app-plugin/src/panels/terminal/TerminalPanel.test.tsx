import React from 'react';
import { act, render, screen, waitFor } from '@testing-library/react';
import {
  type FieldConfigSource,
  getDefaultTimeRange,
  LoadingState,
  type PanelProps,
  toDataFrame,
} from '@grafana/data';
import { TerminalPanel, type TerminalPanelOptions, defaultPanelOptions } from './TerminalPanel';
import { testIds } from '../../components/testIds';
import { grafana, setRole } from '../../test-support/grafana';
import { ownExporter } from '../../test-support/ownExporter';
import { startTerminalExporter } from '../../terminal/testing/terminalExporter';
import { Terminal as FakeTerminal } from '../../terminal/testing/fakeXterm';

jest.mock('@xterm/xterm', () => jest.requireActual('../../terminal/testing/fakeXterm'));
jest.mock('@xterm/addon-fit', () => jest.requireActual('../../terminal/testing/fakeXterm'));

// As in the page test, jsdom connects directly (terminalDirectUrl) with the Origin this exporter allows.
const exporter = ownExporter(() => startTerminalExporter(['http://localhost']));
const ids = testIds.terminal;

beforeEach(() => {
  FakeTerminal.instances.length = 0;
});

function renderPanel(options: Partial<TerminalPanelOptions>) {
  const timeRange = getDefaultTimeRange();
  const props = {
    id: 1,
    data: { state: LoadingState.Done, series: [toDataFrame({ fields: [] })], timeRange },
    timeRange,
    timeZone: 'utc',
    options: { ...defaultPanelOptions, ...options },
    fieldConfig: { defaults: {}, overrides: [] } as FieldConfigSource,
    transparent: false,
    width: 800,
    height: 400,
    renderCounter: 0,
    title: 'Terminal',
    eventBus: {
      publish: jest.fn(),
      getStream: jest.fn(),
      subscribe: jest.fn(),
      removeAllListeners: jest.fn(),
      newScopedBus: jest.fn(),
    },
    onOptionsChange: jest.fn(),
    onFieldConfigChange: jest.fn(),
    replaceVariables: (s: string) => s,
    onChangeTimeRange: jest.fn(),
  } as unknown as PanelProps<TerminalPanelOptions>;
  return render(<TerminalPanel {...props} />);
}

const waitState = (state: string) =>
  waitFor(() => expect(screen.getByTestId(ids.status)).toHaveAttribute('data-state', state), {
    timeout: 20_000,
  });

describe('Terminal panel', () => {
  it("connects on load with the app's direct URL and runs a command", async () => {
    grafana.settings.jsonData = { ...grafana.settings.jsonData, terminalDirectUrl: exporter().url };
    renderPanel({ autoConnect: true });
    // After the app's settings arrived from Grafana's plugin settings API.
    expect(await screen.findByTestId(ids.panel)).toBeInTheDocument();
    await waitState('connected');
    const term = FakeTerminal.instances[0]!;
    expect(term.options.fontSize).toBe(14);
    act(() => term.type('echo panel-$((1+1))\r'));
    await waitFor(() => expect(term.written).toMatch(/[\r\n]panel-2\r?\n/), { timeout: 20_000 });
  });

  it("prefers its own direct URL to the app's", async () => {
    grafana.settings.jsonData = { ...grafana.settings.jsonData, terminalDirectUrl: 'http://127.0.0.1:9' };
    renderPanel({
      autoConnect: true,
      terminalDirectUrl: exporter().url,
      target: 'lxc',
      vmid: 105,
      fontSize: 18,
    });
    await waitState('connected');
    const term = FakeTerminal.instances[0]!;
    expect(term.options.fontSize).toBe(18);
    await waitFor(() => expect(term.written).toContain('entered CT 105'), { timeout: 20_000 });
  });

  it('waits for Connect unless told to connect on load', async () => {
    grafana.settings.jsonData = { ...grafana.settings.jsonData, terminalDirectUrl: exporter().url };
    renderPanel({});
    expect(await screen.findByTestId(ids.connect)).toBeInTheDocument();
    expect(screen.getByTestId(ids.status)).toHaveAttribute('data-state', 'idle');
  });

  it('asks for a container id when the target is a container without one', () => {
    renderPanel({ target: 'lxc' });
    expect(screen.getByText('Choose a container')).toBeInTheDocument();
    expect(FakeTerminal.instances).toHaveLength(0);
  });

  it('tells a Viewer the terminal is for admins', () => {
    setRole('Viewer');
    renderPanel({ autoConnect: true });
    expect(screen.getByText(/Only Grafana admins may open the proxmon terminal/)).toBeInTheDocument();
    expect(FakeTerminal.instances).toHaveLength(0);
  });
});
