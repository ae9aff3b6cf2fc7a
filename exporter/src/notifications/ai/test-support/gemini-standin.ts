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
 * The Gemini API, v1beta: `POST /v1beta/models/{model}:generateContent` and `GET /v1beta/models`,
 * keyed by the x-goog-api-key header or the `key` query parameter. Errors are Google's
 * `{error: {code, message, status}}`; a bad key is 400 INVALID_ARGUMENT (API_KEY_INVALID), as
 * documented, not 401. `blockNext` answers like a prompt stopped by safety filters. The model list
 * is paged two at a time (nextPageToken) and includes an embedding-only model.
 */
export interface GeminiStandin extends AiStandin {
  blockNext: boolean;
}

export async function startGeminiStandin(options: AiStandinOptions = {}): Promise<GeminiStandin> {
  const models = options.models ?? ['gemini-2.5-flash', 'gemini-2.5-pro', 'gemini-2.0-flash'];
  const catalogue = [
    ...models.map((m) => ({ name: `models/${m}`, methods: ['generateContent', 'countTokens'] })),
    { name: 'models/text-embedding-004', methods: ['embedContent'] },
  ];
  const state = {
    chats: [] as AiStandin['chats'],
    fail: newScript(),
    answer: options.answer ?? echoAnswer,
    blockNext: false,
  };
  const standin = await startStandin((req) => {
    const { path, query } = splitUrl(req.url);
    const chat = /^\/v1beta\/models\/([^/:]+):generateContent$/.exec(path);
    const isModels = req.method === 'GET' && path === '/v1beta/models';
    if (!(req.method === 'POST' && chat) && !isModels) return error(404, 'NOT_FOUND', 'Not Found');
    const scripted = state.fail.next();
    if (scripted === 'hang') return 'hang';
    const key = req.headers['x-goog-api-key'] ?? query.get('key');
    if (scripted === 'unauthorized' || key !== options.apiKey) {
      return error(
        400,
        'INVALID_ARGUMENT',
        'API key not valid. Please pass a valid API key.',
        'API_KEY_INVALID',
      );
    }
    if (scripted === 'rate-limit') {
      return {
        ...error(
          429,
          'RESOURCE_EXHAUSTED',
          'You exceeded your current quota, please check your plan and billing details.',
        ),
        headers: { 'retry-after': '30' },
      };
    }
    if (scripted === 'server-error') {
      return error(
        500,
        'INTERNAL',
        'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting',
      );
    }
    if (scripted === 'malformed') {
      return { status: 200, headers: { 'content-type': 'application/json' }, body: TRUNCATED_JSON };
    }
    if (isModels) {
      const start = Number(query.get('pageToken') ?? '0');
      const page = catalogue.slice(start, start + 2);
      return {
        status: 200,
        body: {
          models: page.map((m) => ({
            name: m.name,
            displayName: m.name.slice('models/'.length),
            inputTokenLimit: 1_048_576,
            outputTokenLimit: 65_536,
            supportedGenerationMethods: m.methods,
          })),
          ...(start + 2 < catalogue.length ? { nextPageToken: String(start + 2) } : {}),
        },
      };
    }
    const model = decodeURIComponent(chat?.[1] ?? '');
    if (!models.includes(model)) {
      return error(
        404,
        'NOT_FOUND',
        `models/${model} is not found for API version v1beta, or is not supported for generateContent.`,
      );
    }
    const body = parseBody(req) as Record<string, unknown> | undefined;
    if (!body) return error(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received.');
    const input = { model, system: partsText(body.systemInstruction), user: firstUserText(body.contents) };
    state.chats.push({ ...input, body });
    if (state.blockNext) {
      state.blockNext = false;
      return {
        status: 200,
        body: { promptFeedback: { blockReason: 'SAFETY' }, usageMetadata: { promptTokenCount: 300 } },
      };
    }
    const text = state.answer(input);
    const cut = scripted === 'cut-off';
    return {
      status: 200,
      body: {
        candidates: [
          {
            content: { parts: [{ text: cut ? text.slice(0, 12) : text }], role: 'model' },
            finishReason: cut ? 'MAX_TOKENS' : 'STOP',
            index: 0,
          },
        ],
        usageMetadata: { promptTokenCount: 300, candidatesTokenCount: 80, totalTokenCount: 380 },
        modelVersion: model,
      },
    };
  });
  return Object.assign(state, standin);
}

function partsText(content: unknown): string {
  if (typeof content !== 'object' || content === null) return '';
  const parts = (content as { parts?: unknown }).parts;
  if (!Array.isArray(parts)) return '';
  return parts.map((p) => String((p as { text?: unknown }).text ?? '')).join('');
}

function firstUserText(contents: unknown): string {
  if (!Array.isArray(contents)) return '';
  const user = contents.find((c) => (c as { role?: unknown }).role === 'user');
  return partsText(user);
}

function error(code: number, status: string, message: string, reason?: string): StandinReply {
  return {
    status: code,
    body: {
      error: {
        code,
        message,
        status,
        ...(reason
          ? {
              details: [
                { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason, domain: 'googleapis.com' },
              ],
            }
          : {}),
      },
    },
  };
}
