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
 * Anthropic's Messages API (`POST /v1/messages`, `GET /v1/models`): x-api-key plus a required
 * anthropic-version header; errors as `{type: "error", error: {type, message}, request_id}`; 529
 * `overloaded_error` besides 429 and 500. The model list is paged two at a time (has_more, last_id,
 * after_id) so the client's paging runs.
 */
export interface AnthropicStandin extends AiStandin {
  overloadedNext: boolean;
}

export async function startAnthropicStandin(options: AiStandinOptions = {}): Promise<AnthropicStandin> {
  const models = options.models ?? ['claude-haiku-4-5', 'claude-sonnet-4-5', 'claude-opus-4-1'];
  const state = {
    chats: [] as AiStandin['chats'],
    fail: newScript(),
    answer: options.answer ?? echoAnswer,
    overloadedNext: false,
  };
  let requestId = 0;
  const error = (status: number, type: string, message: string): StandinReply => ({
    status,
    headers: { 'request-id': `req_${++requestId}` },
    body: { type: 'error', error: { type, message }, request_id: `req_${requestId}` },
  });
  const standin = await startStandin((req) => {
    const { path, query } = splitUrl(req.url);
    const isChat = req.method === 'POST' && path === '/v1/messages';
    const isModels = req.method === 'GET' && path === '/v1/models';
    if (!isChat && !isModels) return error(404, 'not_found_error', 'Not found');
    const scripted = state.fail.next();
    if (scripted === 'hang') return 'hang';
    if (!req.headers['anthropic-version']) {
      return error(400, 'invalid_request_error', 'anthropic-version: header is required');
    }
    if (scripted === 'unauthorized' || req.headers['x-api-key'] !== options.apiKey) {
      return error(401, 'authentication_error', 'invalid x-api-key');
    }
    if (scripted === 'rate-limit') {
      return {
        ...error(429, 'rate_limit_error', 'This request would exceed the rate limit for your organization.'),
        headers: { 'retry-after': '12' },
      };
    }
    if (scripted === 'server-error') return error(500, 'api_error', 'Internal server error');
    if (state.overloadedNext) {
      state.overloadedNext = false;
      return error(529, 'overloaded_error', 'Overloaded');
    }
    if (scripted === 'malformed') {
      return { status: 200, headers: { 'content-type': 'application/json' }, body: TRUNCATED_JSON };
    }
    if (isModels) {
      const after = query.get('after_id');
      const start = after === null ? 0 : models.indexOf(after) + 1;
      const page = models.slice(start, start + 2);
      return {
        status: 200,
        body: {
          data: page.map((id) => ({
            type: 'model',
            id,
            display_name: id,
            created_at: '2025-09-29T00:00:00Z',
          })),
          has_more: start + 2 < models.length,
          first_id: page[0] ?? null,
          last_id: page.at(-1) ?? null,
        },
      };
    }
    const body = parseBody(req) as Record<string, unknown> | undefined;
    if (!body) return error(400, 'invalid_request_error', 'There was an issue with the format of your JSON.');
    if (typeof body.max_tokens !== 'number') {
      return error(400, 'invalid_request_error', 'max_tokens: Field required');
    }
    if (typeof body.temperature === 'number' && (body.temperature < 0 || body.temperature > 1)) {
      return error(400, 'invalid_request_error', 'temperature: range: 0..1');
    }
    if (typeof body.model !== 'string' || !models.includes(body.model)) {
      return error(404, 'not_found_error', `model: ${String(body.model)}`);
    }
    const messages = Array.isArray(body.messages) ? (body.messages as Array<Record<string, unknown>>) : [];
    const input = {
      model: body.model,
      system: typeof body.system === 'string' ? body.system : '',
      user: String(messages.find((m) => m.role === 'user')?.content ?? ''),
    };
    state.chats.push({ ...input, body });
    const text = state.answer(input);
    const cut = scripted === 'cut-off';
    return {
      status: 200,
      body: {
        id: `msg_${state.chats.length}`,
        type: 'message',
        role: 'assistant',
        model: body.model,
        content: [{ type: 'text', text: cut ? text.slice(0, 12) : text }],
        stop_reason: cut ? 'max_tokens' : 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: 300, output_tokens: 80 },
      },
    };
  });
  return Object.assign(state, standin);
}
