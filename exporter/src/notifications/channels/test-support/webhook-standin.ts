import {
  Script,
  startStandin,
  type RecordedRequest,
  type Standin,
  type StandinReply,
} from './standin-server.js';

export type WebhookFailure =
  'rate-limit' | 'rate-limit-date' | 'server-error' | 'unauthorized' | 'redirect' | 'hang';

export interface WebhookStandin extends Standin {
  script: Script<WebhookFailure>;
  /** Deliveries accepted, at most one per Idempotency-Key (a receiver that dedupes, as it should). */
  accepted: Map<string, RecordedRequest>;
}

/**
 * A generic JSON webhook receiver: 202 on a new delivery, 200 for a repeated Idempotency-Key, and
 * scripted 429 (Retry-After as seconds or as an HTTP-date), 5xx, 401 and 302 answers.
 */
export async function startWebhookStandin(): Promise<WebhookStandin> {
  const script = new Script<WebhookFailure>();
  const accepted = new Map<string, RecordedRequest>();
  const handle = (req: RecordedRequest): StandinReply | 'hang' => {
    const failure = script.next();
    if (failure === 'hang') return 'hang';
    if (failure === 'rate-limit')
      return { status: 429, headers: { 'retry-after': '12' }, body: { error: 'slow down' } };
    if (failure === 'rate-limit-date') {
      const at = new Date(Date.now() + 90_000).toUTCString();
      return { status: 429, headers: { 'retry-after': at }, body: 'Too Many Requests' };
    }
    if (failure === 'server-error') return { status: 500, body: { error: 'internal error' } };
    if (failure === 'unauthorized') return { status: 401, body: { error: 'bad signature' } };
    if (failure === 'redirect')
      return { status: 302, headers: { location: 'http://elsewhere.invalid/hook' } };
    const key = String(req.headers['idempotency-key'] ?? '');
    if (accepted.has(key)) return { status: 200, body: { status: 'duplicate' } };
    accepted.set(key, req);
    return { status: 202, body: { status: 'accepted' } };
  };
  const server = await startStandin(handle);
  return Object.assign(server, { script, accepted });
}
