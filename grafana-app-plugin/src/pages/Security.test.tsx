import React from 'react';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import path from 'path';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import Security, { type SecurityTabId } from './Security';
import { api } from '../api/client';
import { testIds } from '../components/testIds';
import type { ApiToken, AuditPage, Fail2banStatus, User } from './security/api';
import { fail2banInstalled, startFail2ban, totpCode, type Fail2ban } from './security/testkit';
import { configureApp, grafana, setRole } from '../test-support/grafana';
import { sharedExporter, startExporter } from '../test-support/exporter';
import { ownExporter } from '../test-support/ownExporter';

// This file creates tokens and users and turns TOTP on and off, so it runs its own exporter. Where
// fail2ban is installed (CI installs it) that exporter reads a real fail2ban-server's proxmon jail with
// one address banned; the run's shared exporter has no jail, for the "not available" state.
let f2b: Fail2ban | undefined;
let scratch: string;
const BANNED = '203.0.113.7';

/** The password test-support/exporter.ts gives the CLI-made admin (the user the app's tokens belong to). */
const ADMIN_PASSWORD = 'plugin test password';

jest.setTimeout(180_000);
const user = userEvent.setup({ delay: null });
const ids = testIds.security;

async function renderPage(tab: SecurityTabId) {
  render(<Security initialTab={tab} />);
  expect(await screen.findByTestId(ids.container)).toBeInTheDocument();
}

/** The table row holding the element with `testId`. */
const rowOf = (testId: string) => screen.getByTestId(testId).closest('tr')!;

const writesSince = (from: number) => grafana.log.slice(from).filter((r) => r.method !== 'GET');

const exporter = ownExporter(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), 'proxmon-plugin-security-'));
  const config = path.join(scratch, 'proxmon.yaml');
  const authLog = path.join(scratch, 'auth.log');
  if (fail2banInstalled()) {
    f2b = await startFail2ban(authLog);
    // Banned before the exporter starts, so its first look at the jail (cached 30 s) sees it.
    f2b.client(['set', 'proxmon', 'banip', BANNED]);
  }
  writeFileSync(config, `auth:\n  log_file: ${authLog}\n${f2b ? `  fail2ban_socket: ${f2b.socket}\n` : ''}`);
  return startExporter({ PROXMON_CONFIG: config });
}, 180_000);

// After ownExporter's: the exporter stops before the jail it reads.
afterAll(async () => {
  await f2b?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

describe('Security: API tokens', () => {
  it('checks the form before sending', async () => {
    await renderPage('tokens');
    await screen.findByTestId(ids.tokens.list);
    await user.click(screen.getByTestId(ids.tokens.scope('read'))); // the only scope, now off
    const from = grafana.log.length;
    await user.click(screen.getByTestId(ids.tokens.create));
    expect(await screen.findByText(/A name is required/)).toBeInTheDocument();
    expect(screen.getByText('Pick at least one scope.')).toBeInTheDocument();
    expect(writesSince(from)).toEqual([]);
  });

  it('creates a token, shows it once with a copy button, lists it, then revokes it after a confirm', async () => {
    await renderPage('tokens');
    await user.type(screen.getByTestId(ids.tokens.name), 'ci-deploy');
    await user.click(screen.getByTestId(ids.tokens.scope('write')));
    await user.click(within(screen.getByTestId(ids.tokens.expiry)).getByLabelText('30 days'));
    await user.click(screen.getByTestId(ids.tokens.create));

    const created = await screen.findByTestId(ids.tokens.created);
    const value = (within(created).getByTestId(ids.tokens.createdValue) as HTMLInputElement).value;
    expect(value).toMatch(/^pxm_/);
    expect(within(created).getByTestId(ids.tokens.copy)).toHaveTextContent('Copy');

    const listed = (await api<ApiToken[]>('auth/tokens')).find((t) => t.name === 'ci-deploy')!;
    expect(listed).toMatchObject({ scopes: ['read', 'write'], revoked: false });
    const days = (Date.parse(listed.expires_at!) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);
    // The list never carries the token itself.
    expect(JSON.stringify(await api('auth/tokens'))).not.toContain(value);
    expect(await screen.findByTestId(ids.tokens.row(listed.id))).toHaveTextContent('ci-deploy');

    // Done hides it for good: it cannot be read back.
    await user.click(screen.getByTestId(ids.tokens.done));
    expect(screen.queryByTestId(ids.tokens.created)).not.toBeInTheDocument();
    expect(screen.queryByDisplayValue(value)).not.toBeInTheDocument();

    const row = rowOf(ids.tokens.row(listed.id));
    await user.click(within(row).getByTestId(ids.tokens.revoke(listed.id)));
    await user.click(await within(row).findByRole('button', { name: 'Yes, revoke' }));
    expect(await screen.findByText('Token ci-deploy revoked')).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByTestId(ids.tokens.row(listed.id))).not.toBeInTheDocument());
    expect((await api<ApiToken[]>('auth/tokens')).find((t) => t.id === listed.id)?.revoked).toBe(true);

    await user.click(screen.getByTestId(ids.tokens.showRevoked));
    expect(rowOf(ids.tokens.row(listed.id))).toHaveTextContent('revoked');
  });
});

