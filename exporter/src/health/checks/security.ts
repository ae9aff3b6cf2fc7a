import type { JailStatus } from '../../auth/fail2ban.js';
import { FAIL2BAN_SOURCE } from '../../sources/fail2ban/index.js';
import { PVE_SOURCE } from '../../sources/pve/index.js';
import type { CategoryCheck, CheckRow, HealthInputs } from '../check.js';
import type { Finding, Severity } from '../finding.js';
import { sourceState } from './source-state.js';

const DAY_MS = 86_400_000;
const CERT_PATH = '/etc/pve/local/pve-ssl.pem';

type Outcome = { row: CheckRow; finding?: Finding };

/**
 * Four host security checks, each its own row and error key:
 * - `security_certificate`: the node certificate expired (CRITICAL) or expires within
 *   `security.certificate_warning_days` (WARNING); missing on a PVE node is INFO;
 * - `security_login_attempts`: `security.failed_logins_warning` or more authentication failures in 24 h;
 * - `security_fail2ban`: the fail2ban jail currently bans an address (WARNING);
 * - `security_uptime`: up for `security.uptime_warning_days` with no upgrade for as long (WARNING).
 * UNKNOWN when none of the inputs is known.
 */
export const checkSecurity: CategoryCheck = (inputs) => {
  const outcomes = [certificate(inputs), loginAttempts(inputs), fail2ban(inputs), uptime(inputs)];
  const rows = outcomes.map((o) => o.row);
  if (rows.every((r) => r.status === 'UNKNOWN'))
    return {
      category: 'security',
      rows: [],
      findings: [],
      unknown: `no security inputs: ${rows.map((r) => r.reason).join('; ')}`,
    };
  return { category: 'security', rows, findings: outcomes.flatMap((o) => (o.finding ? [o.finding] : [])) };
};

function outcome(
  check: string,
  status: Severity | 'OK' | 'UNKNOWN',
  reason: string,
  extra: { value?: number; details?: Record<string, unknown> } = {},
): Outcome {
  const errorKey = `security_${check}`;
  const row: CheckRow = { check, status, reason, ...(extra.value !== undefined && { value: extra.value }) };
  if (status === 'OK' || status === 'UNKNOWN') return { row };
  return {
    row: { ...row, errorKey },
    finding: {
      errorKey,
      category: 'security',
      check,
      severity: status,
      reason,
      ...(extra.details !== undefined && { details: extra.details }),
    },
  };
}

function certificate(inputs: HealthInputs): Outcome {
  const expiresAt = inputs.extras.certificateExpiresAt;
  if (expiresAt === undefined) return outcome('certificate', 'UNKNOWN', 'Node certificate not checked');
  if (expiresAt === null) {
    if (sourceState(inputs.snapshots, PVE_SOURCE).kind === 'absent')
      return outcome('certificate', 'OK', 'No node certificate: not a Proxmox VE node');
    return outcome('certificate', 'INFO', `No node certificate at ${CERT_PATH}`);
  }
  const warnDays = inputs.thresholds.security.certificate_warning_days;
  const left = (expiresAt - inputs.now) / DAY_MS;
  const date = new Date(expiresAt).toISOString().slice(0, 10);
  const details = { path: CERT_PATH, expiresAt };
  if (left <= 0)
    return outcome(
      'certificate',
      'CRITICAL',
      `The node certificate expired on ${date} (${days(-left)} ago)`,
      {
        value: Math.floor(left),
        details,
      },
    );
  if (left < warnDays)
    return outcome(
      'certificate',
      'WARNING',
      `The node certificate expires on ${date}, in ${days(left)} (warns ${warnDays} days ahead)`,
      { value: Math.floor(left), details },
    );
  return outcome('certificate', 'OK', `The node certificate is valid until ${date} (${days(left)} left)`, {
    value: Math.floor(left),
  });
}

function loginAttempts(inputs: HealthInputs): Outcome {
  const n = inputs.extras.failedLogins24h;
  if (n === undefined) return outcome('login_attempts', 'UNKNOWN', 'Authentication failures not counted');
  const warn = inputs.thresholds.security.failed_logins_warning;
  const reason = `${n} authentication failure${n === 1 ? '' : 's'} in the last 24 h (warns at ${warn})`;
  return outcome('login_attempts', n >= warn ? 'WARNING' : 'OK', reason, { value: n, details: { count: n } });
}

function fail2ban(inputs: HealthInputs): Outcome {
  const source = sourceState<JailStatus>(inputs.snapshots, FAIL2BAN_SOURCE);
  if (source.kind === 'absent') return outcome('fail2ban', 'OK', `fail2ban not in use (${source.reason})`);
  if (source.kind === 'unavailable') return outcome('fail2ban', 'UNKNOWN', source.reason);
  const jail = source.value;
  if (jail.currentlyBanned === 0)
    return outcome(
      'fail2ban',
      'OK',
      `Jail ${jail.jail}: no address banned (${jail.currentlyFailed} currently failing)`,
      { value: 0 },
    );
  const shown = jail.bannedIps.slice(0, 5).join(', ');
  const more = jail.bannedIps.length > 5 ? ` and ${jail.bannedIps.length - 5} more` : '';
  return outcome(
    'fail2ban',
    'WARNING',
    `Jail ${jail.jail} bans ${jail.currentlyBanned} address${jail.currentlyBanned === 1 ? '' : 'es'}${shown ? `: ${shown}${more}` : ''}`,
    {
      value: jail.currentlyBanned,
      details: {
        jail: jail.jail,
        banned: jail.currentlyBanned,
        bannedIps: jail.bannedIps,
        totalBanned: jail.totalBanned,
      },
    },
  );
}

function uptime(inputs: HealthInputs): Outcome {
  const up = inputs.uptimeSeconds;
  if (up === undefined) return outcome('uptime', 'UNKNOWN', 'Host uptime not known');
  const warnDays = inputs.thresholds.security.uptime_warning_days;
  const upDays = Math.floor(up / 86_400);
  const last = inputs.extras.lastUpgradeAt;
  const sinceUpgrade = last === undefined ? undefined : Math.max(0, Math.floor((inputs.now - last) / DAY_MS));
  const upgrade =
    sinceUpgrade === undefined ? 'no upgrade on record' : `last upgrade ${days(sinceUpgrade)} ago`;
  const reason = `Up ${days(upDays)}, ${upgrade} (warns when both reach ${warnDays} days)`;
  const stale = upDays >= warnDays && (sinceUpgrade === undefined || sinceUpgrade >= warnDays);
  return outcome('uptime', stale ? 'WARNING' : 'OK', reason, {
    value: upDays,
    details: { uptimeDays: upDays, ...(sinceUpgrade !== undefined && { daysSinceUpgrade: sinceUpgrade }) },
  });
}

function days(n: number): string {
  const d = Math.floor(n);
  return d === 1 ? '1 day' : `${d} days`;
}
