import { Script, type Standin } from '../../channels/test-support/standin-server.js';

/**
 * Shared parts of the AI provider stand-ins: the failures each can be scripted to produce, and the
 * "model" that answers. Every stand-in follows its provider's documented request and reply shapes,
 * including its error bodies.
 */

export type AiFailure =
  /** Wrong or missing key, answered the provider's way (Gemini: 400 API_KEY_INVALID). */
  | 'unauthorized'
  /** 429 with Retry-After (Ollama has no rate limit: its 503 "server busy"). */
  | 'rate-limit'
  | 'server-error'
  /** A 200 whose body is cut-off JSON. */
  | 'malformed'
  /** The reply stopped at the token limit. */
  | 'cut-off'
  /** Never answers. */
  | 'hang';

/** What the stand-in's "model" sees; it returns the reply text. */
export interface ChatInput {
  model: string;
  system: string;
  user: string;
}
export type Answer = (input: ChatInput) => string;

export interface AiStandin extends Standin {
  /** Every chat request that reached the model, as the model saw it, plus the raw JSON body. */
  chats: Array<ChatInput & { body: Record<string, unknown> }>;
  fail: Script<AiFailure>;
  /** Replaced by tests that want a different model behaviour. */
  answer: Answer;
}

export interface AiStandinOptions {
  apiKey?: string;
  models?: string[];
  answer?: Answer;
}

/**
 * A well-behaved model: restates the notification's own title and body in the reply format. Tests
 * that need a real rewrite (or a bad one) set `answer`.
 */
export const echoAnswer: Answer = ({ user }) => {
  const title = between(user, '--- notification title ---\n', '\n--- notification body ---');
  const body = between(user, '--- notification body ---\n', /\n--- (fields|end) ---/);
  return `[TITLE]\n${title}\n[BODY]\n${body}`;
};

function between(text: string, start: string, end: string | RegExp): string {
  const from = text.indexOf(start);
  if (from < 0) return '';
  const rest = text.slice(from + start.length);
  const stop = typeof end === 'string' ? rest.indexOf(end) : rest.search(end);
  return stop < 0 ? rest : rest.slice(0, stop);
}

export function newScript(): Script<AiFailure> {
  return new Script<AiFailure>();
}

/** Path and query of a recorded request URL. */
export function splitUrl(url: string): { path: string; query: URLSearchParams } {
  const [path = '', query = ''] = url.split('?');
  return { path, query: new URLSearchParams(query) };
}

/** A 200 with a JSON body cut in the middle, as a proxy dropping the connection might leave it. */
export const TRUNCATED_JSON = '{"id":"x","choices":[{"index":0,"message":{"role":"assist';