describe('Security: audit log', () => {
  it('shows the token creation, and pages back and forth', async () => {
    // Enough entries for two pages of 25.
    for (let i = 0; i < 26; i++) {
      await api('auth/tokens', { method: 'POST', data: { name: `bulk-${i}`, scopes: ['read'] } });
    }
    const newest = await api<AuditPage>('security/audit', { query: { limit: 25 } });
    const created = (await api<AuditPage>('security/audit', { query: { limit: 500 } })).entries.find(
      (e) => e.action === 'token_created' && e.target === 'ci-deploy',
    )!;
    expect(created).toMatchObject({ actor: 'admin', detail: { scopes: ['read', 'write'] } });

    await renderPage('audit');
    const table = await screen.findByTestId(ids.audit.table);
    const first = await within(table).findByTestId(ids.audit.row(newest.entries[0]!.id));
    expect(first.closest('tr')).toHaveTextContent('token_created');
    expect(first.closest('tr')).toHaveTextContent('bulk-25');
    expect(screen.getByTestId(ids.audit.page)).toHaveTextContent('Page 1');

    // The token made through the page, further back: follow Older until it shows.
    for (let page = 2; !screen.queryByTestId(ids.audit.row(created.id)); page++) {
      await waitFor(() => expect(screen.getByTestId(ids.audit.older)).toBeEnabled());
      await user.click(screen.getByTestId(ids.audit.older));
      expect(await screen.findByText(`Page ${page}`)).toBeInTheDocument();
      await waitFor(() => expect(screen.getByTestId(ids.audit.newer)).toBeEnabled());
    }
    const row = rowOf(ids.audit.row(created.id));
    expect(row).toHaveTextContent('ci-deploy');
    expect(row).toHaveTextContent('scopes=["read","write"]');
    expect(screen.queryByTestId(ids.audit.row(newest.entries[0]!.id))).not.toBeInTheDocument();

    await user.click(screen.getByTestId(ids.audit.newest));
    expect(await screen.findByTestId(ids.audit.row(newest.entries[0]!.id))).toBeInTheDocument();
    expect(screen.getByTestId(ids.audit.newer)).toBeDisabled();
  });
});

