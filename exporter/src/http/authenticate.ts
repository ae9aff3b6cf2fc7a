import type { NextFunction, Request, Response } from 'express';
import type { Principal } from '../auth/scopes.js';
import { ApiTokens, type Sessions } from '../auth/tokens.js';
import { errors } from './errors.js';
import { setRequestContext } from './request-context.js';

export interface AuthenticateDeps {
  sessions: Sessions;
  apiTokens: ApiTokens;
  clientIp: (peer: string | undefined, forwardedFor: string | string[] | undefined) => string;
  /** fail2ban's verdict on the client (cached); resolves false when fail2ban is not there. */
  isBanned: (ip: string) => Promise<boolean>;
}

/** The bearer credential of a request, if any: a session JWT or an API token. */
export async function principalOf(
  authorization: string | undefined,
  { sessions, apiTokens }: Pick<AuthenticateDeps, 'sessions' | 'apiTokens'>,
): Promise<Principal | undefined> {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!m) return undefined;
  const credential = m[1]!;
  return ApiTokens.looksLikeApiToken(credential)
    ? apiTokens.verify(credential)
    : sessions.verifyAccess(credential);
}

/**
 * For every /api request: who the client is (trusted proxies only), whether fail2ban banned it, and
 * who the caller is. Routes then demand a scope (route.ts); an invalid credential is simply no
 * principal, so a stale header never blocks the public login route.
 */
export function authenticate(deps: AuthenticateDeps) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const clientIp = deps.clientIp(req.socket.remoteAddress, req.headers['x-forwarded-for']);
    if (await deps.isBanned(clientIp)) return next(errors.banned());
    setRequestContext(res, { clientIp, principal: await principalOf(req.headers.authorization, deps) });
    next();
  };
}
