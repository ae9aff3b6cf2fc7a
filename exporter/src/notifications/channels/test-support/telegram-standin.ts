import { parseBody, Script, startStandin, type Standin, type StandinReply } from './standin-server.js';

/**
 * A Telegram Bot API stand-in for `sendMessage`, answering with the documented reply envelope:
 * `{ok:true, result:Message}` or `{ok:false, error_code, description, parameters?}`. It checks what
 * the real API checks for us: the token, the chat and topic, HTML entity parsing, and the 4096-character
 * limit counted after parsing.
 */

export type TelegramFailure = 'rate-limit' | 'server-error' | 'migrated' | 'hang';

export interface TelegramDelivered {
  chatId: string;
  threadId?: number;
  html: string;
  /** The text as a user sees it (tags removed, entities decoded). */
  text: string;
}

export interface TelegramStandin extends Standin {
  delivered: TelegramDelivered[];
  fail: Script<TelegramFailure>;
}

const TG_TAGS = new Set(['b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'a', 'code', 'pre']);
export const RETRY_AFTER_SECONDS = 7;

export async function startTelegramStandin(options: {
  token: string;
  chats: string[];
  topics?: number[];
}): Promise<TelegramStandin> {
  const delivered: TelegramDelivered[] = [];
  const fail = new Script<TelegramFailure>();
  let nextId = 100;
  const standin = await startStandin((req) => {
    const match = /^\/bot([^/]+)\/(\w+)$/.exec(req.url.split('?')[0] ?? '');
    if (!match || match[1] !== options.token) return error(401, 'Unauthorized');
    if (match[2] !== 'sendMessage' || req.method !== 'POST') return error(404, 'Not Found');
    const scripted = fail.next();
    if (scripted === 'hang') return 'hang';
    if (scripted === 'rate-limit') {
      return error(429, `Too Many Requests: retry after ${RETRY_AFTER_SECONDS}`, {
        retry_after: RETRY_AFTER_SECONDS,
      });
    }
    if (scripted === 'server-error') {
      return { status: 502, body: '<html><body><h1>502 Bad Gateway</h1></body></html>' };
    }
    if (scripted === 'migrated') {
      return error(400, 'Bad Request: group chat was upgraded to a supergroup chat', {
        migrate_to_chat_id: -1001234567890,
      });
    }
    const body = parseBody(req) as Record<string, unknown> | undefined;
    if (!body) return error(400, 'Bad Request: invalid JSON');
    const chatId = body.chat_id === undefined ? '' : String(body.chat_id as string | number);
    if (chatId === '') return error(400, 'Bad Request: chat_id is empty');
    if (!options.chats.includes(chatId)) return error(400, 'Bad Request: chat not found');
    const threadId = body.message_thread_id;
    if (
      threadId !== undefined &&
      (typeof threadId !== 'number' || !(options.topics ?? []).includes(threadId))
    ) {
      return error(400, 'Bad Request: message thread not found');
    }
    const html = typeof body.text === 'string' ? body.text : '';
    const parsed = body.parse_mode === 'HTML' ? parseTelegramHtml(html) : { text: html };
    if ('error' in parsed) return error(400, `Bad Request: can't parse entities: ${parsed.error}`);
    if (parsed.text.trim() === '') return error(400, 'Bad Request: message text is empty');
    if (parsed.text.length > 4096) return error(400, 'Bad Request: message is too long');
    delivered.push({
      chatId,
      ...(typeof threadId === 'number' ? { threadId } : {}),
      html,
      text: parsed.text,
    });
    return {
      status: 200,
      body: {
        ok: true,
        result: {
          message_id: nextId++,
          date: 1_764_000_000,
          chat: { id: Number(chatId), type: 'supergroup' },
          ...(typeof threadId === 'number' ? { message_thread_id: threadId, is_topic_message: true } : {}),
          text: parsed.text,
        },
      },
    };
  });
  return Object.assign(standin, { delivered, fail });
}

function error(code: number, description: string, parameters?: Record<string, unknown>): StandinReply {
  return {
    status: code,
    body: { ok: false, error_code: code, description, ...(parameters ? { parameters } : {}) },
  };
}

/** Telegram's HTML mode, strictly enough to catch unescaped text: known tags, balanced, 4 named entities. */
export function parseTelegramHtml(html: string): { text: string } | { error: string } {
  const stack: string[] = [];
  let text = '';
  const token =
    /<(\/?)([a-z-]+)((?:\s+[a-z-]+="[^"<>]*")*)\s*>|&(lt|gt|amp|quot|#\d+|#x[0-9a-f]+);|[<>&]|[^<>&]+/giy;
  let m: RegExpExecArray | null;
  while ((m = token.exec(html)) !== null) {
    const [whole, closing, tag, , entity] = m;
    if (tag !== undefined) {
      const name = tag.toLowerCase();
      if (!TG_TAGS.has(name)) return { error: `unsupported start tag "${name}" at byte offset ${m.index}` };
      if (closing) {
        if (stack.pop() !== name) return { error: `unexpected end tag at byte offset ${m.index}` };
      } else stack.push(name);
    } else if (entity !== undefined) {
      text += decodeEntity(entity);
    } else if (whole === '<' || whole === '>' || whole === '&') {
      return { error: `unsupported start tag or entity at byte offset ${m.index}` };
    } else text += whole;
  }
  if (stack.length > 0) return { error: `can't find end tag corresponding to start tag "${stack.at(-1)}"` };
  return { text };
}

function decodeEntity(entity: string): string {
  switch (entity) {
    case 'lt':
      return '<';
    case 'gt':
      return '>';
    case 'amp':
      return '&';
    case 'quot':
      return '"';
    default:
      return String.fromCodePoint(
        entity.startsWith('#x') ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10),
      );
  }
}
