import { Router, type Response } from 'express';
import { z } from 'zod';
import type { AuditLog } from '../auth/audit.js';
import { ROLES, roleScopes, SCOPES, type Principal } from '../auth/scopes.js';
import type { AuthService, TotpActor } from '../auth/service.js';
import type { SetupToken } from '../auth/setup-token.js';
import { publicToken, type ApiTokens, type Sessions } from '../auth/tokens.js';
import { publicUser, type Users } from '../auth/users.js';
import { errors } from './errors.js';
import { ApiRouter } from './route.js';

export interface AuthRouterDeps {
  service: AuthService;
  users: Users;
  sessions: Sessions;
  apiTokens: ApiTokens;
  audit: AuditLog;
  setupToken: SetupToken;
  now?: () => number;
}

const tokens = z.object({
  access_token: z.string(),
  refresh_token: z.string(),
  token_type: z.literal('Bearer'),
  expires_in: z.number(),
});
const user = z.object({
  id: z.number(),
  username: z.string(),
  role: z.enum(ROLES),
  totp_enabled: z.boolean(),
  created_at: z.string(),
  password_changed_at: z.string(),
});
const apiToken = z.object({
  id: z.number(),
  name: z.string(),
  scopes: z.array(z.enum(SCOPES)),
  created_at: z.string(),
  expires_at: z.string().nullable(),
  last_used_at: z.string().nullable(),
  revoked: z.boolean(),
});
const ok = z.object({ ok: z.literal(true) });
const username = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9._@-]+$/, 'letters, digits and . _ @ - only');
const code = z.string().min(6).max(32).optional();
const idParam = (raw: string | undefined) => {
  const id = Number(raw);
  if (!Number.isSafeInteger(id) || id <= 0) throw errors.validation('id must be a positive integer');
  return id;
};
const totpSetup = z.object({ secret: z.string(), otpauth_uri: z.string(), qr_data_url: z.string() });
/** The target user's current password: what lets an admin credential manage their TOTP. */
const reauth = { password: z.string().min(1).max(1024) };

/** A rate-limited answer tells the client when to try again. */
async function withRetryAfter<T>(res: Response, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    const retryAfter = (err as { retryAfter?: number }).retryAfter;
    if (retryAfter !== undefined) res.setHeader('Retry-After', String(retryAfter));
    throw err;
  }
}

/** The audit actor of an admin credential acting on someone's TOTP. */
const actorOf = (p: Principal, ip: string): TotpActor => ({
  actor: p.username,
  ip,
  detail: p.kind === 'token' ? { via: 'token', token: p.tokenName ?? null } : { via: 'session' },
});

