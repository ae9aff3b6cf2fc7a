import {
  parseBody,
  Script,
  startStandin,
  type RecordedRequest,
  type Standin,
  type StandinReply,
} from './standin-server.js';

export type AppriseFailure = 'failed-dependency' | 'server-error' | 'hang';

export interface AppriseNotification {
  /** The `{KEY}` of `/notify/{KEY}`, or undefined for the stateless `/notify/`. */
  key?: string;
  payload: Record<string, unknown>;
}

export interface AppriseStandin extends Standin {
  script: Script<AppriseFailure>;
  notifications: AppriseNotification[];
}

const NOTIFY_TYPES = ['info', 'success', 'warning', 'failure'];
const FORMATS = ['text', 'markdown', 'html'];

/**
 * The Apprise API server's notify endpoints as its views answer them: 200 "Notification(s) sent.";
 * 400 for a payload without body or with an unknown type/format; 204 when `{KEY}` has no stored
 * configuration (or a stateless call names no URLs); 424 when one or more upstream services failed;
 * 500 for an internal error.
 */
export async function startAppriseApiStandin(options: { keys: string[] }): Promise<AppriseStandin> {
  const script = new Script<AppriseFailure>();
  const notifications: AppriseNotification[] = [];
  const handle = (req: RecordedRequest): StandinReply | 'hang' => {
    const match = /^\/notify\/?([\w-]{1,128})?\/?$/.exec(req.url);
    if (req.method !== 'POST' || !match) return { status: 404, body: 'Not Found' };
    const failure = script.next();
    if (failure === 'hang') return 'hang';
    if (failure === 'server-error')
      return { status: 500, body: { error: 'An error occured accessing configuration.' } };

    const payload = parseBody(req);
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      return { status: 400, body: 'Invalid JSON specified.' };
    }
    const content = payload as Record<string, unknown>;
    if (!content.body || !NOTIFY_TYPES.includes(String(content.type ?? 'info'))) {
      return { status: 400, body: { error: 'An invalid payload was specified.' } };
    }
    if (content.format !== undefined && !FORMATS.includes(String(content.format))) {
      return { status: 400, body: { error: 'An invalid body input format was specified.' } };
    }
    const key = match[1];
    if (key !== undefined && !options.keys.includes(key)) {
      return { status: 204 };
    }
    if (key === undefined && !content.urls) return { status: 204 };
    if (failure === 'failed-dependency') {
      return { status: 424, body: { error: 'One or more notification could not be sent.' } };
    }
    notifications.push({ ...(key !== undefined ? { key } : {}), payload: content });
    return { status: 200, body: 'Notification(s) sent.' };
  };
  const server = await startStandin(handle);
  return Object.assign(server, { script, notifications });
}
