import { parseBody, Script, startStandin, type Standin, type StandinReply } from './standin-server.js';

/**
 * A Discord "Execute Webhook" stand-in (`POST /api/webhooks/{id}/{token}`). It answers as Discord
 * documents: 200 with the message object when `wait=true` (else 204), `{message, code}` errors, a
 * 50035 "Invalid Form Body" with nested `errors` when an embed breaks a limit, and 429 with a JSON
 * `retry_after` in seconds (float) plus a rounded `Retry-After` header.
 */

export type DiscordFailure = 'rate-limit' | 'server-error' | 'hang';

export interface DiscordStandin extends Standin {
  /** Bodies of accepted executions. */
  delivered: Array<Record<string, unknown>>;
  fail: Script<DiscordFailure>;
  /** `${url}/api/webhooks/${id}/${token}` */
  webhookUrl: string;
}

export const RATE_LIMIT_RETRY_AFTER = 1.337;

export async function startDiscordStandin(options: { id: string; token: string }): Promise<DiscordStandin> {
  const delivered: Array<Record<string, unknown>> = [];
  const fail = new Script<DiscordFailure>();
  let nextId = 1_300_000_000_000_000_000n;
  const standin = await startStandin((req) => {
    const [path = '', query = ''] = req.url.split('?');
    const match = /^\/api\/webhooks\/(\d+)\/([\w-]+)$/.exec(path);
    if (!match || match[1] !== options.id) return error(404, 'Unknown Webhook', 10015);
    if (match[2] !== options.token) return error(401, 'Invalid Webhook Token', 50027);
    if (req.method !== 'POST') return error(405, '405: Method Not Allowed', 0);
    const scripted = fail.next();
    if (scripted === 'hang') return 'hang';
    if (scripted === 'rate-limit') {
      return {
        status: 429,
        headers: { 'retry-after': String(Math.ceil(RATE_LIMIT_RETRY_AFTER)), 'x-ratelimit-scope': 'shared' },
        body: { message: 'You are being rate limited.', retry_after: RATE_LIMIT_RETRY_AFTER, global: false },
      };
    }
    if (scripted === 'server-error') return { status: 503, body: 'upstream connect error' };
    const body = parseBody(req) as Record<string, unknown> | undefined;
    if (!body) return error(400, 'The request body contains invalid JSON.', 50109);
    const embeds = Array.isArray(body.embeds) ? (body.embeds as Array<Record<string, unknown>>) : [];
    if (embeds.length === 0 && !body.content) return error(400, 'Cannot send an empty message', 50006);
    const invalid = checkEmbeds(embeds);
    if (invalid) return { status: 400, body: { code: 50035, errors: invalid, message: 'Invalid Form Body' } };
    delivered.push(body);
    if (!new URLSearchParams(query).has('wait')) return { status: 204 };
    const id = String(nextId++);
    return {
      status: 200,
      body: { id, type: 0, content: '', channel_id: '1200', webhook_id: options.id, embeds },
    };
  });
  return Object.assign(standin, {
    delivered,
    fail,
    webhookUrl: `${standin.url}/api/webhooks/${options.id}/${options.token}`,
  });
}

function error(status: number, message: string, code: number): StandinReply {
  return { status, body: { message, code } };
}

const LIMITS = { title: 256, description: 4096, fieldName: 256, fieldValue: 1024, footer: 2048 } as const;

/** Discord's limit checks, reported in its nested `errors` shape; undefined when the embeds are fine. */
function checkEmbeds(embeds: Array<Record<string, unknown>>): Record<string, unknown> | undefined {
  if (embeds.length > 10) return { embeds: tooLong('Must be 10 or fewer in length.') };
  for (const [i, e] of embeds.entries()) {
    const at = (field: string, message: string) => ({ embeds: { [i]: { [field]: tooLong(message) } } });
    const str = (v: unknown) => (typeof v === 'string' ? v : '');
    if (str(e.title).length > LIMITS.title) return at('title', 'Must be 256 or fewer in length.');
    if (str(e.description).length > LIMITS.description)
      return at('description', 'Must be 4096 or fewer in length.');
    const footer = str((e.footer as Record<string, unknown> | undefined)?.text);
    if (footer.length > LIMITS.footer) return at('footer', 'Must be 2048 or fewer in length.');
    const fields = Array.isArray(e.fields) ? (e.fields as Array<Record<string, unknown>>) : [];
    if (fields.length > 25) return at('fields', 'Must be 25 or fewer in length.');
    let total = str(e.title).length + str(e.description).length + footer.length;
    for (const f of fields) {
      const name = str(f.name);
      const value = str(f.value);
      if (name.length === 0 || value.length === 0) return at('fields', 'Must be 1 or more in length.');
      if (name.length > LIMITS.fieldName) return at('fields', 'Must be 256 or fewer in length.');
      if (value.length > LIMITS.fieldValue) return at('fields', 'Must be 1024 or fewer in length.');
      total += name.length + value.length;
    }
    if (total > 6000) return { embeds: tooLong('Embed size exceeds maximum size of 6000') };
  }
  return undefined;
}

function tooLong(message: string) {
  return { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message }] };
}
