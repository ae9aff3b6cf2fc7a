import { Counter, type Registry } from 'prom-client';
import type { JailStatus } from '../auth/fail2ban.js';
import type { SnapshotReader } from '../snapshots.js';
import { FAIL2BAN_SOURCE } from '../sources/fail2ban/index.js';
import { snapshotGauge } from './define.js';

export const metricNames = ['proxmon_auth_failures_total', 'proxmon_auth_banned_ips'] as const;

export interface AuthMetrics {
  /** Counts one failed login (wrong password, TOTP or backup code). */
  loginFailed(): void;
}

export function registerAuthMetrics(registry: Registry, snapshots: SnapshotReader): AuthMetrics {
  const failures = new Counter({
    name: 'proxmon_auth_failures_total',
    help: 'Failed logins since start (wrong password, TOTP or backup code)',
    registers: [registry],
  });
  snapshotGauge(
    registry,
    { name: 'proxmon_auth_banned_ips', help: "IPs currently banned in proxmon's fail2ban jail" },
    (emit) => emit({}, snapshots.latest<JailStatus>(FAIL2BAN_SOURCE)?.currentlyBanned),
  );
  return { loginFailed: () => failures.inc() };
}
