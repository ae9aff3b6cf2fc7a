/** One catalogue of API errors: each a stable code, an HTTP status and a message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const errors = {
  validation: (message: string) => new ApiError(400, 'validation_error', message),
  badJson: () => new ApiError(400, 'invalid_json', 'request body is not valid JSON'),
  badRequest: (message: string) => new ApiError(400, 'bad_request', message),
  unauthorized: (message = 'authentication required') => new ApiError(401, 'unauthorized', message),
  invalidCredentials: () => new ApiError(401, 'invalid_credentials', 'wrong username, password or code'),
  forbidden: (message: string) => new ApiError(403, 'forbidden', message),
  banned: () => new ApiError(403, 'banned', 'this address is banned after repeated authentication failures'),
  notFound: (message: string) => new ApiError(404, 'not_found', message),
  conflict: (message: string) => new ApiError(409, 'conflict', message),
  rateLimited: (retryAfterSeconds: number) =>
    new ApiError(429, 'rate_limited', `too many failed attempts; retry in ${retryAfterSeconds} s`),
  payloadTooLarge: (limit: string) => new ApiError(413, 'payload_too_large', `request body exceeds ${limit}`),
  unsupportedMediaType: (message: string) => new ApiError(415, 'unsupported_media_type', message),
  unavailable: (message: string) => new ApiError(503, 'unavailable', message),
  /** A Proxmox VE call failed (its reason is in the message). */
  upstream: (message: string) => new ApiError(502, 'pve_error', message),
  upstreamTimeout: (message: string) => new ApiError(504, 'pve_timeout', message),
  internal: () => new ApiError(500, 'internal_error', 'internal error; see the exporter log'),
} as const;

export interface ErrorBody {
  error: { code: string; message: string };
}

export const errorBody = (e: ApiError): ErrorBody => ({ error: { code: e.code, message: e.message } });

/**
 * Maps what body-parser and the router throw (they tag errors with `status` and `type`) onto the
 * catalogue, so a malformed request is always a 4xx with our shape and never a stack trace.
 */
export function toApiError(err: unknown, bodyLimit: string): ApiError {
  if (err instanceof ApiError) return err;
  const e = err as { status?: unknown; statusCode?: unknown; type?: unknown; message?: unknown };
  const status =
    typeof e?.status === 'number' ? e.status : typeof e?.statusCode === 'number' ? e.statusCode : 500;
  switch (e?.type) {
    case 'entity.parse.failed':
      return errors.badJson();
    case 'entity.too.large':
      return errors.payloadTooLarge(bodyLimit);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return errors.unsupportedMediaType(String(e.message));
    case 'request.aborted':
      return errors.badRequest('request aborted');
  }
  if (status >= 400 && status < 500)
    return new ApiError(status, 'bad_request', String(e.message ?? 'bad request'));
  return errors.internal();
}
