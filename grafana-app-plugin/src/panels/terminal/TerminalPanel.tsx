import React, { useEffect, useState } from 'react';
import { lastValueFrom } from 'rxjs';
import { css } from '@emotion/css';
import type { GrafanaTheme2, PanelProps } from '@grafana/data';
import { getBackendSrv } from '@grafana/runtime';
import { Alert, useStyles2 } from '@grafana/ui';
import { PLUGIN_ID } from '../../constants';
import { isGrafanaAdmin } from '../../utils/roles';
import { testIds } from '../../components/testIds';
import type { TerminalTarget } from '../../terminal/protocol';
import { validateVmid, type TerminalJsonData } from '../../terminal/settings';
import { TerminalView } from '../../terminal/TerminalView';

export interface TerminalPanelOptions {
  /** `shell` (the host) or `lxc` (a container's console). */
  target: TerminalTarget['kind'];
  vmid?: number;
  autoConnect: boolean;
  fontSize: number;
  /** Overrides the app's jsonData.terminalDirectUrl; empty uses the app's, and then the plugin proxy. */
  terminalDirectUrl?: string;
  ticketInQuery: boolean;
}

export const defaultPanelOptions: TerminalPanelOptions = {
  target: 'shell',
  autoConnect: false,
  fontSize: 14,
  terminalDirectUrl: '',
  ticketInQuery: false,
};

/**
 * The app's terminal settings, for a panel without its own: a panel runs outside the app's pages, so it
 * reads them from Grafana's plugin settings API (allowed for admins, who alone may open the terminal).
 */
function useAppTerminalSettings(): TerminalJsonData | undefined {
  const [data, setData] = useState<TerminalJsonData>();
  useEffect(() => {
    let live = true;
    lastValueFrom(
      getBackendSrv().fetch<{ jsonData?: TerminalJsonData }>({
        url: `/api/plugins/${PLUGIN_ID}/settings`,
        showErrorAlert: false,
      }),
    ).then(
      (r) => live && setData(r.data.jsonData ?? {}),
      () => live && setData({}),
    );
    return () => {
      live = false;
    };
  }, []);
  return data;
}

export function TerminalPanel({ options, width, height }: PanelProps<TerminalPanelOptions>) {
  const styles = useStyles2(getStyles);
  const app = useAppTerminalSettings();
  const o = { ...defaultPanelOptions, ...options };

  if (!isGrafanaAdmin()) {
    return (
      <Alert severity="warning" title="Not allowed">
        Only Grafana admins may open the proxmon terminal.
      </Alert>
    );
  }
  const vmidError = o.target === 'lxc' ? validateVmid(String(o.vmid ?? '')) : undefined;
  if (vmidError) {
    return (
      <Alert severity="info" title="Choose a container">
        {vmidError} in the panel options (Terminal → Container id).
      </Alert>
    );
  }
  if (!app) {
    return null;
  }
  const target: TerminalTarget =
    o.target === 'lxc' ? { kind: 'lxc', vmid: Number(o.vmid) } : { kind: 'shell' };
  return (
    <div className={styles.box} style={{ width, height }} data-testid={testIds.terminal.panel}>
      <TerminalView
        key={o.target === 'lxc' ? `lxc/${o.vmid}` : 'shell'}
        target={target}
        directUrl={o.terminalDirectUrl?.trim() || app.terminalDirectUrl}
        ticketInQuery={o.ticketInQuery || app.terminalTicketInQuery}
        fontSize={o.fontSize}
        autoConnect={o.autoConnect}
      />
    </div>
  );
}

const getStyles = (_theme: GrafanaTheme2) => ({
  box: css({ display: 'flex', flexDirection: 'column', overflow: 'hidden' }),
});
