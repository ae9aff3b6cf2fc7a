import React, { useMemo, useState } from 'react';
import { css } from '@emotion/css';
import { type GrafanaTheme2, type SelectableValue, usePluginContext } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import { Combobox, type ComboboxOption, Field, RadioButtonGroup, Stack, Text, useStyles2 } from '@grafana/ui';
import { api } from '../api/client';
import { useApi } from '../api/useApi';
import { PageForbidden } from '../components/PageState';
import { testIds } from '../components/testIds';
import { isGrafanaAdmin } from '../utils/roles';
import type { TerminalTarget } from '../terminal/protocol';
import { validateVmid, type TerminalJsonData } from '../terminal/settings';
import { targetLabel, TerminalView } from '../terminal/TerminalView';

const ids = testIds.terminal;

interface Guest {
  vmid: number;
  name: string | null;
  type: 'qemu' | 'lxc';
  node: string | null;
  status: string | null;
  template: boolean | null;
}

interface VmsResponse {
  scope: 'node' | 'cluster' | null;
  node: string | null;
  guests: Guest[];
}

/** Containers `pct enter` can reach from this host: LXC, not templates, on this node. */
export function containerOptions(r: VmsResponse | undefined): Array<ComboboxOption<string>> {
  return (r?.guests ?? [])
    .filter((g) => g.type === 'lxc' && !g.template && (!r?.node || !g.node || g.node === r.node))
    .sort((a, b) => a.vmid - b.vmid)
    .map((g) => ({
      value: String(g.vmid),
      label: `${g.vmid}${g.name ? ` (${g.name})` : ''}`,
      description:
        g.status && g.status !== 'running' ? `${g.status}: the console needs it running` : undefined,
    }));
}

type Kind = TerminalTarget['kind'];
const KINDS: Array<SelectableValue<Kind>> = [
  { label: 'Host shell', value: 'shell', icon: 'brackets-curly' },
  { label: 'Container console', value: 'lxc', icon: 'cube' },
];

function Terminal() {
  const styles = useStyles2(getStyles);
  const jsonData = (usePluginContext<TerminalJsonData>()?.meta.jsonData ?? {}) as TerminalJsonData;
  const [kind, setKind] = useState<Kind>('shell');
  const [vmid, setVmid] = useState('');
  const admin = isGrafanaAdmin();
  // The container list is a convenience: without PVE (or with a read error) an id can still be typed.
  const vms = useApi(
    () => (admin && kind === 'lxc' ? api<VmsResponse>('vms') : Promise.resolve(undefined)),
    [admin, kind],
  );
  const options = useMemo(() => containerOptions(vms.data), [vms.data]);
  const vmidError = kind === 'lxc' ? validateVmid(vmid) : undefined;

  // Only a complete choice makes a target; changing it ends the running session.
  const target: TerminalTarget | undefined =
    kind === 'shell' ? { kind: 'shell' } : vmidError ? undefined : { kind: 'lxc', vmid: Number(vmid) };

  if (!admin) {
    return (
      <PluginPage>
        <div data-testid={ids.container}>
          <PageForbidden />
        </div>
      </PluginPage>
    );
  }

  return (
    <PluginPage subTitle="A shell on the host, or a container's console, as the exporter's user. Every session is audited.">
      <div className={styles.page} data-testid={ids.container}>
        <Stack direction="row" gap={2} alignItems="flex-start" wrap="wrap">
          {/* Field hands `invalid` to its child: the test ids sit on wrappers, not between. */}
          <div data-testid={ids.target}>
            <Field label="Open" noMargin>
              <RadioButtonGroup<Kind> options={KINDS} value={kind} onChange={setKind} />
            </Field>
          </div>
          {kind === 'lxc' ? (
            <div className={styles.vmid}>
              <Field
                label="Container"
                description={
                  vms.error ? `Container list unavailable (${vms.error.message}); type an id` : undefined
                }
                invalid={!!vmid && !!vmidError}
                error={vmid ? <span data-testid={ids.vmidError}>{vmidError}</span> : undefined}
                noMargin
              >
                <Combobox<string>
                  options={options}
                  value={vmid || null}
                  onChange={(o) => setVmid(o?.value ?? '')}
                  isClearable
                  createCustomValue
                  customValueDescription="a container id"
                  loading={vms.loading}
                  invalid={!!vmid && !!vmidError}
                  placeholder="Choose or type an id"
                  noOptionsMessage="No containers on this host; type an id"
                  data-testid={ids.vmid}
                />
              </Field>
            </div>
          ) : null}
        </Stack>
        {jsonData.terminalDirectUrl ? (
          <Text color="secondary" variant="bodySmall">
            Connecting straight to the exporter at {jsonData.terminalDirectUrl} (terminalDirectUrl), not
            through Grafana.
          </Text>
        ) : null}
        <div className={styles.terminal}>
          {target ? (
            <TerminalView
              key={targetLabel(target)}
              target={target}
              directUrl={jsonData.terminalDirectUrl}
              ticketInQuery={jsonData.terminalTicketInQuery}
            />
          ) : (
            <Text color="secondary">Choose a container to open its console.</Text>
          )}
        </div>
      </div>
    </PluginPage>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  page: css({
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(2),
  }),
  vmid: css({ minWidth: 260 }),
  terminal: css({
    // The page scrolls in Grafana's layout; give the terminal most of the viewport.
    height: 'calc(100vh - 300px)',
    minHeight: 320,
  }),
});

export default Terminal;
