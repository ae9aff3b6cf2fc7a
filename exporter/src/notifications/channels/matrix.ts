import { z } from 'zod';
import type { Channel, ChannelKind, DeliveryResult, RenderedMessage } from './channel.js';
import {
  escapeHtml,
  httpRequest,
  httpUrl,
  isFailure,
  isSuccess,
  joinUrl,
  parseJsonObject,
  replyFailure,
  SEVERITY_ICON,
  truncate,
} from './http.js';
import { safeHttpLink } from './safe-link.js';

export const matrixConfig = z.object({
  homeserver_url: httpUrl.default('https://matrix.org'),
  access_token: z.string().trim().min(1),
  /** A room id (`!abc:example.org`); aliases (`#ops:example.org`) would need a lookup first. */
  room_id: z
    .string()
    .trim()
    .regex(/^![^\s/]+$/, 'must be a room id like !abc123:example.org (not a #alias)'),
  /** m.notice marks an automated message (the spec tells bots never to answer one); m.text is an ordinary one. */
  msgtype: z.enum(['m.notice', 'm.text']).default('m.notice'),
});
export type MatrixConfig = z.output<typeof matrixConfig>;

/**
 * The whole event must stay under the spec's 65 536-byte PDU limit, signatures and envelope included;
 * the content gets this much of it.
 */
export const MATRIX_CONTENT_MAX_BYTES = 60_000;
const CUT_MARKER = '\n… (message truncated)';

export const matrixChannel: ChannelKind<typeof matrixConfig> = {
  type: 'matrix',
  config: matrixConfig,
  secretKeys: ['access_token'],
  create(config, deps): Channel {
    const secrets = [config.access_token];
    return {
      type: 'matrix',
      async send(message, { signal, idempotencyKey }): Promise<DeliveryResult> {
        // The transaction id is the delivery's idempotency key: a retried PUT with the same txnId is
        // answered with the first event_id instead of posting a second message.
        const path =
          `_matrix/client/v3/rooms/${encodeURIComponent(config.room_id)}` +
          `/send/m.room.message/${encodeURIComponent(idempotencyKey)}`;
        const reply = await httpRequest(deps.fetch, {
          service: 'Matrix',
          url: joinUrl(config.homeserver_url, path),
          method: 'PUT',
          headers: { Authorization: `Bearer ${config.access_token}` },
          json: matrixContent(message, config.msgtype),
          signal,
          secrets,
        });
        if (isFailure(reply)) return reply;
        const body = parseJsonObject(reply.text);
        if (isSuccess(reply)) {
          const eventId = body?.event_id;
          return typeof eventId === 'string' ? { ok: true, remoteId: eventId } : { ok: true };
        }
        // Since spec v1.10 the Retry-After header is preferred; retry_after_ms remains for older servers.
        const fromBody = reply.headers.has('retry-after') ? undefined : body?.retry_after_ms;
        return replyFailure('Matrix', reply, secrets, {
          ...(typeof fromBody === 'number' && fromBody >= 0 ? { retryAfterMs: Math.round(fromBody) } : {}),
        });
      },
    };
  },
};

/** `m.room.message` content: plain `body` plus `org.matrix.custom.html` `formatted_body`, within the size limit. */
export function matrixContent(
  message: RenderedMessage,
  msgtype: MatrixConfig['msgtype'],
): Record<string, string> {
  const build = (body: string) => ({
    msgtype,
    body: plainBody(message, body),
    format: 'org.matrix.custom.html',
    formatted_body: htmlBody(message, body),
  });
  // Body and formatted_body each carry the text, so more than half the budget can never fit: cut
  // that much before escaping anything.
  const firstCut = Math.floor(MATRIX_CONTENT_MAX_BYTES / 2);
  let keep = Math.min(message.body.length, firstCut);
  let content = build(
    keep < message.body.length ? truncate(message.body, keep, '') + CUT_MARKER : message.body,
  );
  let size = Buffer.byteLength(JSON.stringify(content), 'utf8');
  while (size > MATRIX_CONTENT_MAX_BYTES && keep > 0) {
    // Shrink in proportion to the overshoot; escaping and multi-byte text make it non-linear, so loop.
    keep = Math.max(0, Math.floor(((keep * MATRIX_CONTENT_MAX_BYTES) / size) * 0.98) - 64);
    content = build(truncate(message.body, keep, '') + CUT_MARKER);
    size = Buffer.byteLength(JSON.stringify(content), 'utf8');
  }
  return content;
}

function plainBody(message: RenderedMessage, body: string): string {
  const parts = [`${SEVERITY_ICON[message.severity]} ${message.title}`, body];
  if (message.fields.length > 0) parts.push(message.fields.map((f) => `${f.label}: ${f.value}`).join('\n'));
  parts.push(`Host: ${message.host}${message.url ? `\n${message.url}` : ''}`);
  return parts.filter((p) => p !== '').join('\n\n');
}

function htmlBody(message: RenderedMessage, body: string): string {
  const lines = (text: string) => escapeHtml(text).split('\n').join('<br>');
  const parts = [`<b>${SEVERITY_ICON[message.severity]} ${escapeHtml(message.title)}</b>`];
  if (body !== '') parts.push(lines(body));
  if (message.fields.length > 0) {
    parts.push(
      message.fields.map((f) => `<b>${escapeHtml(f.label)}:</b> ${escapeHtml(f.value)}`).join('<br>'),
    );
  }
  const link = safeHttpLink(message.url);
  parts.push(
    `<i>Host: ${escapeHtml(message.host)}</i>${link ? `<br><a href="${escapeHtml(link)}">${escapeHtml(link)}</a>` : ''}`,
  );
  return parts.join('<br><br>');
}
