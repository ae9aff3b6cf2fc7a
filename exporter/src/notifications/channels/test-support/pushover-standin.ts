import {
  Script,
  startStandin,
  type RecordedRequest,
  type Standin,
  type StandinReply,
} from './standin-server.js';

export type PushoverFailure = 'over-limit' | 'server-error' | 'hang';

export interface PushoverStandin extends Standin {
  script: Script<PushoverFailure>;
  /** Accepted messages, as the form fields the API received. */
  messages: Array<Record<string, string>>;
  /** Unix seconds the stand-in reports in X-Limit-App-Reset. */
  limitResetAt: number;
}

/**
 * Pushover's `POST /1/messages.json` as documented at pushover.net/api: form-encoded fields; HTTP 200
 * with `{"status":1,"request":…}` on success; HTTP 4xx with `{"status":0,"errors":[…]}` (plus the bad
 * field as a key) for invalid input; HTTP 429 once the app is over its monthly limit; X-Limit-App-*
 * headers on every reply; `receipt` for emergency priority.
 */
export async function startPushoverStandin(options: {
  token: string;
  user: string;
}): Promise<PushoverStandin> {
  const script = new Script<PushoverFailure>();
  const messages: Array<Record<string, string>> = [];
  const limitResetAt = Math.floor(Date.now() / 1000) + 3600;
  let counter = 0;
  const limits = (remaining: number) => ({
    'x-limit-app-limit': '10000',
    'x-limit-app-remaining': String(remaining),
    'x-limit-app-reset': String(limitResetAt),
  });
  const invalid = (field: string, error: string): StandinReply => ({
    status: 400,
    headers: limits(9000),
    body: { [field]: 'invalid', errors: [error], status: 0, request: requestId() },
  });
  const requestId = () => `req-${(counter += 1)}`;

  const handle = (req: RecordedRequest): StandinReply | 'hang' => {
    if (req.method !== 'POST' || req.url !== '/1/messages.json') return { status: 404, body: 'not found' };
    const failure = script.next();
    if (failure === 'hang') return 'hang';
    if (failure === 'over-limit') {
      return {
        status: 429,
        headers: limits(0),
        body: { errors: ['application has exceeded its message limit'], status: 0, request: requestId() },
      };
    }
    if (failure === 'server-error') return { status: 503, body: 'Service Unavailable' };

    const form = Object.fromEntries(new URLSearchParams(req.body));
    if (form.token !== options.token) return invalid('token', 'application token is invalid');
    if (form.user !== options.user) {
      return invalid('user', 'user identifier is not a valid user, group, or subscribed user key');
    }
    if (!form.message) return invalid('message', 'message cannot be blank');
    if ([...form.message].length > 1024)
      return invalid('message', 'message cannot be longer than 1024 characters');
    if (form.title && [...form.title].length > 250)
      return invalid('title', 'title cannot be longer than 250 characters');
    const priority = Number(form.priority ?? '0');
    if (priority === 2 && (!form.retry || !form.expire)) {
      return invalid('retry', 'retry and expire parameters must be supplied with priority=2');
    }
    messages.push(form);
    const body: Record<string, unknown> = { status: 1, request: requestId() };
    if (priority === 2) body.receipt = `rcpt${counter}`;
    return { status: 200, headers: limits(9000), body };
  };
  const server = await startStandin(handle);
  return Object.assign(server, { script, messages, limitResetAt });
}
