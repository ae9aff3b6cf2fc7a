import React from 'react';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import AppConfig, { type AppConfigProps, normaliseExporterUrl, validateExporterUrl } from './AppConfig';
import { testIds } from '../testIds';
import { configureApp, grafana, pluginMeta } from '../../test-support/grafana';
import { sharedExporter } from '../../test-support/exporter';

const exporter = sharedExporter();

const renderConfig = () =>
  render(<AppConfig plugin={{ meta: pluginMeta() } as AppConfigProps['plugin']} query={{}} />);

async function testConnection() {
  await userEvent.click(screen.getByTestId(testIds.appConfig.test));
  return within(await screen.findByTestId(testIds.appConfig.testResult));
}

describe('AppConfig', () => {
  beforeEach(() => configureApp(exporter));

  it('shows the exporter URL and that both tokens are set, without their values', () => {
    renderConfig();
    expect(screen.getByTestId(testIds.appConfig.exporterUrl)).toHaveValue(exporter.url);
    for (const id of [testIds.appConfig.readToken, testIds.appConfig.adminToken]) {
      expect(screen.getByTestId(id)).toHaveValue('configured');
      expect(screen.getByTestId(id)).toBeDisabled();
    }
    expect(document.body.textContent).not.toContain(exporter.readToken);
    expect(screen.getAllByRole('button', { name: 'Reset' })).toHaveLength(2);
  });

  it('validates the exporter URL before saving', async () => {
    expect(validateExporterUrl('http://pve1.lan:8008')).toBeUndefined();
    expect(validateExporterUrl('https://10.0.0.2/proxmon')).toBeUndefined();
    expect(validateExporterUrl('')).toMatch(/required/);
    expect(validateExporterUrl('pve1.lan:8008')).toMatch(/http/);
    expect(validateExporterUrl('ftp://pve1.lan')).toMatch(/http/);
    expect(validateExporterUrl('http://pve1.lan:8008/?x=1')).toMatch(/query/);
    expect(normaliseExporterUrl(' http://pve1.lan:8008/ ')).toBe('http://pve1.lan:8008');

    renderConfig();
    const input = screen.getByTestId(testIds.appConfig.exporterUrl);
    await userEvent.clear(input);
    await userEvent.type(input, 'ftp://pve1.lan');
    await userEvent.click(screen.getByTestId(testIds.appConfig.save));
    expect(await screen.findByText('Use http:// or https://')).toBeInTheDocument();
    expect(grafana.settings.jsonData.exporterUrl).toBe(exporter.url);
  });

  it('tests the saved settings through the proxy routes against the real exporter', async () => {
    renderConfig();
    const result = await testConnection();
    expect(result.getByText('Connection OK')).toBeInTheDocument();
    expect(result.getByText(/Read token: OK: connected to/)).toBeInTheDocument();
    expect(result.getByText('Admin token: OK: accepted with the admin scope')).toBeInTheDocument();
    expect(grafana.log.slice(-2).map((r) => `${r.status} ${r.target}`)).toEqual([
      `200 ${exporter.url}/api/system`,
      `200 ${exporter.url}/api/auth/users`,
    ]);
  });

  it('reports 401 when the exporter refuses a token', async () => {
    configureApp({ url: exporter.url, readToken: 'pxm_wrong', adminToken: exporter.readToken });
    renderConfig();
    const result = await testConnection();
    expect(result.getByText('Connection problem')).toBeInTheDocument();
    expect(result.getByText(/Read token: 401: the exporter refused the read token/)).toBeInTheDocument();
    // A valid token without the admin scope: the exporter answers 403.
    expect(result.getByText(/Admin token: 403: the admin token lacks the scope/)).toBeInTheDocument();
  });

  it('reports a network error when Grafana cannot reach the exporter', async () => {
    configureApp({
      url: 'http://127.0.0.1:1',
      readToken: exporter.readToken,
      adminToken: exporter.adminToken,
    });
    renderConfig();
    const result = await testConnection();
    expect(
      result.getByText(/Read token: network error: Grafana could not reach the exporter \(HTTP 502\)/),
    ).toBeInTheDocument();
  });

  it('saves the URL and only the secrets that changed, then tests the new settings', async () => {
    configureApp({ url: 'http://127.0.0.1:1', readToken: 'pxm_old', adminToken: exporter.adminToken });
    renderConfig();
    const input = screen.getByTestId(testIds.appConfig.exporterUrl);
    await userEvent.clear(input);
    await userEvent.type(input, `${exporter.url}/`);
    const [resetRead] = screen.getAllByRole('button', { name: 'Reset' });
    await userEvent.click(resetRead!);
    await userEvent.type(screen.getByTestId(testIds.appConfig.readToken), exporter.readToken);
    await userEvent.click(screen.getByTestId(testIds.appConfig.save));

    expect(await screen.findByText('Saved')).toBeInTheDocument();
    expect(grafana.settings.jsonData).toEqual({ exporterUrl: exporter.url });
    expect(grafana.settings.secureJsonData).toEqual({
      readToken: exporter.readToken,
      adminToken: exporter.adminToken,
    });
    expect(screen.getByTestId(testIds.appConfig.readToken)).toHaveValue('configured');
    expect((await testConnection()).getByText('Connection OK')).toBeInTheDocument();
  });
});
