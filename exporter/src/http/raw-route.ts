import type { Request, Response } from 'express';
import { z } from 'zod';
import { hasScope, type Scope } from '../auth/scopes.js';
import { errors } from './errors.js';
import { requestContext } from './request-context.js';
import type { ApiRouter } from './route.js';

export interface RawRouteSpec<Q extends z.ZodType> {
  path: string;
  summary: string;
  auth: Scope;
  query?: Q;
  /** What the body is, for the OpenAPI document (it lists the route under application/json). */
  describes: string;
}

/**
 * A GET route that writes its own response (plain text, a stream) instead of JSON: the same scope
 * check and query validation as ApiRouter.route, and the same entry in /api/openapi.json, with the
 * body described in words. Errors thrown before anything is written still become JSON API errors.
 */
export function rawGetRoute<Q extends z.ZodType>(
  api: ApiRouter,
  spec: RawRouteSpec<Q>,
  handler: (input: {
    query: z.output<Q>;
    params: Record<string, string>;
    req: Request;
    res: Response;
  }) => Promise<void>,
): void {
  api.docs.push({
    method: 'get',
    path: api.base + (spec.path === '/' ? '' : spec.path),
    summary: spec.summary,
    auth: spec.auth,
    tag: api.tag,
    ...(spec.query ? { query: spec.query } : {}),
    response: z.string().describe(spec.describes),
    status: 200,
  });
  api.router.get(spec.path, async (req, res) => {
    const { principal } = requestContext(res);
    if (!principal) throw errors.unauthorized();
    if (!hasScope(principal, spec.auth)) throw errors.forbidden(`this needs the ${spec.auth} scope`);
    let query = req.query as z.output<Q>;
    if (spec.query) {
      const r = spec.query.safeParse(req.query ?? {});
      if (!r.success) {
        const [issue] = r.error.issues;
        const path = issue?.path.length ? `query.${issue.path.join('.')}` : 'query';
        throw errors.validation(`${path}: ${issue?.message ?? 'invalid'}`);
      }
      query = r.data;
    }
    await handler({ query, params: req.params as Record<string, string>, req, res });
  });
}