export function createAuthRouter(d: AuthRouterDeps): ApiRouter {
  const api = new ApiRouter('/api/auth', Router(), 'auth');
  const now = d.now ?? Date.now;

  api.route(
    {
      method: 'get',
      path: '/status',
      auth: 'public',
      summary: 'Whether first-run setup is needed, and who the caller is',
      response: z.object({ setup_required: z.boolean(), authenticated: z.boolean(), user: user.nullable() }),
    },
    ({ principal }) => {
      const u = principal && d.users.byId(principal.userId);
      return {
        setup_required: d.users.count() === 0,
        authenticated: !!principal,
        user: u ? publicUser(u) : null,
      };
    },
  );

  api.route(
    {
      method: 'post',
      path: '/setup',
      auth: 'public',
      summary: 'Create the first admin with the one-time setup token (printed at first start)',
      body: z.object({ setup_token: z.string().min(1), username, password: z.string() }),
      response: tokens,
      status: 201,
    },
    async ({ body, clientIp }) => {
      if (d.users.count() > 0 || !d.setupToken.matches(body.setup_token)) {
        throw errors.forbidden('setup is closed or the setup token is wrong');
      }
      const admin = await d.service.createUser(body.username, body.password, 'admin', 'setup', clientIp);
      d.setupToken.consume();
      return d.sessions.issue(admin.id);
    },
  );

  api.route(
    {
      method: 'post',
      path: '/login',
      auth: 'public',
      summary: 'Password (and TOTP once enabled) for an access and a refresh token',
      body: z.object({ username: z.string().max(256), password: z.string().max(1024), totp: code }),
      response: z.union([tokens, z.object({ requires_totp: z.literal(true) })]),
    },
    ({ body, clientIp, res }) =>
      withRetryAfter(res, () => d.service.login(body.username, body.password, body.totp, clientIp)),
  );

  api.route(
    {
      method: 'post',
      path: '/refresh',
      auth: 'public',
      summary: 'Trade a refresh token for new tokens (the old one is revoked)',
      body: z.object({ refresh_token: z.string().min(1).max(512) }),
      response: tokens,
    },
    async ({ body }) => {
      const issued = await d.sessions.refresh(body.refresh_token);
      if (!issued) throw errors.unauthorized('refresh token is invalid, expired or revoked');
      return issued;
    },
  );

  api.route(
    {
      method: 'post',
      path: '/logout',
      auth: 'read',
      summary: 'Revoke a refresh token of the caller',
      body: z.object({ refresh_token: z.string().min(1).max(512) }),
      response: ok,
    },
    ({ body, principal }) => {
      const owner = d.sessions.revoke(body.refresh_token);
      if (owner !== undefined && owner !== principal!.userId) throw errors.forbidden('not your session');
      return { ok: true as const };
    },
  );

  api.route(
    {
      method: 'post',
      path: '/logout-all',
      auth: 'read',
      summary: "Revoke all of the caller's sessions",
      response: ok,
    },
    ({ principal, clientIp }) => {
      d.sessions.revokeAll(principal!.userId);
      d.audit.record({ actor: principal!.username, ip: clientIp, action: 'logout_all' });
      return { ok: true as const };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/me',
      auth: 'read',
      summary: 'The caller, with the scopes of this credential',
      response: user.extend({ scopes: z.array(z.enum(SCOPES)), credential: z.enum(['session', 'token']) }),
    },
    ({ principal }) => {
      const u = d.users.byId(principal!.userId);
      if (!u) throw errors.unauthorized();
      return { ...publicUser(u), scopes: [...principal!.scopes], credential: principal!.kind };
    },
  );

  api.route(
    {
      method: 'post',
      path: '/password',
      auth: 'read',
      summary: 'Change your password (revokes all your sessions); needs a TOTP code once TOTP is on',
      body: z.object({
        current_password: z.string().max(1024),
        new_password: z.string().max(1024),
        totp: code,
      }),
      response: ok,
    },
    async ({ body, principal, clientIp }) => {
      if (principal!.kind !== 'session') throw errors.forbidden('sign in with your password to change it');
      await d.service.changePassword(
        principal!.userId,
        body.current_password,
        body.new_password,
        body.totp,
        clientIp,
      );
      return { ok: true as const };
    },
  );

  api.route(
    {
      method: 'post',
      path: '/totp/setup',
      auth: 'read',
      summary: 'Start TOTP enrolment: a secret, its otpauth URI and a QR code',
      response: totpSetup,
    },
    ({ principal }) => {
      if (principal!.kind !== 'session') throw errors.forbidden('TOTP is managed from a signed-in session');
      return d.service.beginTotp(principal!.userId);
    },
  );

  api.route(
    {
      method: 'post',
      path: '/totp/enable',
      auth: 'read',
      summary: 'Confirm enrolment with a code; returns 8 single-use backup codes, shown once',
      body: z.object({ totp: z.string().min(6).max(10) }),
      response: z.object({ backup_codes: z.array(z.string()) }),
    },
    ({ principal, body, clientIp }) => {
      if (principal!.kind !== 'session') throw errors.forbidden('TOTP is managed from a signed-in session');
      return d.service.confirmTotp(principal!.userId, body.totp, clientIp);
    },
  );

  api.route(
    {
      method: 'post',
      path: '/totp/disable',
      auth: 'read',
      summary: 'Turn TOTP off; needs a TOTP or backup code',
      body: z.object({ totp: code }),
      response: ok,
    },
    async ({ principal, body, clientIp }) => {
      if (principal!.kind !== 'session') throw errors.forbidden('TOTP is managed from a signed-in session');
      await d.service.disableTotp(principal!.userId, body.totp, clientIp);
      return { ok: true as const };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/tokens',
      auth: 'read',
      summary: "The caller's API tokens (admins: everyone's)",
      response: z.array(apiToken),
    },
    ({ principal }) =>
      d.apiTokens.list(principal!.scopes.includes('admin') ? undefined : principal!.userId).map(publicToken),
  );

  api.route(
    {
      method: 'post',
      path: '/tokens',
      auth: 'read',
      summary: 'Create an API token; the token is in this response only',
      body: z.object({
        name: z.string().min(1).max(64),
        scopes: z.array(z.enum(SCOPES)).min(1),
        expires_in_days: z.number().int().min(1).max(3650).optional(),
      }),
      response: apiToken.extend({ token: z.string() }),
      status: 201,
    },
    ({ body, principal, clientIp }) => {
      const allowed = roleScopes(principal!.role);
      const extra = body.scopes.filter((s) => !allowed.includes(s) || !principal!.scopes.includes(s));
      if (extra.length) throw errors.forbidden(`you cannot grant: ${extra.join(', ')}`);
      const expiresAt = body.expires_in_days ? now() + body.expires_in_days * 86_400_000 : null;
      const { id, token } = d.apiTokens.create(principal!.userId, body.name, body.scopes, expiresAt);
      d.audit.record({
        actor: principal!.username,
        ip: clientIp,
        action: 'token_created',
        target: body.name,
        detail: { id, scopes: body.scopes },
      });
      return { ...publicToken(d.apiTokens.byId(id)!), token };
    },
  );

  api.route(
    { method: 'delete', path: '/tokens/:id', auth: 'read', summary: 'Revoke an API token', response: ok },
    ({ params, principal, clientIp }) => {
      const t = d.apiTokens.byId(idParam(params.id));
      if (!t || (t.user_id !== principal!.userId && !principal!.scopes.includes('admin'))) {
        throw errors.notFound('no such token');
      }
      d.apiTokens.revoke(t.id);
      d.audit.record({
        actor: principal!.username,
        ip: clientIp,
        action: 'token_revoked',
        target: t.name,
        detail: { id: t.id },
      });
      return { ok: true as const };
    },
  );

  api.route(
    { method: 'get', path: '/users', auth: 'admin', summary: 'All users', response: z.array(user) },
    () => d.users.list().map(publicUser),
  );

  api.route(
    {
      method: 'post',
      path: '/users',
      auth: 'admin',
      summary: 'Create a user',
      body: z.object({ username, password: z.string().max(1024), role: z.enum(ROLES) }),
      response: user,
      status: 201,
    },
    async ({ body, principal, clientIp }) =>
      publicUser(
        await d.service.createUser(body.username, body.password, body.role, principal!.username, clientIp),
      ),
  );

  api.route(
    {
      method: 'patch',
      path: '/users/:id',
      auth: 'admin',
      summary: "Change a user's role or set a new password (revokes their sessions)",
      body: z.object({ role: z.enum(ROLES).optional(), password: z.string().max(1024).optional() }),
      response: user,
    },
    async ({ params, body, principal, clientIp }) => {
      const target = d.users.byId(idParam(params.id));
      if (!target) throw errors.notFound('no such user');
      if (body.role && body.role !== target.role) {
        if (target.role === 'admin' && adminCount(d.users) === 1)
          throw errors.conflict('cannot demote the last admin');
        d.users.setRole(target.id, body.role);
        d.audit.record({
          actor: principal!.username,
          ip: clientIp,
          action: 'user_role_changed',
          target: target.username,
          detail: { role: body.role },
        });
      }
      if (body.password !== undefined)
        await d.service.setPassword(target, body.password, principal!.username, clientIp);
      return publicUser(d.users.byId(target.id)!);
    },
  );

  api.route(
    {
      method: 'delete',
      path: '/users/:id',
      auth: 'admin',
      summary: 'Delete a user and their tokens',
      response: ok,
    },
    ({ params, principal, clientIp }) => {
      const target = d.users.byId(idParam(params.id));
      if (!target) throw errors.notFound('no such user');
      if (target.role === 'admin' && adminCount(d.users) === 1)
        throw errors.conflict('cannot delete the last admin');
      d.users.delete(target.id);
      d.audit.record({
        actor: principal!.username,
        ip: clientIp,
        action: 'user_deleted',
        target: target.username,
      });
      return { ok: true as const };
    },
  );

  // TOTP for a user, driven by an admin credential. Through Grafana's plugin proxy every call carries
  // the app's admin API token, never the user's session, so the user's current password in the body is
  // what proves the person at the keyboard may do this; a wrong one counts as a failed login (rate
  // limit, fail2ban's auth log, proxmon_auth_failures_total, audit). Turning TOTP off also needs a code.
  const withPassword = <T>(
    input: {
      params: Record<string, string>;
      body: { password: string };
      principal: Principal | undefined;
      clientIp: string;
      res: Response;
    },
    purpose: string,
    act: (userId: number, by: TotpActor) => Promise<T>,
  ) =>
    withRetryAfter(input.res, async () => {
      const id = idParam(input.params.id);
      if (!d.users.byId(id)) throw errors.notFound('no such user');
      const by = actorOf(input.principal!, input.clientIp);
      await d.service.reauthenticate(id, input.body.password, input.clientIp, {
        purpose,
        by: by.actor,
        ...by.detail,
      });
      return act(id, by);
    });

  api.route(
    {
      method: 'post',
      path: '/users/:id/totp/setup',
      auth: 'admin',
      summary:
        "Start a user's TOTP enrolment with their current password: a secret, its otpauth URI and a QR code",
      body: z.object(reauth),
      response: totpSetup,
    },
    (input) => withPassword(input, 'totp_setup', (id, by) => d.service.beginTotp(id, by)),
  );

  api.route(
    {
      method: 'post',
      path: '/users/:id/totp/enable',
      auth: 'admin',
      summary:
        "Confirm a user's enrolment with their current password and a code; returns 8 single-use backup codes, shown once",
      body: z.object({ ...reauth, totp: z.string().min(6).max(10) }),
      response: z.object({ backup_codes: z.array(z.string()) }),
    },
    (input) =>
      withPassword(input, 'totp_enable', (id, by) =>
        d.service.confirmTotp(id, input.body.totp, input.clientIp, by),
      ),
  );

  api.route(
    {
      method: 'post',
      path: '/users/:id/totp/disable',
      auth: 'admin',
      summary: "Turn a user's TOTP off with their current password and a TOTP or backup code",
      body: z.object({ ...reauth, totp: z.string().min(6).max(32) }),
      response: ok,
    },
    (input) =>
      withPassword(input, 'totp_disable', async (id, by) => {
        await d.service.disableTotp(id, input.body.totp, input.clientIp, by);
        return { ok: true as const };
      }),
  );

  return api;
}

const adminCount = (users: Users) => users.list().filter((u) => u.role === 'admin').length;
