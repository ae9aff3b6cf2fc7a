import { describe, expect, it } from 'vitest';
import {
  DAY,
  healthInputs,
  jailFixture,
  journalEntries,
  NOW,
  pveFixture,
  thresholdsWith,
  type InputsSetup,
} from './fixtures/host-inputs.js';
import { checkSecurity } from './security.js';

const YEAR = 365 * DAY;
const run = (setup: InputsSetup = {}) => checkSecurity(healthInputs(setup));
const row = (r: ReturnType<typeof checkSecurity>, check: string) => r.rows.find((x) => x.check === check);

/** What the cycle counts for `failedLogins24h` (the reference's pattern), over the recorded journal lines. */
const recordedFailures = journalEntries('../../logs/fixtures/journalctl-json-auth-failures.jsonl').filter(
  (e) => /authentication failure|failed password|invalid user/i.test(e.message ?? ''),
).length;

const healthy: InputsSetup = {
  fresh: { fail2ban: jailFixture('fail2ban-client-status-proxmon-idle.txt') },
  extras: {
    certificateExpiresAt: NOW + 200 * DAY,
    failedLogins24h: recordedFailures,
    lastUpgradeAt: NOW - 10 * DAY,
  },
  uptimeSeconds: 30 * 86_400,
};

describe('checkSecurity', () => {
  it('is OK on a healthy host, one row per check', () => {
    const r = run(healthy);
    expect(r.findings).toEqual([]);
    expect(r.rows.map((x) => [x.check, x.status, x.reason])).toEqual([
      ['certificate', 'OK', 'The node certificate is valid until 2027-06-14 (200 days left)'],
      ['login_attempts', 'OK', '16 authentication failures in the last 24 h (warns at 50)'],
      ['fail2ban', 'OK', 'Jail proxmon: no address banned (0 currently failing)'],
      ['uptime', 'OK', 'Up 30 days, last upgrade 10 days ago (warns when both reach 365 days)'],
    ]);
  });

  it('is CRITICAL for an expired certificate, WARNING for one expiring soon', () => {
    const expired = run({ extras: { certificateExpiresAt: NOW - 3 * DAY } });
    expect(expired.findings).toEqual([
      {
        errorKey: 'security_certificate',
        category: 'security',
        check: 'certificate',
        severity: 'CRITICAL',
        reason: 'The node certificate expired on 2026-11-23 (3 days ago)',
        details: { path: '/etc/pve/local/pve-ssl.pem', expiresAt: NOW - 3 * DAY },
      },
    ]);
    const soon = run({ extras: { certificateExpiresAt: NOW + 10.5 * DAY } });
    expect(soon.findings.map((f) => [f.errorKey, f.severity, f.reason])).toEqual([
      [
        'security_certificate',
        'WARNING',
        'The node certificate expires on 2026-12-06, in 10 days (warns 30 days ahead)',
      ],
    ]);
  });

  it('certificate_warning_days', () => {
    const extras = { certificateExpiresAt: NOW + 40 * DAY };
    expect(row(run({ extras }), 'certificate')?.status).toBe('OK');
    const t = thresholdsWith((x) => (x.security.certificate_warning_days = 45));
    expect(row(run({ extras, thresholds: t }), 'certificate')?.status).toBe('WARNING');
  });

  it('says INFO for a PVE node without a certificate file, nothing off PVE', () => {
    expect(
      row(run({ fresh: { pve: pveFixture() }, extras: { certificateExpiresAt: null } }), 'certificate'),
    ).toEqual({
      check: 'certificate',
      status: 'INFO',
      reason: 'No node certificate at /etc/pve/local/pve-ssl.pem',
      errorKey: 'security_certificate',
    });
    expect(
      row(
        run({ absent: { pve: 'pvesh: not installed' }, extras: { certificateExpiresAt: null } }),
        'certificate',
      )?.status,
    ).toBe('OK');
  });

  it('failed_logins_warning, on the count of the recorded authentication failures', () => {
    expect(recordedFailures).toBe(16);
    const extras = { failedLogins24h: recordedFailures };
    expect(row(run({ extras }), 'login_attempts')?.status).toBe('OK');
    const t = thresholdsWith((x) => (x.security.failed_logins_warning = 16));
    expect(run({ extras, thresholds: t }).findings).toEqual([
      {
        errorKey: 'security_login_attempts',
        category: 'security',
        check: 'login_attempts',
        severity: 'WARNING',
        reason: '16 authentication failures in the last 24 h (warns at 16)',
        details: { count: 16 },
      },
    ]);
  });

  it('warns while the recorded fail2ban jail bans addresses, and says when fail2ban is not in use', () => {
    const r = run({ fresh: { fail2ban: jailFixture('fail2ban-client-status-proxmon-banned.txt') } });
    expect(r.findings.map((f) => [f.errorKey, f.severity, f.reason])).toEqual([
      [
        'security_fail2ban',
        'WARNING',
        'Jail proxmon bans 3 addresses: 203.0.113.7, 198.51.100.23, 2001:db8::1',
      ],
    ]);
    expect(row(run({ absent: { fail2ban: 'fail2ban: no jail configured' } }), 'fail2ban')?.reason).toBe(
      'fail2ban not in use (fail2ban: no jail configured)',
    );
  });

  it('uptime_warning_days: up a year with no upgrade for a year warns', () => {
    const extras = { lastUpgradeAt: NOW - 400 * DAY };
    expect(row(run({ extras, uptimeSeconds: 400 * 86_400 }), 'uptime')).toMatchObject({
      status: 'WARNING',
      reason: 'Up 400 days, last upgrade 400 days ago (warns when both reach 365 days)',
    });
    expect(
      row(run({ extras: { lastUpgradeAt: NOW - 5 * DAY }, uptimeSeconds: 400 * 86_400 }), 'uptime')?.status,
    ).toBe('OK');
    const t = thresholdsWith((x) => (x.security.uptime_warning_days = 500));
    expect(row(run({ extras, uptimeSeconds: 400 * 86_400, thresholds: t }), 'uptime')?.status).toBe('OK');
    expect(row(run({ uptimeSeconds: YEAR / 1000 + 86_400 }), 'uptime')?.status).toBe('WARNING');
  });

  it('is UNKNOWN when none of its inputs is known', () => {
    expect(run({ failed: { fail2ban: { kind: 'timeout', message: 'timed out after 10 s' } } })).toEqual({
      category: 'security',
      rows: [],
      findings: [],
      unknown:
        'no security inputs: Node certificate not checked; Authentication failures not counted; fail2ban source failed: timed out after 10 s; Host uptime not known',
    });
    expect(run().unknown).toBeUndefined(); // fail2ban disabled is known: not in use
  });
});
