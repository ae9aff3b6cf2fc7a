import { parseBody, Script, startStandin, type Standin, type StandinReply } from './standin-server.js';

/**
 * A Slack incoming-webhook stand-in. Slack answers 200 with the body `ok`, and errors as a short
 * plain-text code with a status: 400 invalid_payload / no_text / invalid_blocks, 403 invalid_token,
 * 404 no_service, 410 channel_is_archived, 500 rollup_error, and 429 with a Retry-After header in seconds.
 * It checks the Block Kit limits the channel must respect.
 */

export type SlackFailure = 'rate-limit' | 'server-error' | 'archived' | 'hang';

export interface SlackStandin extends Standin {
  delivered: Array<{ text: string; blocks: Array<Record<string, unknown>> }>;
  fail: Script<SlackFailure>;
  webhookUrl: string;
  /** Why payloads were refused, for test diagnostics. */
  rejections: string[];
}

export const SLACK_RETRY_AFTER_SECONDS = 30;
const HOOK_PATH = '/services/T0001/B0001';

export async function startSlackStandin(options: { secret: string }): Promise<SlackStandin> {
  const fail = new Script<SlackFailure>();
  const rejections: string[] = [];
  const delivered: SlackStandin['delivered'] = [];
  const text = (status: number, body: string): StandinReply => ({ status, body });
  const reject = (why: string, code = 'invalid_blocks'): StandinReply => {
    rejections.push(why);
    return text(400, code);
  };
  const standin = await startStandin((req) => {
    if (!req.url.startsWith(`${HOOK_PATH}/`) || req.method !== 'POST') return text(404, 'no_service');
    if (req.url !== `${HOOK_PATH}/${options.secret}`) return text(403, 'invalid_token');
    const scripted = fail.next();
    if (scripted === 'hang') return 'hang';
    if (scripted === 'rate-limit') {
      return {
        status: 429,
        headers: { 'retry-after': String(SLACK_RETRY_AFTER_SECONDS) },
        body: 'rate_limited',
      };
    }
    if (scripted === 'server-error') return text(500, 'rollup_error');
    if (scripted === 'archived') return text(410, 'channel_is_archived');
    const body = parseBody(req) as Record<string, unknown> | undefined;
    if (!body) return reject('not JSON', 'invalid_payload');
    const blocks = Array.isArray(body.blocks) ? (body.blocks as Array<Record<string, unknown>>) : [];
    if (typeof body.text !== 'string' && blocks.length === 0) return reject('no text', 'no_text');
    const problem = checkBlocks(blocks);
    if (problem) return reject(problem);
    delivered.push({ text: typeof body.text === 'string' ? body.text : '', blocks });
    return text(200, 'ok');
  });
  return Object.assign(standin, {
    delivered,
    fail,
    rejections,
    webhookUrl: `${standin.url}${HOOK_PATH}/${options.secret}`,
  });
}

function checkBlocks(blocks: Array<Record<string, unknown>>): string | undefined {
  if (blocks.length > 50) return `${blocks.length} blocks`;
  for (const [i, b] of blocks.entries()) {
    const t = b.text as { type?: string; text?: string } | undefined;
    if (b.type === 'header') {
      if (t?.type !== 'plain_text' || !t.text || t.text.length > 150) return `block ${i}: header text`;
    } else if (b.type === 'section') {
      const fields = Array.isArray(b.fields) ? (b.fields as Array<{ text?: string }>) : undefined;
      if (!t && !fields) return `block ${i}: section without text or fields`;
      if (t && (!t.text || t.text.length > 3000)) return `block ${i}: section text ${t.text?.length ?? 0}`;
      if (fields && (fields.length > 10 || fields.some((f) => !f.text || f.text.length > 2000))) {
        return `block ${i}: fields`;
      }
    } else if (b.type === 'context') {
      const els = Array.isArray(b.elements) ? b.elements : [];
      if (els.length === 0 || els.length > 10) return `block ${i}: context elements`;
    } else return `block ${i}: unexpected type ${String(b.type)}`;
  }
  return undefined;
}
