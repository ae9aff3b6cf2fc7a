import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import { hasScope, type Principal, type Scope } from '../auth/scopes.js';
import { errors } from './errors.js';
import { requestContext } from './request-context.js';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RouteSpec<Q extends z.ZodType, B extends z.ZodType, R extends z.ZodType> {
  method: Method;
  /** Express path relative to the router's mount point, e.g. `/` or `/:id`. */
  path: string;
  summary: string;
  /**
   * Who may call it: a scope, or `public` for the deliberate few (auth status, setup, login, refresh,
   * receivers that check their own secret). There is no default, so no route is born open by accident.
   */
  auth: Scope | 'public';
  query?: Q;
  body?: B;
  response: R;
  /** 200 unless said. */
  status?: number;
}

export interface RouteInput<Q, B> {
  query: Q;
  body: B;
  params: Record<string, string>;
  /** Set on every route but public ones. */
  principal: Principal | undefined;
  clientIp: string;
  req: Request;
  res: Response;
}

/** What /api/openapi.json is generated from: every route declared through `defineRoute`. */
export interface RouteDoc {
  method: Method;
  path: string;
  summary: string;
  auth: Scope | 'public';
  tag: string;
  query?: z.ZodType;
  body?: z.ZodType;
  response: z.ZodType;
  status: number;
}

export class ApiRouter {
  readonly docs: RouteDoc[] = [];
  constructor(
    /** Mount point, e.g. `/api/system`. */
    readonly base: string,
    readonly router: Router,
    readonly tag: string,
  ) {}

  /**
   * Declares a route once: the caller's scope is checked, the request validated against its schemas
   * before the handler runs, and the same schemas describe it in the OpenAPI document.
   */
  route<
    Q extends z.ZodType = z.ZodUnknown,
    B extends z.ZodType = z.ZodUnknown,
    R extends z.ZodType = z.ZodType,
  >(
    spec: RouteSpec<Q, B, R>,
    handler: (input: RouteInput<z.output<Q>, z.output<B>>) => z.input<R> | Promise<z.input<R>>,
  ): void {
    this.docs.push({
      ...spec,
      tag: this.tag,
      path: this.base + (spec.path === '/' ? '' : spec.path),
      status: spec.status ?? 200,
    });
    this.router[spec.method](spec.path, async (req, res) => {
      const { principal, clientIp } = requestContext(res);
      if (spec.auth !== 'public') {
        if (!principal) throw errors.unauthorized();
        if (!hasScope(principal, spec.auth)) throw errors.forbidden(`this needs the ${spec.auth} scope`);
      }
      const query = parse(spec.query, req.query, 'query');
      const body = parse(spec.body, req.body, 'body');
      const result = await handler({
        query,
        body,
        params: req.params as Record<string, string>,
        principal: spec.auth === 'public' ? principal : principal!,
        clientIp,
        req,
        res,
      });
      // A handler may set another status itself (the health probe answers 503 with a body).
      res.status(res.statusCode !== 200 ? res.statusCode : (spec.status ?? 200)).json(result);
    });
  }
}

function parse<S extends z.ZodType>(schema: S | undefined, value: unknown, where: string): z.output<S> {
  if (!schema) return value as z.output<S>;
  const r = schema.safeParse(value ?? {});
  if (!r.success) {
    const [issue] = r.error.issues;
    const path = issue?.path.length ? `${where}.${issue.path.join('.')}` : where;
    throw errors.validation(`${path}: ${issue?.message ?? 'invalid'}`);
  }
  return r.data;
}
