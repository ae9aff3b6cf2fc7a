import React from 'react';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import Overview from './Overview';
import { api, ApiError } from '../api/client';
import type { HealthError } from '../api/health';
import { testIds } from '../components/testIds';
import { configureApp, setRole } from '../test-support/grafana';
import { ownExporter } from '../test-support/ownExporter';

// This file dismisses errors and changes thresholds, so it runs its own exporter rather than the shared one.
const exporter = ownExporter();
let errorKey: string;

const ids = testIds.overview;
const section = (id: string) => within(screen.getByTestId(id));

async function renderOverview() {
  render(<Overview />);
  return screen.findByTestId(ids.overall);
}

beforeAll(async () => {
  configureApp(exporter());
  // The test machine's own load must not decide the first cycle (a busy CI machine runs its CPU above
  // the default 85 %): only the threshold a test lowers on purpose raises an error here.
  const ceiling = { usage_warning: 100, usage_critical: 100, usage_recovery: 99 };
  await api('health/thresholds', { method: 'PUT', data: { cpu: ceiling, memory: ceiling } });
  await api('health/run', { method: 'POST' });
}, 120_000);

describe('Overview', () => {
  it('shows every category of the first cycle and the empty states', async () => {
    await renderOverview();
    for (const c of ['cpu', 'memory', 'disks', 'network', 'logs', 'updates', 'security']) {
      expect(screen.getByTestId(ids.category(c))).toBeInTheDocument();
    }
    expect(section(ids.activeErrors).getByText('No active errors.')).toBeInTheDocument();
    expect(section(ids.dismissedErrors).getByText('Nothing is dismissed.')).toBeInTheDocument();
  });

  it('lists a real error: a filesystem over a warning threshold lowered to 1%', async () => {
    // Any mounted disk is more than 1% full, so the next cycle raises a real disk_space warning.
    await api('health/thresholds', { method: 'PUT', data: { disks: { filesystem_warning: 1 } } });
    await api('health/run', { method: 'POST' });
    const { errors } = await api<{ errors: HealthError[] }>('health/active-errors');
    const found = errors.find((e) => e.check === 'disk_space');
    if (!found) {
      throw new Error(`no disk_space error after lowering the threshold: ${JSON.stringify(errors)}`);
    }
    errorKey = found.error_key;

    await renderOverview();
    expect(screen.getByTestId(ids.overall)).toHaveTextContent(/WARNING|CRITICAL/);
    expect(screen.getByTestId(ids.category('disks'))).toHaveTextContent(/WARNING|CRITICAL/);
    expect(section(ids.activeErrors).getByTestId(ids.errorRow(errorKey))).toHaveTextContent(found.reason);
  });

  it('dismisses it for 24 hours, shows it as dismissed, and un-dismisses it', async () => {
    await renderOverview();
    await userEvent.click(section(ids.activeErrors).getByTestId(ids.dismiss(errorKey)));
    await userEvent.click(await screen.findByTestId(ids.dismissDuration('24h')));

    expect(await section(ids.dismissedErrors).findByTestId(ids.errorRow(errorKey))).toBeInTheDocument();
    expect(section(ids.activeErrors).queryByTestId(ids.errorRow(errorKey))).not.toBeInTheDocument();
    const { errors } = await api<{ errors: HealthError[] }>('health/dismissed');
    expect(errors.map((e) => e.error_key)).toEqual([errorKey]);
    const hours = (Date.parse(errors[0]!.dismiss_expires_at!) - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(23.5);
    expect(hours).toBeLessThanOrEqual(24);

    await userEvent.click(section(ids.dismissedErrors).getByTestId(ids.undismiss(errorKey)));
    expect(await section(ids.activeErrors).findByTestId(ids.errorRow(errorKey))).toBeInTheDocument();
    expect(section(ids.dismissedErrors).getByText('Nothing is dismissed.')).toBeInTheDocument();
    expect((await api<{ errors: HealthError[] }>('health/dismissed')).errors).toEqual([]);
  });

  it('dismisses permanently', async () => {
    await renderOverview();
    await userEvent.click(section(ids.activeErrors).getByTestId(ids.dismiss(errorKey)));
    await userEvent.click(await screen.findByTestId(ids.dismissDuration('permanent')));
    const row = await section(ids.dismissedErrors).findByTestId(ids.errorRow(errorKey));
    expect(row.closest('tr')).toHaveTextContent('permanently');
    await api('health/un-acknowledge', { method: 'POST', data: { error_key: errorKey } });
  });

  it('shows a Viewer the errors without the actions the routes would refuse', async () => {
    setRole('Viewer');
    await renderOverview();
    expect(section(ids.activeErrors).getByTestId(ids.errorRow(errorKey))).toBeInTheDocument();
    expect(screen.queryByTestId(ids.dismiss(errorKey))).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Run checks now' })).not.toBeInTheDocument();
    // And the route table itself refuses a Viewer's POST, before it reaches the exporter.
    const refused = await api('health/acknowledge', { method: 'POST', data: { error_key: errorKey } }).catch(
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused).toMatchObject({ status: 403, kind: 'forbidden', code: 'route_denied' });
  });

  it('shows the error state when the exporter refuses the token', async () => {
    configureApp({ url: exporter().url, readToken: 'pxm_wrong', adminToken: exporter().adminToken });
    render(<Overview />);
    const error = await screen.findByTestId(testIds.pageState.error);
    expect(error).toHaveTextContent('Could not load the health status');
    expect(error).toHaveTextContent(/refused the token/);
    expect(within(error).getByTestId(testIds.pageState.retry)).toBeInTheDocument();
  });

  it('shows the forbidden state when the token lacks the read scope', async () => {
    const { token } = await api<{ token: string }>('auth/tokens', {
      method: 'POST',
      data: { name: 'terminal-only', scopes: ['terminal'] },
    });
    configureApp({ url: exporter().url, readToken: token, adminToken: exporter().adminToken });
    render(<Overview />);
    expect(await screen.findByTestId(testIds.pageState.forbidden)).toHaveTextContent('Not allowed');
  });
});
