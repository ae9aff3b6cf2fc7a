import { PanelPlugin } from '@grafana/data';
// The panel checks both in place (an invalid container id or direct URL is shown in the panel).
import { defaultPanelOptions, TerminalPanel, type TerminalPanelOptions } from './TerminalPanel';

export type { TerminalPanelOptions };

export const plugin = new PanelPlugin<TerminalPanelOptions>(TerminalPanel)
  .setNoPadding()
  .setPanelOptions((builder) =>
    builder
      .addRadio({
        path: 'target',
        name: 'Open',
        category: ['Terminal'],
        defaultValue: defaultPanelOptions.target,
        settings: {
          options: [
            { value: 'shell', label: 'Host shell' },
            { value: 'lxc', label: 'Container console' },
          ],
        },
      })
      .addNumberInput({
        path: 'vmid',
        name: 'Container id',
        description: 'The LXC container whose console to open (pct enter); it must run on this host.',
        category: ['Terminal'],
        settings: { integer: true, min: 100 },
        showIf: (o) => o.target === 'lxc',
      })
      .addBooleanSwitch({
        path: 'autoConnect',
        name: 'Connect on load',
        description: 'Open a session when the dashboard loads; otherwise the panel waits for Connect.',
        category: ['Terminal'],
        defaultValue: defaultPanelOptions.autoConnect,
      })
      .addNumberInput({
        path: 'fontSize',
        name: 'Font size',
        category: ['Terminal'],
        defaultValue: defaultPanelOptions.fontSize,
        settings: { integer: true, min: 8, max: 32 },
      })
      .addTextInput({
        path: 'terminalDirectUrl',
        name: 'Direct exporter URL',
        description:
          'Only where Grafana (or a proxy in front of it) cannot carry WebSocket upgrades: the exporter URL as the ' +
          "browser reaches it. Empty uses the app's setting, then Grafana's plugin proxy. The exporter must list " +
          "Grafana's origin in terminal.allowed_origins and Grafana's address in auth.trusted_proxies.",
        category: ['Connection'],
        defaultValue: defaultPanelOptions.terminalDirectUrl,
        settings: { placeholder: 'https://pve1.lan:8008' },
      })
      .addBooleanSwitch({
        path: 'ticketInQuery',
        name: 'Ticket in the URL',
        description:
          'Send the one-time ticket as ?ticket= instead of a WebSocket subprotocol (for proxies that drop it).',
        category: ['Connection'],
        defaultValue: defaultPanelOptions.ticketInQuery,
      }),
  );
