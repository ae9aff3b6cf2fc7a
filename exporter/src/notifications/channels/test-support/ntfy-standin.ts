import { parseBody, Script, startStandin, type Standin, type StandinReply } from './standin-server.js';

/**
 * An ntfy server stand-in for JSON publishing (`POST /` with the topic in the body). It answers with
 * the published message, ntfy's `{code, http, error, link}` errors (40101 unauthorized, 40301
 * forbidden, 42901 too many requests), enforces the 4096-byte message limit with attachments off, and
 * accepts a Bearer access token or basic auth when the topic is protected.
 */

export type NtfyFailure = 'rate-limit' | 'server-error' | 'hang';

export interface NtfyStandin extends Standin {
  delivered: Array<Record<string, unknown>>;
  fail: Script<NtfyFailure>;
}

export async function startNtfyStandin(
  options: { token?: string; user?: { username: string; password: string } } = {},
): Promise<NtfyStandin> {
  const delivered: Array<Record<string, unknown>> = [];
  const fail = new Script<NtfyFailure>();
  let n = 0;
  const standin = await startStandin((req) => {
    if (req.url !== '/' || req.method !== 'POST') return error(404, 40401, 'page not found');
    const scripted = fail.next();
    if (scripted === 'hang') return 'hang';
    if (scripted === 'rate-limit') return error(429, 42901, 'limit reached: too many requests');
    if (scripted === 'server-error') return error(500, 50001, 'internal server error');
    const protectedTopic = options.token !== undefined || options.user !== undefined;
    const auth = req.headers.authorization;
    if (protectedTopic) {
      if (auth === undefined) return error(403, 40301, 'forbidden');
      const ok =
        (options.token !== undefined && auth === `Bearer ${options.token}`) ||
        (options.user !== undefined &&
          auth ===
            `Basic ${Buffer.from(`${options.user.username}:${options.user.password}`).toString('base64')}`);
      if (!ok) return error(401, 40101, 'unauthorized');
    }
    const body = parseBody(req) as Record<string, unknown> | undefined;
    if (!body || typeof body.topic !== 'string')
      return error(400, 40024, 'invalid request: JSON body is invalid');
    if (!/^[\w-]{1,64}$/.test(body.topic)) return error(400, 40009, 'invalid topic: path invalid');
    const p = body.priority;
    if (p !== undefined && (typeof p !== 'number' || p < 1 || p > 5)) {
      return error(400, 40007, 'invalid request: priority invalid');
    }
    const message = typeof body.message === 'string' ? body.message : '';
    if (Buffer.byteLength(message) > 4096) {
      return error(413, 41301, 'invalid request: message too large, and attachments are not allowed');
    }
    delivered.push(body);
    n += 1;
    return {
      status: 200,
      body: {
        id: `msg${String(n).padStart(9, '0')}`,
        time: 1_764_000_000 + n,
        expires: 1_764_043_200 + n,
        event: 'message',
        topic: body.topic,
        title: body.title,
        message,
        priority: p,
        tags: body.tags,
      },
    };
  });
  return Object.assign(standin, { delivered, fail });
}

function error(http: number, code: number, error: string): StandinReply {
  return { status: http, body: { code, http, error, link: 'https://ntfy.sh/docs/publish/' } };
}
