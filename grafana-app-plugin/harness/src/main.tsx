import './boot';
import React, { useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { MemoryRouter, Route, Routes, useLocation, useNavigate } from 'react-router-dom';
import { css } from '@emotion/css';
import {
  type AppPluginMeta,
  type AppRootProps,
  createTheme,
  type GrafanaTheme2,
  type PanelProps,
  PluginContextProvider,
  PluginType,
  ThemeContext,
} from '@grafana/data';
import { setBackendSrv } from '@grafana/runtime';
import { Alert, GlobalStyles, LoadingPlaceholder, Tab, TabsBar, useStyles2 } from '@grafana/ui';
import App from '../../src/components/App/App';
import AppConfig from '../../src/components/AppConfig/AppConfig';
import {
  defaultPanelOptions,
  TerminalPanel,
  type TerminalPanelOptions,
} from '../../src/panels/terminal/TerminalPanel';
import { PLUGIN_BASE_URL, PLUGIN_ID, type AppJsonData } from '../../src/constants';
import pluginJson from '../../src/plugin.json';
import { harnessBackendSrv } from './backendSrv';

/**
 * The plugin's pages as Grafana would show them, without Grafana: the app (its own router below
 * /a/<id>), the configuration page and the terminal panel, with real @grafana/ui and Grafana's dark
 * theme, talking to the harness server as if it were Grafana. `?path=` picks the first page.
 */

setBackendSrv(harnessBackendSrv);

const PAGES = [
  { id: 'overview', title: 'Overview', path: `${PLUGIN_BASE_URL}/overview` },
  { id: 'health-settings', title: 'Health settings', path: `${PLUGIN_BASE_URL}/health-settings` },
  { id: 'notifications', title: 'Notifications', path: `${PLUGIN_BASE_URL}/notifications` },
  { id: 'security', title: 'Security', path: `${PLUGIN_BASE_URL}/security` },
  { id: 'terminal', title: 'Terminal', path: `${PLUGIN_BASE_URL}/terminal` },
  { id: 'config', title: 'Configuration', path: `/plugins/${PLUGIN_ID}` },
  { id: 'panel', title: 'Terminal panel', path: '/panel' },
];

/** The panel as a dashboard would hold it: only what it reads. */
const panelProps = {
  options: defaultPanelOptions,
  width: 880,
  height: 400,
} as unknown as PanelProps<TerminalPanelOptions>;

async function loadMeta(): Promise<AppPluginMeta<AppJsonData>> {
  const res = await fetch(`/api/plugins/${PLUGIN_ID}/settings`);
  const s = (await res.json()) as Pick<
    AppPluginMeta<AppJsonData>,
    'enabled' | 'pinned' | 'jsonData' | 'secureJsonFields'
  >;
  return {
    id: PLUGIN_ID,
    name: pluginJson.name,
    type: PluginType.app,
    enabled: s.enabled,
    pinned: s.pinned,
    jsonData: s.jsonData,
    secureJsonFields: s.secureJsonFields,
    module: '',
    baseUrl: `public/plugins/${PLUGIN_ID}`,
    info: {
      author: { name: 'proxmon' },
      description: pluginJson.info.description,
      links: [],
      logos: { small: '', large: '' },
      screenshots: [],
      updated: '',
      version: 'harness',
      keywords: [],
    },
  };
}

function Shell({ meta }: { meta: AppPluginMeta<AppJsonData> }) {
  const styles = useStyles2(getStyles);
  const location = useLocation();
  const navigate = useNavigate();
  const current = PAGES.find((p) => location.pathname.startsWith(p.path));
  const appProps = {
    meta,
    basename: PLUGIN_BASE_URL,
    query: {},
    path: PLUGIN_BASE_URL,
  } as unknown as AppRootProps<AppJsonData>;

  return (
    <div className={styles.shell}>
      <header className={styles.header}>
        <span className={styles.brand}>proxmon · browser harness (no Grafana server)</span>
      </header>
      <TabsBar className={styles.tabs}>
        {PAGES.map((p) => (
          <Tab
            key={p.id}
            label={p.title}
            active={current?.id === p.id}
            onChangeTab={() => navigate(p.path)}
            data-testid={`harness-nav-${p.id}`}
          />
        ))}
      </TabsBar>
      <main className={styles.main}>
        <h1 data-testid="harness-title">{current?.title ?? 'proxmon'}</h1>
        <PluginContextProvider meta={meta}>
          <Routes>
            <Route path={`${PLUGIN_BASE_URL}/*`} element={<App {...appProps} />} />
            <Route
              path={`/plugins/${PLUGIN_ID}`}
              element={<AppConfig plugin={{ meta } as never} query={{}} />}
            />
            <Route
              path="/panel"
              element={
                <div className={styles.panel}>
                  <TerminalPanel {...panelProps} />
                </div>
              }
            />
            <Route path="*" element={<Alert title="Unknown harness page">{location.pathname}</Alert>} />
          </Routes>
        </PluginContextProvider>
      </main>
    </div>
  );
}

function Root() {
  const [meta, setMeta] = useState<AppPluginMeta<AppJsonData>>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    loadMeta().then(setMeta, (e: unknown) => setError(String(e)));
  }, []);
  const initial = new URLSearchParams(window.location.search).get('path') ?? PAGES[0]!.path;
  if (error) {
    return <Alert title="Could not load the app settings">{error}</Alert>;
  }
  if (!meta) {
    return <LoadingPlaceholder text="Loading the app settings…" />;
  }
  return (
    <MemoryRouter
      initialEntries={[initial]}
      future={{ v7_startTransition: true, v7_relativeSplatPath: true }}
    >
      <Shell meta={meta} />
    </MemoryRouter>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  shell: css({ minHeight: '100vh', background: theme.colors.background.canvas }),
  header: css({
    display: 'flex',
    alignItems: 'center',
    height: theme.spacing(5),
    padding: theme.spacing(0, 2),
    background: theme.colors.background.primary,
    borderBottom: `1px solid ${theme.colors.border.weak}`,
  }),
  brand: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
  tabs: css({ padding: theme.spacing(0, 2), background: theme.colors.background.primary }),
  main: css({ padding: theme.spacing(2, 3) }),
  panel: css({
    width: 900,
    height: 420,
    background: theme.colors.background.primary,
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    padding: theme.spacing(1),
  }),
});

const theme = createTheme({ colors: { mode: 'dark' } });
createRoot(document.getElementById('root')!).render(
  <ThemeContext.Provider value={theme}>
    <GlobalStyles />
    <Root />
  </ThemeContext.Provider>,
);
