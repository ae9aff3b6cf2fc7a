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
 * An OpenAI chat-completions server (`POST {prefix}/chat/completions`, `GET {prefix}/models`, Bearer
 * key), which also stands for Groq (`/openai/v1`) and OpenRouter (`/api/v1`). Errors use OpenAI's
 * `{error: {message, type, param, code}}`. `reasoningModel` refuses any temperature the way OpenAI's
 * reasoning models do; `routedError` answers the next chat with OpenRouter's 200-with-error body.
 */
export interface OpenAiStandin extends AiStandin {
  reasoningModel: boolean;
  routedError: boolean;
}

export async function startOpenAiStandin(
  options: AiStandinOptions & { prefix?: string } = {},
): Promise<OpenAiStandin> {
  const prefix = options.prefix ?? '/v1';
  const models = options.models ?? ['gpt-4o-mini', 'gpt-4.1'];
  const state = {
    chats: [] as OpenAiStandin['chats'],
    fail: newScript(),
    answer: options.answer ?? echoAnswer,
    reasoningModel: false,
    routedError: false,
  };
  const standin = await startStandin((req) => {
    const { path } = splitUrl(req.url);
    const isChat = req.method === 'POST' && path === `${prefix}/chat/completions`;
    const isModels = req.method === 'GET' && path === `${prefix}/models`;
    if (!isChat && !isModels) {
      return error(404, `Invalid URL (${req.method} ${path})`, 'invalid_request_error', null);
    }
    const scripted = state.fail.next();
    if (scripted === 'hang') return 'hang';
    if (options.apiKey !== undefined && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      return error(
        401,
        'Incorrect API key provided: sk-wr***ng.',
        'invalid_request_error',
        'invalid_api_key',
      );
    }
    if (scripted === 'unauthorized') {
      return error(
        401,
        'Incorrect API key provided: sk-re***ed.',
        'invalid_request_error',
        'invalid_api_key',
      );
    }
    if (scripted === 'rate-limit') {
      return {
        ...error(429, 'Rate limit reached for requests', 'requests', 'rate_limit_exceeded'),
        headers: { 'retry-after': '7' },
      };
    }
    if (scripted === 'server-error') {
      return error(
        500,
        'The server had an error while processing your request. Sorry about that!',
        'server_error',
        null,
      );
    }
    if (scripted === 'malformed') {
      return { status: 200, headers: { 'content-type': 'application/json' }, body: TRUNCATED_JSON };
    }
    if (isModels) {
      return {
        status: 200,
        body: {
          object: 'list',
          data: models.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'system' })),
        },
      };
    }
    const body = parseBody(req) as Record<string, unknown> | undefined;
    if (!body)
      return error(400, 'We could not parse the JSON body of your request.', 'invalid_request_error', null);
    if (typeof body.model !== 'string' || !models.includes(body.model)) {
      return error(
        404,
        `The model \`${String(body.model)}\` does not exist.`,
        'invalid_request_error',
        'model_not_found',
      );
    }
    if (state.reasoningModel && body.temperature !== undefined) {
      return error(
        400,
        `Unsupported value: 'temperature' does not support ${String(body.temperature)} with this model. Only the default (1) value is supported.`,
        'invalid_request_error',
        'unsupported_value',
      );
    }
    const messages = Array.isArray(body.messages) ? (body.messages as Array<Record<string, unknown>>) : [];
    const text = (role: string) => String(messages.find((m) => m.role === role)?.content ?? '');
    const input = { model: body.model, system: text('system'), user: text('user') };
    state.chats.push({ ...input, body });
    if (state.routedError) {
      state.routedError = false;
      return { status: 200, body: { error: { code: 502, message: 'Provider returned error' } } };
    }
    const content = state.answer(input);
    const cut = scripted === 'cut-off';
    return {
      status: 200,
      body: {
        id: `chatcmpl-${state.chats.length}`,
        object: 'chat.completion',
        created: 1_700_000_000,
        model: body.model,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: cut ? content.slice(0, 12) : content, refusal: null },
            finish_reason: cut ? 'length' : 'stop',
          },
        ],
        usage: { prompt_tokens: 300, completion_tokens: 80, total_tokens: 380 },
      },
    };
  });
  // The handler reads `state`, so tests change behaviour by assigning to the returned object.
  return Object.assign(state, standin);
}

function error(status: number, message: string, type: string, code: string | null): StandinReply {
  return { status, body: { error: { message, type, param: null, code } } };
}
