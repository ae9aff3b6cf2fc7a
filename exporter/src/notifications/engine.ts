import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Keyring } from '../auth/secrets.js';
import type { Exec } from '../sources/exec.js';
import type { Db } from '../store/db.js';
import { ChannelStore, type StoredChannel } from './channel-store.js';
import type { Channel, DeliveryResult } from './channels/channel.js';
import { CHANNEL_KINDS } from './channels/index.js';
import { Delivery, type Rewrite } from './delivery.js';
import type { NotificationEvent } from './event.js';
import { Outbox } from './outbox.js';
import { Pipeline, type SubmitResult } from './pipeline.js';
import { renderEvent } from './render.js';
import { notifySettingsSchema, readNotifySettings, SETTINGS_KEY, type NotifySettings } from './settings.js';
import { PipelineState } from './state.js';

export interface NotificationEngineDeps {
  db: Db;
  keyring: Keyring;
  logger: Logger;
  exec: Exec;
  /** This host's display name in messages (settings.hostname overrides it). */
  hostname: string;
  fetch?: typeof fetch;
  now?: () => number;
  rewrite?: Rewrite;
  /** Storages/interfaces excluded from notifications (health exclusions). */
  excluded?: (kind: 'storage' | 'interface', name: string) => boolean;
}

export interface NotificationEngine {
  readonly channels: ChannelStore;
  readonly outbox: Outbox;
  readonly state: PipelineState;
  settings(): NotifySettings;
  putSettings(patch: unknown): NotifySettings;
  submit(e: NotificationEvent): SubmitResult;
  /** Pipeline timers (bursts, quiet hours, digest) and due deliveries. */
  tick(): Promise<void>;
  /** Sends a test message to one channel right now (bypassing the pipeline), recorded in history. */
  test(name: string): Promise<DeliveryResult>;
  start(intervalMs?: number): void;
  stop(): Promise<void>;
}

export function createNotificationEngine(deps: NotificationEngineDeps): NotificationEngine {
  const now = deps.now ?? Date.now;
  const { db, logger } = deps;
  const log = logger.child({ component: 'notifications' });
  const channels = new ChannelStore(db, deps.keyring, now);
  const outbox = new Outbox(db, now);
  const state = new PipelineState(db);
  const fetchFn = deps.fetch ?? fetch;

  const settings = (): NotifySettings => readNotifySettings(db);
  const putSettings = (patch: unknown): NotifySettings => {
    const merged = notifySettingsSchema.parse({ ...settings(), ...(patch as object) });
    db.prepare(
      `INSERT INTO kv (key, value, updated_at) VALUES (?, ?, ?)
       ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    ).run(SETTINGS_KEY, JSON.stringify(merged), now());
    return merged;
  };
  const host = () => settings().hostname ?? deps.hostname;

  // Senders are built from the stored config once per config version (updated_at).
  const senders = new Map<string, { updatedAt: number; channel: Channel }>();
  const sender = (name: string): Channel | undefined => {
    const stored = channels.get(name);
    if (!stored || !stored.spec.enabled) return undefined;
    const cached = senders.get(name);
    if (cached?.updatedAt === stored.updatedAt) return cached.channel;
    const channel = build(stored);
    senders.set(name, { updatedAt: stored.updatedAt, channel });
    return channel;
  };
  const build = (stored: StoredChannel): Channel => {
    const kind = CHANNEL_KINDS[stored.spec.type];
    const config = kind.config.parse(channels.withSecrets(stored));
    return kind.create(config, { fetch: fetchFn, exec: deps.exec, logger: log });
  };

  const pipeline = new Pipeline({
    state,
    outbox,
    settings,
    channels: () => channels.list().map((c) => ({ name: c.spec.name, policy: c.spec })),
    host,
    ...(deps.excluded ? { excluded: deps.excluded } : {}),
    now,
  });
  const delivery = new Delivery({
    outbox,
    channel: sender,
    policy: () => ({ maxAttempts: settings().max_attempts, baseDelayMs: 5_000, maxDelayMs: 30 * 60_000 }),
    ...(deps.rewrite ? { rewrite: deps.rewrite } : {}),
    logger: log,
    now,
    onAttempt: (channel, ok) => state.count(`sent:${channel}:${ok ? 'success' : 'failure'}`),
  });

  let timer: NodeJS.Timeout | undefined;
  let ticking: Promise<void> | undefined;
  let lastPrune = 0;
  const tick = () =>
    (ticking ??= (async () => {
      try {
        pipeline.tick();
        await delivery.tick();
        if (now() - lastPrune > 3_600_000) {
          outbox.prune(settings().retention_days);
          lastPrune = now();
        }
      } catch (err) {
        log.error({ err }, 'notification tick failed');
      }
    })().finally(() => (ticking = undefined)));

  return {
    channels,
    outbox,
    state,
    settings,
    putSettings,
    submit: (e) => {
      const r = pipeline.submit(e);
      // Deliver promptly rather than on the next timer tick.
      if ('queued' in r && r.queued.length > 0) void tick();
      return r;
    },
    tick,
    async test(name) {
      const channel = sender(name);
      if (!channel) return { ok: false, retryable: false, error: `no enabled channel named ${name}` };
      const message = renderEvent(
        { type: 'webhook_test', severity: 'INFO', source: 'api', at: now(), fields: {} },
        host(),
      );
      // Sent now, outside the queue: a test must answer while the person waits, and a queued row
      // would be sent a second time by a tick running meanwhile.
      const idempotencyKey = randomUUID();
      const result = await channel
        .send(message, { signal: AbortSignal.timeout(30_000), idempotencyKey })
        .catch((err: unknown): DeliveryResult => ({ ok: false, retryable: false, error: String(err) }));
      const id = outbox.recordDirect(
        { channel: name, eventType: 'webhook_test', fingerprint: `test:${now()}`, message, idempotencyKey },
        result,
      );
      // A failed test is history, not a dead letter to retry.
      if (!result.ok) outbox.discard(id);
      state.count(`sent:${name}:${result.ok ? 'success' : 'failure'}`);
      return result;
    },
    start(intervalMs = 1000) {
      timer = setInterval(() => void tick(), intervalMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      await ticking;
    },
  };
}
