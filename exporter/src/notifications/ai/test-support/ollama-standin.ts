import { parseBody, startStandin, type StandinReply } from '../../channels/test-support/standin-server.js';
import {
  echoAnswer,
  newScript,
  splitUrl,
  TRUNCATED_JSON,
  type AiStandin,
  type AiStandinOptions,
} from './ai-standin.js';

/**
 * An Ollama server: `POST /api/chat` (non-streaming when `stream: false`), `GET /api/tags`, errors
 * as `{error: "…"}`. No key by default; with `apiKey` it stands for a proxy wanting a bearer token.
 * Ollama has no rate limit: `rate-limit` is its 503 "server busy" when the queue is full.
 */
export async function startOllamaStandin(options: AiStandinOptions = {}): Promise<AiStandin> {
  const models = options.models ?? ['llama3.2:latest', 'qwen2.5:7b'];
  const state = { chats: [] as AiStandin['chats'], fail: newScript(), answer: options.answer ?? echoAnswer };
  const standin = await startStandin((req) => {
    const { path } = splitUrl(req.url);
    const isChat = req.method === 'POST' && path === '/api/chat';
    const isTags = req.method === 'GET' && path === '/api/tags';
    if (!isChat && !isTags) return { status: 404, body: '404 page not found' };
    const scripted = state.fail.next();
    if (scripted === 'hang') return 'hang';
    if (scripted === 'unauthorized') return error(401, 'unauthorized');
    if (options.apiKey !== undefined && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      return error(401, 'unauthorized');
    }
    if (scripted === 'rate-limit') {
      return error(503, 'server busy, please try again.  maximum pending requests exceeded');
    }
    if (scripted === 'server-error') {
      return error(500, 'llama runner process has terminated: signal: killed');
    }
    if (scripted === 'malformed') {
      return { status: 200, headers: { 'content-type': 'application/json' }, body: TRUNCATED_JSON };
    }
    if (isTags) {
      return {
        status: 200,
        body: {
          models: models.map((name) => ({
            name,
            model: name,
            modified_at: '2026-01-10T08:00:00Z',
            size: 2_019_393_189,
            digest: 'a80c4f17acd5',
            details: {
              format: 'gguf',
              family: 'llama',
              parameter_size: '3.2B',
              quantization_level: 'Q4_K_M',
            },
          })),
        },
      };
    }
    const body = parseBody(req) as Record<string, unknown> | undefined;
    if (!body) return error(400, "invalid character '}' looking for beginning of value");
    if (typeof body.model !== 'string' || !models.includes(body.model)) {
      return error(404, `model '${String(body.model)}' not found`);
    }
    const messages = Array.isArray(body.messages) ? (body.messages as Array<Record<string, unknown>>) : [];
    const text = (role: string) => String(messages.find((m) => m.role === role)?.content ?? '');
    const input = { model: body.model, system: text('system'), user: text('user') };
    state.chats.push({ ...input, body });
    const content = state.answer(input);
    const cut = scripted === 'cut-off';
    return {
      status: 200,
      body: {
        model: body.model,
        created_at: '2026-01-15T03:00:01Z',
        message: { role: 'assistant', content: cut ? content.slice(0, 12) : content },
        done_reason: cut ? 'length' : 'stop',
        done: true,
        total_duration: 1_200_000_000,
        eval_count: 80,
      },
    };
  });
  return Object.assign(state, standin);
}

function error(status: number, message: string): StandinReply {
  return { status, body: { error: message } };
}
