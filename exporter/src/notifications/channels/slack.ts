import { z } from 'zod';
import type { Channel, ChannelKind, DeliveryResult, RenderedMessage, SendOptions } from './channel.js';
import {
  httpRequest,
  httpUrl,
  isFailure,
  isSuccess,
  replyFailure,
  SEVERITY_ICON,
  splitEncoded,
  truncate,
} from './http.js';

/** Slack's documented Block Kit limits (characters, counts). */
export const SLACK_LIMITS = {
  blocks: 50,
  header: 150,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  /** Fallback `text` shown in notifications; Slack truncates far later, but a notification needs little. */
  fallbackText: 3000,
} as const;
/**
 * Slack rejects messages whose blocks add up to roughly 13 000 characters (`msg_blocks_too_long`)
 * although no total is documented, so the body gets at most three full sections and fields at most two.
 */
const MAX_BODY_SECTIONS = 3;
const MAX_FIELD_SECTIONS = 2;
const CUT_MARKER = '\n… (truncated)';

export const slackConfig = z.object({
  /** Incoming webhook URL (https://hooks.slack.com/services/T…/B…/…): it is the credential. */
  webhook_url: httpUrl,
});
export type SlackConfig = z.output<typeof slackConfig>;

export const slackChannel: ChannelKind<typeof slackConfig> = {
  type: 'slack',
  config: slackConfig,
  secretKeys: ['webhook_url'],
  create: (config, deps) => new SlackChannel(config, deps.fetch),
};

/** Slack's mrkdwn needs exactly these three escaped; everything else is literal. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The escaped form of `plain`, cut (before escaping, so no entity is split) to fit `max` with a marker. */
function fitEscaped(plain: string, max: number, marker = '…'): string {
  const whole = escapeMrkdwn(plain);
  if (whole.length <= max) return whole;
  // Longest prefix whose escaped form fits, by binary search (escaping only ever lengthens).
  let lo = 0;
  let hi = Math.min(plain.length, max - marker.length);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (escapeMrkdwn(plain.slice(0, mid)).length + marker.length <= max) lo = mid;
    else hi = mid - 1;
  }
  // Do not leave the first half of a surrogate pair.
  const code = plain.charCodeAt(lo - 1);
  if (lo > 0 && code >= 0xd800 && code <= 0xdbff) lo -= 1;
  return escapeMrkdwn(plain.slice(0, lo)) + marker;
}

type Block = Record<string, unknown>;

/** The webhook payload: fallback `text` plus header, body sections, field sections and a context line. */
export function slackPayload(message: RenderedMessage): { text: string; blocks: Block[] } {
  const L = SLACK_LIMITS;
  const heading = `${SEVERITY_ICON[message.severity]} ${message.title}`;
  const blocks: Block[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(heading, L.header), emoji: true } },
  ];

  const body = message.body.trim();
  if (body !== '') {
    let sections = splitEncoded(body, L.sectionText, escapeMrkdwn);
    if (sections.length > MAX_BODY_SECTIONS) {
      sections = sections.slice(0, MAX_BODY_SECTIONS);
      const last = sections[MAX_BODY_SECTIONS - 1] ?? '';
      // Cut at a line end or space where possible; never leave half an escaped entity.
      const room = L.sectionText - CUT_MARKER.length;
      const at = [last.lastIndexOf('\n', room), last.lastIndexOf(' ', room)].find((i) => i > 0) ?? room;
      sections[MAX_BODY_SECTIONS - 1] = last.slice(0, at).replace(/&[a-z]*$/, '') + CUT_MARKER;
    }
    for (const text of sections) blocks.push({ type: 'section', text: { type: 'mrkdwn', text } });
  }

  const fields = message.fields.map((f) => {
    const label = fitEscaped(f.label, 200);
    return {
      type: 'mrkdwn',
      text: `*${label}*\n${fitEscaped(f.value || '—', L.fieldText - label.length - 3)}`,
    };
  });
  const maxFields = L.sectionFields * MAX_FIELD_SECTIONS;
  if (fields.length > maxFields) {
    const dropped = fields.length - (maxFields - 1);
    fields.splice(maxFields - 1, fields.length, {
      type: 'mrkdwn',
      text: `_${dropped} more field(s) not shown_`,
    });
  }
  for (let i = 0; i < fields.length; i += L.sectionFields) {
    blocks.push({ type: 'section', fields: fields.slice(i, i + L.sectionFields) });
  }

  const seconds = Math.floor(message.at / 1000);
  const when = `<!date^${seconds}^{date_short_pretty} {time}|${new Date(message.at).toISOString()}>`;
  const link =
    message.url !== undefined ? ` · <${message.url.replace(/[|<>]/g, encodeURIComponent)}|Open>` : '';
  blocks.push({
    type: 'context',
    elements: [
      { type: 'mrkdwn', text: `${fitEscaped(message.host, 200)} · ${message.severity} · ${when}${link}` },
    ],
  });

  const text = fitEscaped(body === '' ? heading : `${heading}\n${body}`, L.fallbackText);
  return { text, blocks };
}

class SlackChannel implements Channel {
  readonly type = 'slack' as const;

  constructor(
    private readonly config: SlackConfig,
    private readonly fetchFn: typeof fetch,
  ) {}

  async send(message: RenderedMessage, { signal }: SendOptions): Promise<DeliveryResult> {
    const { webhook_url } = this.config;
    const path = new URL(webhook_url).pathname;
    const secrets = [webhook_url, path.length > 1 ? path : undefined];
    const reply = await httpRequest(this.fetchFn, {
      service: 'Slack',
      url: webhook_url,
      json: slackPayload(message),
      signal,
      secrets,
    });
    if (isFailure(reply)) return reply;
    // Incoming webhooks answer 200 "ok", and errors as a plain-text code (invalid_payload, no_service…).
    if (isSuccess(reply)) return { ok: true };
    return replyFailure('Slack', reply, secrets);
  }
}
