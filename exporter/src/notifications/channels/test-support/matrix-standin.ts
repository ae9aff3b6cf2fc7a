import {
  parseBody,
  Script,
  startStandin,
  type RecordedRequest,
  type Standin,
  type StandinReply,
} from './standin-server.js';

/** Failures the Matrix stand-in can be told to give the next request. */
export type MatrixFailure = 'rate-limit' | 'rate-limit-header' | 'server-error' | 'too-large' | 'hang';

export interface MatrixEvent {
  roomId: string;
  txnId: string;
  eventId: string;
  content: unknown;
}

export interface MatrixStandin extends Standin {
  script: Script<MatrixFailure>;
  /** Events the homeserver accepted, once per transaction id (as the spec dedupes). */
  events: MatrixEvent[];
}

const SEND_PATH = /^\/_matrix\/client\/v3\/rooms\/([^/]+)\/send\/m\.room\.message\/([^/?]+)$/;

/**
 * A homeserver's `PUT /_matrix/client/v3/rooms/{roomId}/send/m.room.message/{txnId}`, following the
 * client-server spec: Bearer access token (401 M_UNKNOWN_TOKEN / M_MISSING_TOKEN), membership
 * (403 M_FORBIDDEN), transaction-id idempotency (a repeated txnId returns the first event_id and adds
 * nothing), and 429 M_LIMIT_EXCEEDED with `retry_after_ms` (or the Retry-After header of v1.10+).
 */
export async function startMatrixStandin(options: {
  token: string;
  joinedRooms: string[];
}): Promise<MatrixStandin> {
  const script = new Script<MatrixFailure>();
  const events: MatrixEvent[] = [];
  const handle = (req: RecordedRequest): StandinReply | 'hang' => {
    const match = SEND_PATH.exec(req.url);
    if (req.method !== 'PUT' || !match) {
      return { status: 404, body: { errcode: 'M_UNRECOGNIZED', error: 'Unrecognized request' } };
    }
    const auth = req.headers.authorization;
    if (!auth) return { status: 401, body: { errcode: 'M_MISSING_TOKEN', error: 'Missing access token' } };
    if (auth !== `Bearer ${options.token}`) {
      return {
        status: 401,
        body: { errcode: 'M_UNKNOWN_TOKEN', error: 'Invalid access token passed.', soft_logout: false },
      };
    }
    const failure = script.next();
    if (failure === 'hang') return 'hang';
    if (failure === 'rate-limit') {
      return {
        status: 429,
        body: { errcode: 'M_LIMIT_EXCEEDED', error: 'Too many requests', retry_after_ms: 2500 },
      };
    }
    if (failure === 'rate-limit-header') {
      return {
        status: 429,
        headers: { 'retry-after': '7' },
        body: { errcode: 'M_LIMIT_EXCEEDED', error: 'Too many requests' },
      };
    }
    if (failure === 'server-error')
      return { status: 502, body: { errcode: 'M_UNKNOWN', error: 'Bad gateway' } };
    if (failure === 'too-large')
      return { status: 413, body: { errcode: 'M_TOO_LARGE', error: 'event too large' } };

    const roomId = decodeURIComponent(match[1] ?? '');
    const txnId = decodeURIComponent(match[2] ?? '');
    if (!options.joinedRooms.includes(roomId)) {
      return { status: 403, body: { errcode: 'M_FORBIDDEN', error: `User not in room ${roomId}` } };
    }
    const content = parseBody(req);
    if (typeof content !== 'object' || content === null) {
      return { status: 400, body: { errcode: 'M_NOT_JSON', error: 'Content not JSON.' } };
    }
    const seen = events.find((e) => e.roomId === roomId && e.txnId === txnId);
    if (seen) return { status: 200, body: { event_id: seen.eventId } };
    const eventId = `$event${events.length + 1}:standin`;
    events.push({ roomId, txnId, eventId, content });
    return { status: 200, body: { event_id: eventId } };
  };
  const server = await startStandin(handle);
  return Object.assign(server, { script, events });
}
