import { config } from '@grafana/runtime';

/**
 * Whether the signed-in user passes plugin.json's `reqRole: Admin` routes (the write, admin and terminal
 * calls). Grafana checks again on every call; this only hides what would be refused.
 */
export function isGrafanaAdmin(): boolean {
  const user = config.bootData.user;
  return user.orgRole === 'Admin' || user.isGrafanaAdmin === true;
}
