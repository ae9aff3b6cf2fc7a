import type { Logger } from 'pino';
import type { z } from 'zod';
import type { Exec } from '../../sources/exec.js';

export type NotifySeverity = 'OK' | 'INFO' | 'WARNING' | 'CRITICAL';

/** A message ready to deliver: what the templates (or the AI rewrite) produced for one event. */
export interface RenderedMessage {
  title: string;
  /** Plain text, lines separated by \n; channels escape or convert it for their format. */
  body: string;
  severity: NotifySeverity;
  /** Event type (`backup_fail`) and group (`backup`). */
  type: string;
  group: string;
  /** Structured facts (label → value) for channels with fields (Discord embeds, Slack blocks, email table). */
  fields: ReadonlyArray<{ label: string; value: string }>;
  /** The host the event is about (display name). */
  host: string;
  /** Unix ms when the event happened. */
  at: number;
  /** Optional link back (Grafana, PVE UI). */
  url?: string;
}

/**
 * What one attempt did. A failure says whether retrying can help (network errors, 5xx, 429) and,
 * when the service said so (Retry-After, Telegram's retry_after, Discord's retry_after), how long to wait.
 */
export type DeliveryResult =
  | { ok: true; /** The service's id for the message, when it returns one. */ remoteId?: string }
  | { ok: false; retryable: boolean; retryAfterMs?: number; error: string };

export interface SendOptions {
  /** Aborted when the attempt's deadline passes. */
  signal: AbortSignal;
  /** Stable per delivery across retries (and restarts): services that dedupe on it get it. */
  idempotencyKey: string;
}

export interface Channel {
  readonly type: ChannelType;
  send(message: RenderedMessage, options: SendOptions): Promise<DeliveryResult>;
}

export const CHANNEL_TYPES = [
  'telegram',
  'discord',
  'email',
  'gotify',
  'apprise',
  'ntfy',
  'slack',
  'matrix',
  'pushover',
  'webhook',
] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

export interface ChannelDeps {
  /** Global fetch by default; tests may wrap it. */
  fetch: typeof fetch;
  exec: Exec;
  logger: Logger;
}

/**
 * One channel type: its config schema (snake_case keys, as in YAML and the API), which of those keys
 * are secrets (encrypted at rest, masked in responses), and how to build a sender from a valid config.
 */
export interface ChannelKind<S extends z.ZodType = z.ZodType> {
  type: ChannelType;
  config: S;
  secretKeys: readonly string[];
  create(config: z.output<S>, deps: ChannelDeps): Channel;
}
