import { api } from '../../api/client';

// The exporter's /api/auth and /api/security answers (exporter/src/http/auth.ts, security.ts).

export const SCOPES = ['read', 'write', 'admin', 'terminal'] as const;
export type Scope = (typeof SCOPES)[number];
export const ROLES = ['admin', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export interface ApiToken {
  id: number;
  name: string;
  scopes: Scope[];
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked: boolean;
}

export interface User {
  id: number;
  username: string;
  role: Role;
  totp_enabled: boolean;
  created_at: string;
  password_changed_at: string;
}

export interface TotpSetup {
  secret: string;
  otpauth_uri: string;
  /** An SVG QR code as a data URL: an `<img src>` that needs no script or network. */
  qr_data_url: string;
}

export interface AuthFailure {
  at: string;
  ip: string;
  username: string;
}

export interface Fail2banStatus {
  available: boolean;
  jail: string;
  error: string | null;
  currently_failed: number | null;
  total_failed: number | null;
  currently_banned: number | null;
  total_banned: number | null;
  banned_ips: string[];
}

export interface AuditEntry {
  id: number;
  at: string;
  actor: string | null;
  ip: string | null;
  action: string;
  target: string | null;
  detail: Record<string, unknown> | null;
}

export interface AuditPage {
  entries: AuditEntry[];
  /** Pass as `before` for the next (older) page; null on the last one. */
  next_before: number | null;
}

export const getTokens = () => api<ApiToken[]>('auth/tokens');

export const createToken = (body: { name: string; scopes: Scope[]; expires_in_days?: number }) =>
  api<ApiToken & { token: string }>('auth/tokens', { method: 'POST', data: body });

export const revokeToken = (id: number) => api<{ ok: true }>(`auth/tokens/${id}`, { method: 'DELETE' });

export const getUsers = () => api<User[]>('auth/users');

export const createUser = (body: { username: string; password: string; role: Role }) =>
  api<User>('auth/users', { method: 'POST', data: body });

export const updateUser = (id: number, body: { role?: Role; password?: string }) =>
  api<User>(`auth/users/${id}`, { method: 'PATCH', data: body });

export const deleteUser = (id: number) => api<{ ok: true }>(`auth/users/${id}`, { method: 'DELETE' });

// TOTP for a user through the app's admin token: each call carries the user's current password.
export const beginTotp = (userId: number, password: string) =>
  api<TotpSetup>(`auth/users/${userId}/totp/setup`, { method: 'POST', data: { password } });

export const enableTotp = (userId: number, password: string, totp: string) =>
  api<{ backup_codes: string[] }>(`auth/users/${userId}/totp/enable`, {
    method: 'POST',
    data: { password, totp },
  });

export const disableTotp = (userId: number, password: string, totp: string) =>
  api<{ ok: true }>(`auth/users/${userId}/totp/disable`, { method: 'POST', data: { password, totp } });

export const getAuthFailures = (limit = 100) =>
  api<{ failures: AuthFailure[] }>('security/auth-failures', { query: { limit } });

export const getFail2ban = () => api<Fail2banStatus>('security/fail2ban');

export const unbanIp = (ip: string) =>
  api<{ ok: true }>('security/fail2ban/unban', { method: 'POST', data: { ip } });

export const getAudit = (limit: number, before?: number) =>
  api<AuditPage>('security/audit', { query: { limit, before } });