describe('Security: TOTP', () => {
  it('sets up with a QR code, enables with a computed code, then turns off with a backup code', async () => {
    await renderPage('totp');
    const status = await screen.findByTestId(ids.totp.row('admin'));
    expect(status).toHaveTextContent('off');
    await user.click(screen.getByTestId(ids.totp.setup('admin')));

    // The password is checked before anything is sent; a wrong one is the exporter's 401.
    const from = grafana.log.length;
    await user.click(screen.getByTestId(ids.totp.start));
    expect(await screen.findByText("The user's current password is required.")).toBeInTheDocument();
    expect(writesSince(from)).toEqual([]);
    await user.type(screen.getByTestId(ids.totp.password), 'not the password');
    await user.click(screen.getByTestId(ids.totp.start));
    expect(await screen.findByTestId(ids.result('totp'))).toHaveTextContent(
      /wrong username, password or code/,
    );

    await user.clear(screen.getByTestId(ids.totp.password));
    await user.type(screen.getByTestId(ids.totp.password), ADMIN_PASSWORD);
    await user.click(screen.getByTestId(ids.totp.start));
    const qr = (await screen.findByTestId(ids.totp.qr)) as HTMLImageElement;
    expect(qr.tagName).toBe('IMG');
    expect(qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(Buffer.from(qr.getAttribute('src')!.split(',')[1]!, 'base64').toString()).toContain('<svg');
    expect(qr).toHaveAttribute('alt', 'TOTP QR code for admin');
    const secret = screen.getByTestId(ids.totp.secret).textContent!;
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);

    await user.type(screen.getByTestId(ids.totp.code), '12345');
    await user.click(screen.getByTestId(ids.totp.enable));
    expect(await screen.findByText('The 6-digit code from the authenticator app.')).toBeInTheDocument();
    await user.clear(screen.getByTestId(ids.totp.code));
    await user.type(screen.getByTestId(ids.totp.code), totpCode(secret));
    await user.click(screen.getByTestId(ids.totp.enable));

    const codes = (await screen.findByTestId(ids.totp.backupCodes)).textContent!.split('\n');
    expect(codes).toHaveLength(8);
    await user.click(screen.getByTestId(ids.totp.done));
    expect(await screen.findByTestId(ids.result('totp-done'))).toHaveTextContent('TOTP is on for admin');
    await waitFor(() => expect(screen.getByTestId(ids.totp.row('admin'))).toHaveTextContent('on'));
    expect((await api<User[]>('auth/users')).find((u) => u.username === 'admin')?.totp_enabled).toBe(true);

    await user.click(screen.getByTestId(ids.totp.disable('admin')));
    await user.type(screen.getByTestId(ids.totp.disablePassword), ADMIN_PASSWORD);
    await user.type(screen.getByTestId(ids.totp.disableCode), codes[0]!);
    await user.click(screen.getByTestId(ids.totp.disableConfirm));
    await user.click(await screen.findByRole('button', { name: 'Yes, turn off' }));
    expect(await screen.findByTestId(ids.result('totp-done'))).toHaveTextContent('TOTP is off for admin');
    await waitFor(() => expect(screen.getByTestId(ids.totp.row('admin'))).toHaveTextContent('off'));

    const audit = (await api<AuditPage>('security/audit', { query: { limit: 20 } })).entries;
    expect(audit.map((e) => e.action)).toEqual(
      expect.arrayContaining(['totp_setup_started', 'totp_enabled', 'totp_disabled', 'login_failed']),
    );
  });

  it('lists the wrong password as an authentication failure', async () => {
    await renderPage('failures');
    const table = await screen.findByTestId(ids.failures.table);
    expect(await within(table).findByText('admin')).toBeInTheDocument();
    expect(within(table).getByText('127.0.0.1')).toBeInTheDocument();
  });
});

