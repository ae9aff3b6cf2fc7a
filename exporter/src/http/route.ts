import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import { errors } from './errors.js';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RouteSpec<Q extends z.ZodType, B extends z.ZodType, R extends z.ZodType> {
  method: Method;
  /** Express path relative to the router's mount point, e.g. `/` or `/:id`. */
  path: string;
  summary: string;
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
  req: Request;
  res: Response;
}

/** What /api/openapi.json is generated from: every route declared through `defineRoute`. */
export interface RouteDoc {
  method: Method;
  path: string;
  summary: string;
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
   * Declares a route once: the request is validated against its schemas before the handler runs,
   * and the same schemas describe it in the OpenAPI document.
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
      const query = parse(spec.query, req.query, 'query');
      const body = parse(spec.body, req.body, 'body');
      const result = await handler({ query, body, params: req.params as Record<string, string>, req, res });
      res.status(spec.status ?? 200).json(result);
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
