import React from 'react';
import { MemoryRouter } from 'react-router-dom';
import { render, screen } from '@testing-library/react';
import type { AppRootProps } from '@grafana/data';
import App from './App';
import { testIds } from '../testIds';
import { pluginMeta } from '../../test-support/grafana';
import type { AppJsonData } from '../../constants';

const props = {
  basename: 'a/proxmon-monitor-app',
  meta: pluginMeta(),
  query: {},
  path: '',
} as unknown as AppRootProps<AppJsonData>;

const renderAt = (route: string) =>
  render(
    <MemoryRouter initialEntries={[route]} future={{ v7_startTransition: true, v7_relativeSplatPath: true }}>
      <App {...props} />
    </MemoryRouter>,
  );

describe('App', () => {
  it('opens the Overview by default', async () => {
    renderAt('/');
    expect(await screen.findByTestId(testIds.overview.container)).toBeInTheDocument();
  });

  it.each([
    ['/health-settings', testIds.healthSettings.container],
    ['/notifications', testIds.notifications.container],
    ['/security', testIds.security.container],
    ['/terminal', testIds.terminal.container],
  ])('routes %s to its page', async (route, id) => {
    renderAt(route);
    expect(await screen.findByTestId(id)).toBeInTheDocument();
  });
});
