import { describe, expect, it } from 'vitest';
import type { HostInfo } from '../../sources/hostinfo/index.js';
import {
  aptFixture,
  DAY,
  healthInputs,
  NOW,
  pveFixture,
  thresholdsWith,
  type InputsSetup,
} from './fixtures/host-inputs.js';
import { checkUpdates } from './updates.js';

const lab = aptFixture('apt-get-s-dist-upgrade-pve8-lab.txt');
const host: HostInfo = {
  hostname: 'pve',
  kernel: '6.8.12-1-pve',
  os: 'Debian GNU/Linux 12 (bookworm)',
  pveVersion: '8.2.4',
  uptimeSeconds: 86_400,
};

const run = (setup: InputsSetup = {}) =>
  checkUpdates(healthInputs({ ...setup, fresh: { apt: lab, hostinfo: host, ...setup.fresh } }));
const row = (r: ReturnType<typeof checkUpdates>, check: string) => r.rows.find((x) => x.check === check);
const finding = (r: ReturnType<typeof checkUpdates>, key: string) =>
  r.findings.find((f) => f.errorKey === key);

describe('checkUpdates on recorded apt-get -s dist-upgrade output', () => {
  it('reports a PVE 8 node with pending updates as INFO, one finding per check', () => {
    const r = run({ extras: { lastUpgradeAt: NOW - 20 * DAY } });
    expect(r.unknown).toBeUndefined();
    expect(r.rows.map((x) => [x.check, x.status, x.errorKey, x.value])).toEqual([
      ['security_updates', 'INFO', 'security_updates', 4],
      ['pending_updates', 'INFO', 'pve_updates', 10],
      ['kernel_pve', 'INFO', 'kernel_pve', 2],
      ['system_age', 'OK', undefined, 20],
      ['pve_version', 'INFO', 'pve_version', undefined],
    ]);
    expect(r.rows.map((x) => x.reason)).toEqual([
      '4 security updates pending (libc6, libc6:i386, libssl3, openssl); not known how long they have been pending (warns after 360 days)',
      '10 upgrades pending, 2 from Proxmox: libpve-common-perl 8.2.1 → 8.2.9, pve-manager 8.2.4 → 8.3.0',
      "2 kernel/firmware updates pending: proxmox-kernel-6.8.12-4-pve-signed new → 6.8.12-4, proxmox-kernel-6.8 6.8.12-1 → 6.8.12-4; proxmox-kernel-6.8.12-4-pve-signed is the running kernel's branch (6.8.12-1-pve): reboot after upgrading",
      'Last upgrade 20 days ago (warning at 365, critical at 548 days)',
      'pve-manager 8.2.4 → 8.3.0 is available',
    ]);
    expect(r.findings.every((f) => f.category === 'updates' && f.severity === 'INFO')).toBe(true);
  });

  it('warns when a security update has been pending for the age threshold', () => {
    const since = new Map([
      ['libssl3', NOW - 400 * DAY],
      ['libc6', NOW - 10 * DAY],
    ]);
    const r = run({ extras: { securityPendingSince: since, lastUpgradeAt: NOW - DAY } });
    expect(finding(r, 'security_updates')).toMatchObject({
      severity: 'WARNING',
      reason:
        '4 security updates pending (libc6, libc6:i386, libssl3, openssl); the oldest, libssl3, has been pending 400 days (warns after 360 days)',
      details: { oldestPackage: 'libssl3', pendingSince: NOW - 400 * DAY },
    });
  });

  it('security_age_warning_days', () => {
    const extras = { securityPendingSince: new Map([['openssl', NOW - 100 * DAY]]) };
    expect(finding(run({ extras }), 'security_updates')?.severity).toBe('INFO');
    const t = thresholdsWith((x) => (x.updates.security_age_warning_days = 90));
    expect(finding(run({ extras, thresholds: t }), 'security_updates')?.severity).toBe('WARNING');
  });

  it('is WARNING, then CRITICAL, as the last upgrade gets older', () => {
    expect(finding(run({ extras: { lastUpgradeAt: NOW - 400 * DAY } }), 'system_age')).toMatchObject({
      severity: 'WARNING',
      reason: 'No package upgrade for 400 days (warning at 365, critical at 548 days)',
      details: { days: 400 },
    });
    expect(finding(run({ extras: { lastUpgradeAt: NOW - 600 * DAY } }), 'system_age')?.severity).toBe(
      'CRITICAL',
    );
  });

  it('system_age_warning_days and system_age_critical_days', () => {
    const extras = { lastUpgradeAt: NOW - 200 * DAY };
    expect(row(run({ extras }), 'system_age')?.status).toBe('OK');
    const warn = thresholdsWith((x) => (x.updates.system_age_warning_days = 180));
    expect(row(run({ extras, thresholds: warn }), 'system_age')?.status).toBe('WARNING');
    const crit = thresholdsWith((x) => {
      x.updates.system_age_warning_days = 100;
      x.updates.system_age_critical_days = 190;
    });
    expect(row(run({ extras, thresholds: crit }), 'system_age')?.status).toBe('CRITICAL');
  });

  it('is OK when nothing is pending (pve-manager held back), with the installed version', () => {
    const r = run({
      fresh: { apt: aptFixture('apt-get-s-dist-upgrade-pve8-lab-held-back.txt'), pve: pveFixture() },
      extras: { lastUpgradeAt: NOW - 3 * DAY },
    });
    expect(r.findings).toEqual([]);
    expect(r.rows.map((x) => [x.check, x.status, x.reason])).toEqual([
      ['security_updates', 'OK', 'No security updates pending'],
      ['pending_updates', 'OK', '0 upgrades pending, none from Proxmox; 1 held back'],
      ['kernel_pve', 'OK', 'No kernel or firmware updates pending'],
      ['system_age', 'OK', 'Last upgrade 3 days ago (warning at 365, critical at 548 days)'],
      ['pve_version', 'OK', 'pve-manager 9.2.2 is the newest available'],
    ]);
  });

  it('lists at most five packages of a long security list (plain Debian 12: no pve_version row)', () => {
    const r = checkUpdates(
      healthInputs({ fresh: { apt: aptFixture('apt-get-s-dist-upgrade-debian12-128-upgrades.txt') } }),
    );
    expect(row(r, 'security_updates')?.reason).toMatch(
      /^81 security updates pending \([^)]+ and 76 more\); /,
    );
    expect(row(r, 'pve_version')).toBeUndefined();
    expect(row(r, 'system_age')).toEqual({
      check: 'system_age',
      status: 'UNKNOWN',
      reason: 'No apt history (/var/log/apt/history.log)',
    });
  });

  it('still reports the system age while apt is down, and is UNKNOWN or skipped with neither', () => {
    const down = checkUpdates(
      healthInputs({
        failed: { apt: { kind: 'exit', message: 'apt-get -s dist-upgrade exited 100: E: Malformed entry' } },
        extras: { lastUpgradeAt: NOW - 400 * DAY },
      }),
    );
    expect(down.rows.map((x) => [x.check, x.status])).toEqual([
      ['security_updates', 'UNKNOWN'],
      ['pending_updates', 'UNKNOWN'],
      ['kernel_pve', 'UNKNOWN'],
      ['system_age', 'WARNING'],
    ]);
    expect(checkUpdates(healthInputs({ pending: ['apt'] })).unknown).toBe(
      'apt source has no value yet; no apt history either',
    );
    expect(checkUpdates(healthInputs({ absent: { apt: 'apt-get: not installed (exit 127)' } })).skipped).toBe(
      'no apt on this host: apt-get: not installed (exit 127)',
    );
  });
});
