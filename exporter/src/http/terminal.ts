import { Router } from 'express';
import { z } from 'zod';
import { refusalMessage } from '../terminal/manager.js';
import type { TerminalService } from '../terminal/index.js';
import { ApiError, errors } from './errors.js';
import { ApiRouter } from './route.js';

const session = z.object({
  id: z.string(),
  user: z.string(),
  user_id: z.number(),
  client_ip: z.string(),
  target: z.string().nullable(),
  pid: z.number().nullable(),
  started_at: z.string(),
  last_input_at: z.string(),
  bytes_in: z.number(),
  bytes_out: z.number(),
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Tickets for the terminal WebSocket (/api/terminal/ws, see terminal/websocket.ts) and the admin view
 * of live sessions. A ticket needs the terminal scope, which read tokens and viewers never have.
 */
export function createTerminalRouter(t: TerminalService): ApiRouter {
  const api = new ApiRouter('/api/terminal', Router(), 'terminal');

  api.route(
    {
      method: 'post',
      path: '/ticket',
      auth: 'terminal',
      summary:
        'A single-use ticket (30 s, this user and address) for the WebSocket /api/terminal/ws, ' +
        'passed as ?ticket= or as the subprotocol proxmon.ticket.<ticket>',
      response: z.object({ ticket: z.string(), expires_in: z.number() }),
      status: 201,
    },
    ({ principal, clientIp }) => {
      if (!t.settings.enabled) throw errors.notFound('the web terminal is turned off (terminal.enabled)');
      // Checked here too, where a browser can read the answer; the socket checks again.
      const refused = t.sessions.refusal(principal!.userId);
      if (refused) throw new ApiError(429, 'too_many_sessions', refusalMessage(refused, t.sessions.ctx));
      const issued = t.tickets.issue(principal!.userId, clientIp);
      if (!issued) throw new ApiError(429, 'too_many_tickets', 'too many terminal tickets outstanding');
      return issued;
    },
  );

  api.route(
    {
      method: 'get',
      path: '/sessions',
      auth: 'admin',
      summary: 'Live terminal sessions: who, from where, since when, bytes each way (never content)',
      response: z.object({ sessions: z.array(session) }),
    },
    () => ({ sessions: t.sessions.list() }),
  );

  api.route(
    {
      method: 'delete',
      path: '/sessions/:id',
      auth: 'admin',
      summary: 'End a terminal session and every process it started',
      response: z.object({ ok: z.literal(true) }),
    },
    async ({ params, principal, clientIp }) => {
      const id = params.id ?? '';
      const s = UUID.test(id) ? t.sessions.get(id) : undefined;
      if (!s) throw errors.notFound('no such terminal session');
      t.sessions.ctx.audit.record({
        actor: principal!.username,
        ip: clientIp,
        action: 'terminal_killed',
        target: s.owner.username,
        detail: { session_id: id },
      });
      await t.sessions.kill(id);
      return { ok: true as const };
    },
  );

  return api;
}
