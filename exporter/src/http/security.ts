import { isIP } from 'node:net';
import { Router } from 'express';
import { z } from 'zod';
import type { AuditLog } from '../auth/audit.js';
import type { BanChecker } from '../auth/fail2ban.js';
import type { LoginLimiter } from '../auth/login-limiter.js';
import type { Exec } from '../sources/exec.js';
import { errors } from './errors.js';
import { ApiRouter } from './route.js';

export interface SecurityRouterDeps {
  audit: AuditLog;
  limiter: LoginLimiter;
  bans: BanChecker;
  jail: string;
  exec: Exec;
}

/** Security tools an admin may want to see on the host, and how to tell whether each is there. */
const TOOLS: ReadonlyArray<{ name: string; command: string; args: string[] }> = [
  { name: 'fail2ban', command: 'fail2ban-client', args: ['--version'] },
  { name: 'nftables', command: 'nft', args: ['--version'] },
  { name: 'iptables', command: 'iptables', args: ['--version'] },
  { name: 'openssl', command: 'openssl', args: ['version'] },
  { name: 'lynis', command: 'lynis', args: ['--version'] },
];

export function createSecurityRouter(d: SecurityRouterDeps): ApiRouter {
  const api = new ApiRouter('/api/security', Router(), 'security');

  api.route(
    {
      method: 'get',
      path: '/audit',
      auth: 'admin',
      summary: 'Audit log, newest first; page with `before` = the previous page’s next_before',
      query: z.object({
        limit: z.coerce.number().int().min(1).max(500).default(100),
        before: z.coerce.number().int().positive().optional(),
      }),
      response: z.object({
        entries: z.array(
          z.object({
            id: z.number(),
            at: z.string(),
            actor: z.string().nullable(),
            ip: z.string().nullable(),
            action: z.string(),
            target: z.string().nullable(),
            detail: z.record(z.string(), z.unknown()).nullable(),
          }),
        ),
        next_before: z.number().nullable(),
      }),
    },
    ({ query }) => d.audit.page(query.limit, query.before),
  );

  api.route(
    {
      method: 'get',
      path: '/auth-failures',
      auth: 'admin',
      summary: 'Recent failed logins (within the rate-limit window)',
      query: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) }),
      response: z.object({
        failures: z.array(z.object({ at: z.string(), ip: z.string(), username: z.string() })),
      }),
    },
    ({ query }) => ({
      failures: d.limiter.recent(query.limit).map((f) => ({ ...f, at: new Date(f.at).toISOString() })),
    }),
  );

  api.route(
    {
      method: 'get',
      path: '/fail2ban',
      auth: 'admin',
      summary: 'The proxmon jail: banned IPs and counters (available: false when fail2ban is not there)',
      response: z.object({
        available: z.boolean(),
        jail: z.string(),
        error: z.string().nullable(),
        currently_failed: z.number().nullable(),
        total_failed: z.number().nullable(),
        currently_banned: z.number().nullable(),
        total_banned: z.number().nullable(),
        banned_ips: z.array(z.string()),
      }),
    },
    async () => {
      const s = await d.bans.status();
      if (!s.ok) {
        return {
          available: false,
          jail: d.jail,
          error: s.error.message,
          currently_failed: null,
          total_failed: null,
          currently_banned: null,
          total_banned: null,
          banned_ips: [],
        };
      }
      return {
        available: true,
        jail: s.value.jail,
        error: null,
        currently_failed: s.value.currentlyFailed,
        total_failed: s.value.totalFailed,
        currently_banned: s.value.currentlyBanned,
        total_banned: s.value.totalBanned,
        banned_ips: s.value.bannedIps,
      };
    },
  );

  api.route(
    {
      method: 'post',
      path: '/fail2ban/unban',
      auth: 'admin',
      summary: 'Unban an IP from the proxmon jail',
      body: z.object({ ip: z.string().refine((s) => isIP(s) !== 0, 'not an IP address') }),
      response: z.object({ ok: z.literal(true) }),
    },
    async ({ body, principal, clientIp }) => {
      const r = await d.bans.unban(body.ip);
      if (!r.ok) throw errors.unavailable(`fail2ban: ${r.error.message}`);
      d.audit.record({ actor: principal!.username, ip: clientIp, action: 'fail2ban_unban', target: body.ip });
      return { ok: true as const };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/tools',
      auth: 'read',
      summary: 'Security tools installed on the host, with their versions',
      response: z.object({
        tools: z.array(
          z.object({ name: z.string(), installed: z.boolean(), version: z.string().nullable() }),
        ),
      }),
    },
    async () => ({
      tools: await Promise.all(
        TOOLS.map(async (t) => {
          const r = await d.exec(t.command, t.args, { timeoutMs: 5000 });
          const installed = r.ok || r.error.kind !== 'absent';
          const version = r.ok ? (`${r.value.stdout}${r.value.stderr}`.split('\n')[0]?.trim() ?? null) : null;
          return { name: t.name, installed, version: version || null };
        }),
      ),
    }),
  );

  return api;
}
