import React from 'react';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import HealthSettings from './HealthSettings';
import { api } from '../api/client';
import { testIds } from '../components/testIds';
import type {
  Exclusion,
  HealthInterface,
  HealthSettings as Settings,
  ThresholdTree,
} from './health-settings/api';
import { configureApp, grafana, setRole } from '../test-support/grafana';
import { ownExporter } from '../test-support/ownExporter';

// This file changes thresholds, suppression and exclusions, so it runs its own exporter.
const exporter = ownExporter();

// Every step waits for a real exporter; a loaded CI machine needs more than jest.config's 60 s.
jest.setTimeout(180_000);
// No pause between keystrokes: typing stays fast on a busy machine.
const user = userEvent.setup({ delay: null });

const ids = testIds.healthSettings;

async function renderPage(tab?: 'thresholds' | 'exclusions') {
  render(<HealthSettings />);
  // All three sections load at once (each tab stays mounted); wait for every one to answer.
  await waitFor(() => expect(screen.queryAllByTestId(testIds.pageState.loading)).toHaveLength(0));
  if (tab) {
    await user.click(screen.getByTestId(ids.tab(tab)));
  }
}

/** Replaces what a field holds, as a user would. */
async function retype(input: HTMLElement, text: string) {
  await user.clear(input);
  if (text) {
    await user.type(input, text);
  }
}

/** The requests that changed something since `from` (an index into the Grafana stand-in's log). */
const writesSince = (from: number) => grafana.log.slice(from).filter((r) => r.method !== 'GET');

const thresholds = () => api<ThresholdTree>('health/thresholds');

describe('Health settings: thresholds', () => {
  it('shows value, unit and default, saves a change and reads it back, then resets the section', async () => {
    await renderPage('thresholds');
    const input = await screen.findByTestId(ids.threshold('cpu', 'usage_warning'));
    expect(input).toHaveValue(85);
    const field = screen.getByTestId(ids.thresholdField('cpu', 'usage_warning'));
    expect(field).toHaveTextContent('Default 85%; 1% to 100%');
    expect(field).toHaveTextContent('%');
    expect(screen.getByTestId(ids.thresholdField('cpu', 'temperature_warning'))).toHaveTextContent('°C');

    await retype(input, '80');
    expect(field).toHaveTextContent('unsaved');
    await user.click(screen.getByTestId(ids.thresholdSave('cpu')));
    expect(await screen.findByTestId(ids.status('thresholds-cpu'))).toHaveTextContent('CPU thresholds saved');
    expect((await thresholds()).cpu!.usage_warning).toMatchObject({ value: 80, customised: true });
    expect(field).toHaveTextContent('differs from default');
    expect(field).not.toHaveTextContent('unsaved');

    // "Use default" puts the default back in the field; it is stored with the next save.
    await user.click(screen.getByTestId(ids.thresholdUseDefault('cpu', 'usage_warning')));
    expect(input).toHaveValue(85);
    await user.click(screen.getByTestId(ids.thresholdSave('cpu')));
    await screen.findByText('CPU thresholds saved');
    expect((await thresholds()).cpu!.usage_warning!.value).toBe(85);

    // Reset drops the section's stored overrides (after a confirm).
    await api('health/thresholds', { method: 'PUT', data: { cpu: { usage_critical: 97 } } });
    const cpu = screen.getByRole('region', { name: 'CPU thresholds' });
    await user.click(screen.getByTestId(ids.thresholdReset('cpu')));
    await user.click(await within(cpu).findByRole('button', { name: 'Yes, reset' }));
    expect(await screen.findByTestId(ids.status('thresholds-cpu'))).toHaveTextContent(
      'CPU thresholds are back to defaults',
    );
    const after = await thresholds();
    expect(after.cpu!.usage_critical).toMatchObject({ value: 95, customised: false });
    expect(after.cpu!.usage_warning!.customised).toBe(false);
    expect(screen.getByTestId(ids.threshold('cpu', 'usage_critical'))).toHaveValue(95);
  });

  it('refuses an out-of-range or out-of-order value before sending it', async () => {
    await renderPage('thresholds');
    const input = await screen.findByTestId(ids.threshold('cpu', 'usage_warning'));
    const from = grafana.log.length;

    await retype(input, '150');
    const field = screen.getByTestId(ids.thresholdField('cpu', 'usage_warning'));
    expect(field).toHaveTextContent('Must be between 1% and 100%');
    await user.click(screen.getByTestId(ids.thresholdSave('cpu')));
    expect(await screen.findByTestId(ids.status('thresholds-cpu'))).toHaveTextContent('nothing was sent');

    // In range but above the critical value (95): the exporter would refuse it too.
    await retype(input, '96');
    expect(field).toHaveTextContent('Must not be above usage_critical (95)');
    await user.click(screen.getByTestId(ids.thresholdSave('cpu')));

    expect(writesSince(from)).toEqual([]);
    expect((await thresholds()).cpu!.usage_warning!.value).toBe(85);
  });
});

