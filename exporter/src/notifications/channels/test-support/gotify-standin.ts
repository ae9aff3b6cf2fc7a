import { parseBody, Script, startStandin, type Standin, type StandinReply } from './standin-server.js';

/**
 * A Gotify server stand-in for `POST /message`: the app token from the X-Gotify-Key header (or the
 * `token` query parameter, or a Bearer header, all of which Gotify accepts), the created message as the
 * reply, and Gotify's `{error, errorCode, errorDescription}` error body. Gotify itself has no rate
 * limit; `proxy-rate-limit` stands for a reverse proxy in front answering 429 with an HTTP-date.
 */

export type GotifyFailure = 'server-error' | 'proxy-rate-limit' | 'hang';

export interface GotifyStandin extends Standin {
  delivered: Array<Record<string, unknown>>;
  fail: Script<GotifyFailure>;
  /** The HTTP-date the proxy's 429 asks to wait for. */
  retryAt: Date;
}

export async function startGotifyStandin(options: {
  token: string;
  prefix?: string;
}): Promise<GotifyStandin> {
  const delivered: Array<Record<string, unknown>> = [];
  const fail = new Script<GotifyFailure>();
  const retryAt = new Date(Math.ceil(Date.now() / 1000) * 1000 + 120_000);
  let nextId = 1;
  const standin = await startStandin((req) => {
    const [path = '', query = ''] = req.url.split('?');
    if (path !== `${options.prefix ?? ''}/message`) return error(404, 'Not Found', 'page not found');
    const scripted = fail.next();
    if (scripted === 'hang') return 'hang';
    if (scripted === 'proxy-rate-limit') {
      return {
        status: 429,
        headers: { 'retry-after': retryAt.toUTCString() },
        body: '429 Too Many Requests',
      };
    }
    if (scripted === 'server-error') return error(500, 'Internal Server Error', 'database is locked');
    const auth = req.headers.authorization;
    const given =
      req.headers['x-gotify-key'] ??
      new URLSearchParams(query).get('token') ??
      (auth?.startsWith('Bearer ') ? auth.slice(7) : undefined);
    if (given !== options.token) {
      return error(
        401,
        'Unauthorized',
        'you need to provide a valid access token or user credentials to access this api',
      );
    }
    const body = parseBody(req) as Record<string, unknown> | undefined;
    if (!body) return error(400, 'Bad Request', 'invalid character in JSON body');
    if (typeof body.message !== 'string' || body.message === '') {
      return error(400, 'Bad Request', "Field 'message' is required");
    }
    if (body.priority !== undefined && !Number.isInteger(body.priority)) {
      return error(400, 'Bad Request', "Field 'priority' must be an integer");
    }
    delivered.push(body);
    return {
      status: 200,
      body: {
        id: nextId++,
        appid: 1,
        message: body.message,
        title: body.title ?? 'proxmon',
        priority: body.priority ?? 5,
        extras: body.extras,
        date: new Date().toISOString(),
      },
    };
  });
  return Object.assign(standin, { delivered, fail, retryAt });
}

function error(status: number, error: string, errorDescription: string): StandinReply {
  return { status, body: { error, errorCode: status, errorDescription } };
}
