import { randomUUID } from 'node:crypto';
import type { Db } from '../store/db.js';
import type { DeliveryResult, RenderedMessage } from './channels/channel.js';

// Tables: migration 6 (notify_outbox, notify_history). A delivery is a row before it is a request, so
// a crash or restart never loses one; a row leaves `pending` only by being sent or given up on.

/** How a channel wants its text rewritten; the first attempt does it and stores both versions. */
export interface AiRequest {
  language: string;
  detail: 'brief' | 'standard' | 'detailed';
}

export interface OutboxRow {
  id: number;
  channel: string;
  idempotencyKey: string;
  eventType: string;
  fingerprint: string;
  severity: string;
  message: RenderedMessage;
  original?: RenderedMessage;
  ai?: AiRequest;
  state: 'pending' | 'sent' | 'dead';
  attempts: number;
  createdAt: number;
  nextAttemptAt: number;
  lastError?: string;
  finishedAt?: number;
}

interface RawRow {
  id: number;
  channel: string;
  idempotency_key: string;
  event_type: string;
  fingerprint: string;
  severity: string;
  message: string;
  original: string | null;
  ai: string | null;
  state: OutboxRow['state'];
  attempts: number;
  created_at: number;
  next_attempt_at: number;
  last_error: string | null;
  finished_at: number | null;
}

const toRow = (r: RawRow): OutboxRow => ({
  id: r.id,
  channel: r.channel,
  idempotencyKey: r.idempotency_key,
  eventType: r.event_type,
  fingerprint: r.fingerprint,
  severity: r.severity,
  message: JSON.parse(r.message) as RenderedMessage,
  ...(r.original ? { original: JSON.parse(r.original) as RenderedMessage } : {}),
  ...(r.ai ? { ai: JSON.parse(r.ai) as AiRequest } : {}),
  state: r.state,
  attempts: r.attempts,
  createdAt: r.created_at,
  nextAttemptAt: r.next_attempt_at,
  ...(r.last_error ? { lastError: r.last_error } : {}),
  ...(r.finished_at ? { finishedAt: r.finished_at } : {}),
});

export interface RetryPolicy {
  /** Attempts before a delivery becomes a dead letter. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 12, baseDelayMs: 5_000, maxDelayMs: 30 * 60_000 };

/** Exponential backoff with full jitter, never shorter than what the service asked for. */
export function nextDelayMs(
  attempt: number,
  policy: RetryPolicy,
  retryAfterMs?: number,
  random = Math.random,
) {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  const jittered = cap / 2 + (random() * cap) / 2;
  return Math.max(jittered, retryAfterMs ?? 0);
}

export class Outbox {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  /** Queues one delivery; returns its id. The key makes a re-enqueue of the same delivery a no-op. */
  enqueue(d: {
    channel: string;
    eventType: string;
    fingerprint: string;
    message: RenderedMessage;
    ai?: AiRequest;
    idempotencyKey?: string;
  }): number {
    const at = this.now();
    const key = d.idempotencyKey ?? randomUUID();
    const r = this.db
      .prepare(
        `INSERT INTO notify_outbox (channel, idempotency_key, event_type, fingerprint, severity, message, ai,
           state, created_at, next_attempt_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)
         ON CONFLICT(idempotency_key) DO NOTHING`,
      )
      .run(
        d.channel,
        key,
        d.eventType,
        d.fingerprint,
        d.message.severity,
        JSON.stringify(d.message),
        d.ai ? JSON.stringify(d.ai) : null,
        at,
        at,
      );
    if (r.changes > 0) return Number(r.lastInsertRowid);
    const existing = this.db.prepare('SELECT id FROM notify_outbox WHERE idempotency_key = ?').get(key) as {
      id: number;
    };
    return existing.id;
  }

  /**
   * Records a delivery that was sent outside the queue (a channel test) with its one attempt, in one
   * transaction. The row is never pending, so the delivery loop cannot send it a second time.
   */
  recordDirect(
    d: Parameters<Outbox['enqueue']>[0] & { idempotencyKey: string },
    result: DeliveryResult,
  ): number {
    return this.db.transaction(() => {
      const id = this.enqueue(d);
      this.recordAttempt(this.row(id)!, result.ok ? result : { ...result, retryable: false }, {
        maxAttempts: 1,
        baseDelayMs: 0,
        maxDelayMs: 0,
      });
      return id;
    })();
  }

  row(id: number): OutboxRow | undefined {
    const r = this.db.prepare('SELECT * FROM notify_outbox WHERE id = ?').get(id) as RawRow | undefined;
    return r && toRow(r);
  }

  /** Drops a finished delivery that is not worth keeping as a dead letter (a failed test message). */
  discard(id: number): void {
    this.db.prepare(`DELETE FROM notify_outbox WHERE id = ? AND state != 'pending'`).run(id);
  }

  /** The oldest pending delivery of a channel: the head of its queue, due or not (order is kept). */
  head(channel: string): OutboxRow | undefined {
    const r = this.db
      .prepare(`SELECT * FROM notify_outbox WHERE channel = ? AND state = 'pending' ORDER BY id LIMIT 1`)
      .get(channel) as RawRow | undefined;
    return r && toRow(r);
  }