describe('Health settings: suppression', () => {
  it('sets category suppression: hours, permanent and auto-dismiss', async () => {
    await renderPage();
    const cpuHours = await screen.findByTestId(ids.dismissHours('cpu'));
    expect(cpuHours).toHaveValue(24);
    const from = grafana.log.length;

    // A value outside 1 h to ten years is refused on its field.
    await retype(screen.getByTestId(ids.dismissHours('memory')), '0');
    await user.click(screen.getByTestId(ids.suppressionSave));
    expect(await screen.findByTestId(ids.status('suppression'))).toHaveTextContent('Fix Memory');
    expect(screen.getByText('Between 1 and 87600 hours (ten years)')).toBeInTheDocument();
    expect(writesSince(from)).toEqual([]);
    await retype(screen.getByTestId(ids.dismissHours('memory')), '24');

    await retype(cpuHours, '72');
    expect(screen.getByText('3 days')).toBeInTheDocument();
    await user.click(screen.getByTestId(ids.dismissPermanent('disks')));
    expect(screen.getByTestId(ids.dismissHours('disks'))).toBeDisabled();
    await user.click(screen.getByTestId(ids.autoDismiss('logs')));
    await user.click(screen.getByTestId(ids.suppressionSave));
    expect(await screen.findByTestId(ids.status('suppression'))).toHaveTextContent(
      'Suppression settings saved',
    );

    const { suppression } = await api<Settings>('health/settings');
    expect(suppression.cpu).toEqual({ dismiss_hours: 72, auto_dismiss: false });
    expect(suppression.disks).toEqual({ dismiss_hours: 'permanent', auto_dismiss: false });
    expect(suppression.logs).toEqual({ dismiss_hours: 24, auto_dismiss: true });
    expect(suppression.memory).toEqual({ dismiss_hours: 24, auto_dismiss: false });
    // Only the categories that changed were sent.
    expect(writesSince(from).map((r) => `${r.method} ${r.url.replace(/^.*\/api\//, '')}`)).toEqual([
      'PUT health/settings',
    ]);
  });
});

describe('Health settings: exclusions', () => {
  const exclusions = async () => (await api<{ exclusions: Exclusion[] }>('health/exclusions')).exclusions;

  it('adds an interface exclusion picked from the list, changes its flags and removes it', async () => {
    await renderPage('exclusions');
    const list = await screen.findByTestId(ids.exclusionList);
    expect(within(list).getByText('No storage or interface is excluded.')).toBeInTheDocument();

    await user.click(await screen.findByTestId(ids.exclusionPick('lo')));
    expect(screen.getByTestId(ids.exclusionName)).toHaveValue('lo');
    // Keep it in health checks, out of notifications only.
    await user.click(screen.getByTestId(ids.exclusionHealth));
    await user.type(screen.getByTestId(ids.exclusionReason), 'loopback is noise');
    await user.click(screen.getByTestId(ids.exclusionAdd));

    expect(await screen.findByTestId(ids.status('exclusions'))).toHaveTextContent('Interface lo excluded');
    expect(await screen.findByTestId(ids.exclusionRow('interface', 'lo'))).toBeInTheDocument();
    expect(await exclusions()).toEqual([
      expect.objectContaining({
        kind: 'interface',
        name: 'lo',
        exclude_health: false,
        exclude_notifications: true,
        reason: 'loopback is noise',
      }),
    ]);
    const { interfaces } = await api<{ interfaces: HealthInterface[] }>('health/interfaces');
    expect(interfaces.find((i) => i.name === 'lo')).toMatchObject({
      excluded_from_health: false,
      excluded_from_notifications: true,
    });
    // An excluded one is no longer offered.
    expect(screen.queryByTestId(ids.exclusionPick('lo'))).not.toBeInTheDocument();

    await user.click(screen.getByTestId(ids.exclusionRowHealth('interface', 'lo')));
    expect(await screen.findByText('lo updated')).toBeInTheDocument();
    await waitFor(() => expect(screen.getByTestId(ids.exclusionRowHealth('interface', 'lo'))).toBeChecked());
    expect((await exclusions())[0]).toMatchObject({ exclude_health: true, reason: 'loopback is noise' });

    const row = screen.getByTestId(ids.exclusionRow('interface', 'lo')).closest('tr')!;
    await user.click(screen.getByTestId(ids.exclusionRemove('interface', 'lo')));
    await user.click(await within(row).findByRole('button', { name: 'Yes, remove' }));
    expect(await screen.findByText('lo is no longer excluded')).toBeInTheDocument();
    expect(await within(list).findByText('No storage or interface is excluded.')).toBeInTheDocument();
    expect(await exclusions()).toEqual([]);
  });

  it('refuses a bad name, no flags and a duplicate before sending', async () => {
    await api('health/exclusions/storage/backup-usb', { method: 'PUT', data: { exclude_health: true } });
    await renderPage('exclusions');
    await screen.findByTestId(ids.exclusionRow('storage', 'backup-usb'));
    const from = grafana.log.length;

    await user.click(within(screen.getByTestId(ids.exclusionKind)).getByRole('radio', { name: 'Storage' }));
    // This test exporter has no PVE, so there is nothing to pick from.
    expect(await screen.findByText(/^No suggestions: .*; type the name\.$/)).toBeInTheDocument();
    await user.type(screen.getByTestId(ids.exclusionName), 'a/b');
    await user.click(screen.getByTestId(ids.exclusionAdd));
    expect(await screen.findByText(/Up to 64 letters, digits/)).toBeInTheDocument();
    expect(screen.getByTestId(ids.status('exclusions'))).toHaveTextContent('nothing was sent');

    await retype(screen.getByTestId(ids.exclusionName), 'backup-usb');
    expect(screen.getByText('Already excluded: change it in the list below')).toBeInTheDocument();
    await retype(screen.getByTestId(ids.exclusionName), 'nfs-1');
    await user.click(screen.getByTestId(ids.exclusionHealth));
    await user.click(screen.getByTestId(ids.exclusionNotifications));
    await user.click(screen.getByTestId(ids.exclusionAdd));
    expect(
      screen.getByText('An exclusion must cover health checks, notifications or both'),
    ).toBeInTheDocument();

    // Switching both flags off in the list is refused as well (removing is the way to include it again).
    // The list's rows render again after each write, so query them afresh.
    const rowNotifications = () => screen.getByTestId(ids.exclusionRowNotifications('storage', 'backup-usb'));
    const rowHealth = () => screen.getByTestId(ids.exclusionRowHealth('storage', 'backup-usb'));
    await user.click(rowNotifications());
    expect(await screen.findByText('backup-usb updated')).toBeInTheDocument();
    await waitFor(() => expect(rowNotifications()).not.toBeChecked());
    await waitFor(() => expect(rowHealth()).toBeEnabled());
    await user.click(rowHealth());
    expect(screen.getByTestId(ids.status('exclusions'))).toHaveTextContent('remove the exclusion');

    expect(writesSince(from).map((r) => r.method)).toEqual(['PUT']); // only the notifications switch
    await api('health/exclusions/storage/backup-usb', { method: 'DELETE' });
  });
});

