import type { Response } from 'express';
import type { Principal } from '../auth/scopes.js';

/** What the API middleware learned about the request, kept on `res.locals`. */
export interface RequestContext {
  principal: Principal | undefined;
  clientIp: string;
}

export const requestContext = (res: Response): RequestContext => ({
  principal: res.locals.principal as Principal | undefined,
  clientIp: (res.locals.clientIp as string | undefined) ?? '',
});

export function setRequestContext(res: Response, ctx: RequestContext): void {
  res.locals.principal = ctx.principal;
  res.locals.clientIp = ctx.clientIp;
}
