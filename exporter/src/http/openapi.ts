import { z } from 'zod';
import type { RouteDoc } from './route.js';

const errorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output') =>
  z.toJSONSchema(schema, { target: 'openapi-3.0', io, unrepresentable: 'any' });

/** Builds the OpenAPI 3.0 document from the zod schemas the routes validate with. */
export function buildOpenApi(routes: readonly RouteDoc[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = r.path.replace(/:(\w+)/g, '{$1}');
    const params = [...r.path.matchAll(/:(\w+)/g)].map(([, name]) => ({
      name,
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    const querySchema = r.query
      ? (jsonSchema(r.query, 'input') as { properties?: Record<string, unknown>; required?: string[] })
      : undefined;
    const queryParams = Object.entries(querySchema?.properties ?? {}).map(([name, schema]) => ({
      name,
      in: 'query',
      required: querySchema?.required?.includes(name) ?? false,
      schema,
    }));
    paths[path] ??= {};
    paths[path][r.method] = {
      summary: r.summary,
      tags: [r.tag],
      'x-auth': r.auth,
      ...(r.auth === 'public' ? { security: [] } : { security: [{ bearer: [] }] }),
      parameters: [...params, ...queryParams],
      ...(r.body && {
        requestBody: {
          required: true,
          content: { 'application/json': { schema: jsonSchema(r.body, 'input') } },
        },
      }),
      responses: {
        [r.status]: {
          description: 'OK',
          content: { 'application/json': { schema: jsonSchema(r.response, 'output') } },
        },
        default: {
          description: 'Error',
          content: { 'application/json': { schema: jsonSchema(errorSchema, 'output') } },
        },
      },
    };
  }
  return {
    openapi: '3.0.3',
    info: { title: 'proxmon exporter API', version },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    paths,
  };
}