describe('Health settings: read-only', () => {
  it('shows a Grafana Viewer the settings without anything to change them', async () => {
    setRole('Viewer');
    await renderPage();
    expect(await screen.findByTestId(ids.dismissHours('cpu'))).toBeDisabled();
    expect(screen.getByTestId(ids.readOnly)).toHaveTextContent('needs the Grafana Admin role');
    expect(screen.queryByTestId(ids.suppressionSave)).not.toBeInTheDocument();
    expect(await screen.findByTestId(ids.threshold('cpu', 'usage_warning'))).toBeDisabled();
    expect(screen.queryByTestId(ids.thresholdSave('cpu'))).not.toBeInTheDocument();
    expect(screen.queryByTestId(ids.thresholdResetAll)).not.toBeInTheDocument();
    expect(screen.queryByTestId(ids.exclusionAdd)).not.toBeInTheDocument();
  });

  it('turns read-only with the forbidden state when the exporter refuses the write', async () => {
    // The admin routes carry a token with only the read scope.
    configureApp({ url: exporter().url, readToken: exporter().readToken, adminToken: exporter().readToken });
    await renderPage();
    const hours = await screen.findByTestId(ids.dismissHours('security'));
    await retype(hours, '48');
    await user.click(screen.getByTestId(ids.suppressionSave));

    const readOnly = await screen.findByTestId(ids.readOnly);
    expect(within(readOnly).getByTestId(testIds.pageState.forbidden)).toHaveTextContent(
      'this needs the write scope',
    );
    expect(screen.getByTestId(ids.status('suppression'))).toHaveTextContent('Not allowed');
    expect(screen.queryByTestId(ids.suppressionSave)).not.toBeInTheDocument();
    expect(screen.getByTestId(ids.dismissHours('security'))).toBeDisabled();
    expect(screen.queryByTestId(ids.exclusionAdd)).not.toBeInTheDocument();
    configureApp(exporter());
    expect((await api<Settings>('health/settings')).suppression.security!.dismiss_hours).toBe(24);
  });

  it('shows the error state in each section when the exporter refuses the read token', async () => {
    configureApp({ url: exporter().url, readToken: 'pxm_wrong', adminToken: exporter().adminToken });
    await renderPage();
    // Each section loads on its own: suppression, thresholds, exclusions.
    await waitFor(() => expect(screen.getAllByTestId(testIds.pageState.error)).toHaveLength(3));
    const errors = screen.getAllByTestId(testIds.pageState.error);
    expect(errors[0]).toHaveTextContent('Could not load the suppression settings');
    expect(errors[0]).toHaveTextContent(/refused the token/);
  });
});