describe('Security: users', () => {
  it('adds a user after checking the form, changes the role, sets a password and deletes them', async () => {
    await renderPage('users');
    await screen.findByTestId(ids.users.row('admin'));
    await user.type(screen.getByTestId(ids.users.username), 'operator');
    await user.type(screen.getByTestId(ids.users.password), 'short');
    const from = grafana.log.length;
    await user.click(screen.getByTestId(ids.users.add));
    expect(await screen.findByText('At least 12 characters.')).toBeInTheDocument();
    expect(writesSince(from)).toEqual([]);
    await user.clear(screen.getByTestId(ids.users.password));
    await user.type(screen.getByTestId(ids.users.password), 'keeps the lights on');
    await user.click(screen.getByTestId(ids.users.add));
    expect(await screen.findByText('User operator added')).toBeInTheDocument();
    expect(await screen.findByTestId(ids.users.row('operator'))).toBeInTheDocument();
    const find = async () => (await api<User[]>('auth/users')).find((u) => u.username === 'operator');
    expect(await find()).toMatchObject({ role: 'viewer', totp_enabled: false });

    await user.click(within(screen.getByTestId(ids.users.role('operator'))).getByLabelText('Admin'));
    expect(await screen.findByText('operator is now an admin')).toBeInTheDocument();
    expect((await find())?.role).toBe('admin');

    const before = (await find())!.password_changed_at;
    await user.click(screen.getByTestId(ids.users.setPassword('operator')));
    await user.type(await screen.findByTestId(ids.users.newPassword), 'a brand new passphrase');
    await user.click(screen.getByTestId(ids.users.savePassword));
    expect(await screen.findByText(/New password set for operator/)).toBeInTheDocument();
    expect((await find())!.password_changed_at).not.toBe(before);

    // The row's buttons stay disabled until the password action has finished, after its message shows;
    // a click before then is ignored. Rows are looked up afresh: a reload may have replaced them.
    const remove = () => within(rowOf(ids.users.row('operator'))).getByTestId(ids.users.remove('operator'));
    await waitFor(() => expect(remove()).toBeEnabled());
    await user.click(remove());
    await user.click(await screen.findByRole('button', { name: 'Yes, delete' }));
    expect(await screen.findByText('User operator and their tokens deleted')).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByTestId(ids.users.row('operator'))).not.toBeInTheDocument());
    expect(await find()).toBeUndefined();
  });

  it("shows the exporter's refusal to demote the last admin", async () => {
    await renderPage('users');
    await user.click(within(await screen.findByTestId(ids.users.role('admin'))).getByLabelText('Viewer'));
    expect(await screen.findByTestId(ids.result('users'))).toHaveTextContent('cannot demote the last admin');
  });
});

describe('Security: fail2ban', () => {
  it('shows "fail2ban not available" when the exporter cannot reach a jail', async () => {
    configureApp(sharedExporter());
    const s = await api<Fail2banStatus>('security/fail2ban');
    expect(s).toMatchObject({ available: false, jail: 'proxmon', banned_ips: [] });
    await renderPage('fail2ban');
    const empty = await screen.findByTestId(ids.fail2ban.unavailable);
    expect(empty).toHaveTextContent('fail2ban not available');
    expect(empty).toHaveTextContent(s.error!);
    expect(screen.queryByTestId(ids.fail2ban.table)).not.toBeInTheDocument();
  });

  const withFail2ban = fail2banInstalled() ? it : it.skip;
  withFail2ban('lists a banned address and unbans it after a confirm (real fail2ban-server)', async () => {
    await renderPage('fail2ban');
    expect(await screen.findByTestId(ids.fail2ban.row(BANNED))).toBeInTheDocument();
    expect(screen.getByTestId(ids.fail2ban.status)).toHaveTextContent('1 banned now');
    await user.click(within(rowOf(ids.fail2ban.row(BANNED))).getByTestId(ids.fail2ban.unban(BANNED)));
    await user.click(await screen.findByRole('button', { name: 'Yes, unban' }));
    expect(await screen.findByText(`${BANNED} unbanned`)).toBeInTheDocument();
    expect(
      await within(screen.getByTestId(ids.fail2ban.table)).findByText('No address is banned.'),
    ).toBeInTheDocument();
    expect(f2b!.client(['status', 'proxmon'])).toMatch(/Banned IP list:\s*$/m);
    const audit = (await api<AuditPage>('security/audit', { query: { limit: 5 } })).entries;
    expect(audit[0]).toMatchObject({ action: 'fail2ban_unban', target: BANNED, actor: 'admin' });
  });
});

describe('Security: roles and errors', () => {
  it('shows a Grafana Viewer the forbidden state, and the route table refuses them too', async () => {
    setRole('Viewer');
    await renderPage('tokens');
    expect(screen.getByTestId(testIds.pageState.forbidden)).toHaveTextContent('Grafana organisation admins');
    expect(screen.queryByTestId(ids.tab('tokens'))).not.toBeInTheDocument();
    await expect(api('auth/tokens')).rejects.toMatchObject({ status: 403, code: 'route_denied' });
  });

  it('shows the forbidden state when the admin token lacks the admin scope', async () => {
    configureApp({ url: exporter().url, readToken: exporter().readToken, adminToken: exporter().readToken });
    await renderPage('users');
    expect(await screen.findByTestId(testIds.pageState.forbidden)).toHaveTextContent('lacks the scope');
  });
});
