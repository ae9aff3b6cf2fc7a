import type { Logger } from 'pino';
import type { Channel, DeliveryResult, RenderedMessage } from './channels/channel.js';
import type { AiRequest, Outbox, OutboxRow, RetryPolicy } from './outbox.js';

/** Rewrites a message (AI); resolves to the text to send and, when it changed, the original. */
export type Rewrite = (
  message: RenderedMessage,
  request: AiRequest,
) => Promise<{ message: RenderedMessage; original?: RenderedMessage }>;

export interface DeliveryDeps {
  outbox: Outbox;
  /** The sender for a channel name; undefined when the channel was deleted or disabled. */
  channel: (name: string) => Channel | undefined;
  policy: () => RetryPolicy;
  rewrite?: Rewrite;
  logger: Logger;
  now?: () => number;
  /** Deadline of one attempt. */
  attemptTimeoutMs?: number;
  onAttempt?: (channel: string, ok: boolean) => void;
}

/**
 * Drains the outbox: per channel strictly in order (the head blocks the queue until it is sent or
 * given up on), channels independently of each other. `tick()` does all that is due now; the engine
 * calls it on a timer, tests call it with a controlled clock.
 */
export class Delivery {
  private readonly busy = new Map<string, Promise<void>>();
  private readonly now: () => number;
  constructor(private readonly deps: DeliveryDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Starts work for every channel with a due head; resolves when that work is done. */
  async tick(): Promise<void> {
    const work = this.deps.outbox.pendingChannels().map((ch) => {
      let running = this.busy.get(ch);
      if (!running) {
        running = this.drain(ch).finally(() => this.busy.delete(ch));
        this.busy.set(ch, running);
      }
      return running;
    });
    await Promise.all(work);
  }

  /** Sends due heads of one channel until one is not due (backing off) or the queue is empty. */
  private async drain(channel: string): Promise<void> {
    for (;;) {
      const head = this.deps.outbox.head(channel);
      if (!head || head.nextAttemptAt > this.now()) return;
      const state = await this.attempt(head);
      if (state === 'pending') return;
    }
  }

  private async attempt(row: OutboxRow): Promise<OutboxRow['state']> {
    const { outbox, logger } = this.deps;
    const sender = this.deps.channel(row.channel);
    // History records the text actually sent (and, after a rewrite, the template beside it).
    const sending = sender ? await this.text(row) : row;
    const result: DeliveryResult = sender
      ? await this.send(sender, sending)
      : { ok: false, retryable: false, error: `channel ${row.channel} no longer exists or is disabled` };
    const state = outbox.recordAttempt(sending, result, this.deps.policy());
    this.deps.onAttempt?.(row.channel, result.ok);
    if (!result.ok)
      logger.warn(
        { channel: row.channel, delivery: row.id, attempt: row.attempts + 1, state, error: result.error },
        state === 'dead' ? 'notification given up (dead letter)' : 'notification attempt failed',
      );
    return state;
  }

  /** The rewrite happens once, before the first attempt; both versions are stored with the delivery. */
  private async text(row: OutboxRow): Promise<OutboxRow> {
    if (!row.ai || !this.deps.rewrite) return row;
    let out: { message: RenderedMessage; original?: RenderedMessage } = { message: row.message };
    try {
      out = await this.deps.rewrite(row.message, row.ai);
    } catch (err) {
      this.deps.logger.warn({ err, delivery: row.id }, 'AI rewrite failed; sending the template text');
    }
    this.deps.outbox.setText(row.id, out.message, out.original);
    return { ...row, message: out.message, ...(out.original ? { original: out.original } : {}) };
  }

  private async send(channel: Channel, row: OutboxRow): Promise<DeliveryResult> {
    const timeoutMs = this.deps.attemptTimeoutMs ?? 30_000;
    try {
      return await channel.send(row.message, {
        signal: AbortSignal.timeout(timeoutMs),
        idempotencyKey: row.idempotencyKey,
      });
    } catch (err) {
      // A channel should return errors, but a bug must not wedge the queue.
      return { ok: false, retryable: true, error: `channel threw: ${(err as Error).message}` };
    }
  }
}
