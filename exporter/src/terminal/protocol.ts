import { z } from 'zod';

/**
 * Wire protocol of /api/terminal/ws.
 *
 * Client → server: binary frames are always terminal input. A text frame is a control frame when it is
 * a JSON object with a string `type`; any other text is terminal input. (A client that must send text
 * which looks like a control frame, e.g. a paste, sends it as a binary frame.)
 *
 * Server → client: terminal output always in binary frames, control messages always in text frames.
 */
export const WS_PATH = '/api/terminal/ws';
export const TICKET_PROTOCOL_PREFIX = 'proxmon.ticket.';
/** Inbound frames larger than this close the socket (1009); a paste that big should be a file. */
export const MAX_FRAME_BYTES = 64 * 1024;

export const VMID_MIN = 100;
export const VMID_MAX = 999_999_999;

const dimension = z.number().int().min(1).max(1000);
const controlSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('resize'), cols: dimension, rows: dimension }),
  z.strictObject({ type: z.literal('ping') }),
  z.strictObject({
    type: z.literal('attach'),
    vmid: z.number().int().min(VMID_MIN).max(VMID_MAX),
    cols: dimension.optional(),
    rows: dimension.optional(),
  }),
]);
export type ControlFrame = z.output<typeof controlSchema>;

export type ClientFrame =
  | { kind: 'data'; bytes: Buffer }
  | { kind: 'control'; frame: ControlFrame }
  | { kind: 'invalid'; message: string };

/** Longest text frame considered for control parsing; control frames are tiny. */
const MAX_CONTROL_CHARS = 512;

export function parseClientFrame(data: Buffer, isBinary: boolean): ClientFrame {
  if (isBinary || data.length > MAX_CONTROL_CHARS || data[0] !== 0x7b /* { */)
    return { kind: 'data', bytes: data };
  let value: unknown;
  try {
    value = JSON.parse(data.toString('utf8'));
  } catch {
    return { kind: 'data', bytes: data };
  }
  if (typeof value !== 'object' || value === null || typeof (value as { type?: unknown }).type !== 'string')
    return { kind: 'data', bytes: data };
  const r = controlSchema.safeParse(value);
  if (r.success) return { kind: 'control', frame: r.data };
  const [issue] = r.error.issues;
  const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
  return { kind: 'invalid', message: `bad control frame: ${where}${issue?.message ?? 'invalid'}` };
}

export type ServerMessage =
  | { type: 'ready'; session_id: string; target: string }
  | { type: 'pong' }
  | { type: 'exit'; code: number; signal: number | null }
  | { type: 'error'; code: string; message: string };

export const serverMessage = (m: ServerMessage): string => JSON.stringify(m);

/** WebSocket close codes the server uses, so a client can tell why its terminal went away. */
export const CLOSE = {
  /** The shell exited. */
  exited: 1000,
  shutdown: 1001,
  /** A refused attach (bad vmid, LXC console off). */
  policy: 1008,
  spawnFailed: 1011,
  /** Over the per-user or global session cap. */
  tooManySessions: 1013,
  idleTimeout: 4001,
  maxDuration: 4002,
  killed: 4003,
} as const;