  /** Channels with pending deliveries. */
  pendingChannels(): string[] {
    return (
      this.db.prepare(`SELECT DISTINCT channel FROM notify_outbox WHERE state = 'pending'`).all() as Array<{
        channel: string;
      }>
    ).map((r) => r.channel);
  }

  /** Stores the outcome of the rewrite (done once): the text to send and, when rewritten, the template. */
  setText(id: number, message: RenderedMessage, original: RenderedMessage | undefined): void {
    this.db
      .prepare('UPDATE notify_outbox SET message = ?, original = ?, ai = NULL WHERE id = ?')
      .run(JSON.stringify(message), original ? JSON.stringify(original) : null, id);
  }

  /** Records an attempt's outcome and its history row in one transaction. */
  recordAttempt(row: OutboxRow, result: DeliveryResult, policy: RetryPolicy): OutboxRow['state'] {
    const at = this.now();
    const attempt = row.attempts + 1;
    let state: OutboxRow['state'] = 'pending';
    let next = row.nextAttemptAt;
    if (result.ok) state = 'sent';
    else if (!result.retryable || attempt >= policy.maxAttempts) state = 'dead';
    else next = at + nextDelayMs(attempt, policy, result.retryAfterMs);
    const error = result.ok ? null : result.error;
    this.db.transaction(() => {
      this.db
        .prepare(
          `UPDATE notify_outbox SET state = ?, attempts = ?, next_attempt_at = ?, last_error = ?, finished_at = ?
           WHERE id = ?`,
        )
        .run(state, attempt, next, error, state === 'pending' ? null : at, row.id);
      this.db
        .prepare(
          `INSERT INTO notify_history (outbox_id, channel, event_type, severity, title, body, original_title,
             original_body, attempt, at, success, error)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          row.id,
          row.channel,
          row.eventType,
          row.severity,
          row.message.title,
          row.message.body,
          row.original?.title ?? null,
          row.original?.body ?? null,
          attempt,
          at,
          result.ok ? 1 : 0,
          error,
        );
    })();
    return state;
  }

  deadLetters(limit = 100): OutboxRow[] {
    return (
      this.db
        .prepare(`SELECT * FROM notify_outbox WHERE state = 'dead' ORDER BY id DESC LIMIT ?`)
        .all(limit) as RawRow[]
    ).map(toRow);
  }

  /** Puts a dead letter back at the end of its channel's queue with fresh attempts. */
  retry(id: number): boolean {
    const at = this.now();
    const r = this.db
      .prepare(
        `UPDATE notify_outbox SET state = 'pending', attempts = 0, next_attempt_at = ?, finished_at = NULL,
           id = (SELECT MAX(id) + 1 FROM notify_outbox)
         WHERE id = ? AND state = 'dead'`,
      )
      .run(at, id);
    return r.changes > 0;
  }

  /** Waiting deliveries per channel (for `proxmon_notifications_outbox`). */
  waiting(): Map<string, number> {
    const rows = this.db
      .prepare(`SELECT channel, COUNT(*) AS n FROM notify_outbox WHERE state = 'pending' GROUP BY channel`)
      .all() as Array<{ channel: string; n: number }>;
    return new Map(rows.map((r) => [r.channel, r.n]));
  }

  /** Attempts, newest first. */
  history(q: { channel?: string; eventType?: string; success?: boolean; before?: number; limit: number }) {
    const where: string[] = [];
    const args: Array<string | number> = [];
    const filter = (clause: string, value: string | number) => {
      where.push(clause);
      args.push(value);
    };
    if (q.channel) filter('channel = ?', q.channel);
    if (q.eventType) filter('event_type = ?', q.eventType);
    if (q.success !== undefined) filter('success = ?', q.success ? 1 : 0);
    if (q.before) filter('id < ?', q.before);
    const sql = `SELECT * FROM notify_history ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    return (
      this.db.prepare(sql).all(...args, q.limit) as Array<{
        id: number;
        outbox_id: number;
        channel: string;
        event_type: string;
        severity: string;
        title: string;
        body: string;
        original_title: string | null;
        original_body: string | null;
        attempt: number;
        at: number;
        success: number;
        error: string | null;
      }>
    ).map((r) => ({
      id: r.id,
      delivery: r.outbox_id,
      channel: r.channel,
      event_type: r.event_type,
      severity: r.severity,
      title: r.title,
      body: r.body,
      original_title: r.original_title,
      original_body: r.original_body,
      ai_rewritten: r.original_title !== null,
      attempt: r.attempt,
      at: r.at,
      success: r.success === 1,
      error: r.error,
    }));
  }

  clearHistory(before: number): number {
    return this.db.prepare('DELETE FROM notify_history WHERE at < ?').run(before).changes;
  }

  /** Retention: finished deliveries and history rows older than `days`. */
  prune(days: number): void {
    const cutoff = this.now() - days * 86_400_000;
    this.db.transaction(() => {
      this.db.prepare(`DELETE FROM notify_history WHERE at < ?`).run(cutoff);
      this.db.prepare(`DELETE FROM notify_outbox WHERE state != 'pending' AND finished_at < ?`).run(cutoff);
    })();
  }
}
