import type { NotifySeverity, RenderedMessage } from './channels/channel.js';
import { eventDef, type EventGroup } from './catalogue.js';
import { fingerprintOf, type NotificationEvent } from './event.js';
import type { Outbox } from './outbox.js';
import { renderEvent } from './render.js';
import {
  BUILTIN_GROUP_COOLDOWN,
  BUILTIN_TYPE_COOLDOWN,
  BURSTS,
  DEFAULT_RATE_LIMITS,
  type ChannelPolicy,
  type NotifySettings,
} from './settings.js';
import type { PipelineState } from './state.js';

/** A configured channel as the pipeline sees it: its name and what it wants. */
export interface PipelineChannel {
  name: string;
  policy: ChannelPolicy;
}

export type SuppressReason =
  'disabled' | 'aggregated' | 'cooldown' | 'rate_limit' | 'excluded' | 'no_channel';

export type SubmitResult =
  { queued: string[]; held: string[] } | { suppressed: SuppressReason; detail?: string };

export interface PipelineDeps {
  state: PipelineState;
  outbox: Outbox;
  settings: () => NotifySettings;
  channels: () => readonly PipelineChannel[];
  /** Display name of this host. */
  host: () => string;
  /** Storages and interfaces excluded from notifications. */
  excluded?: (kind: 'storage' | 'interface', name: string) => boolean;
  now?: () => number;
}

const RANK: Record<NotifySeverity, number> = { OK: 0, INFO: 1, WARNING: 2, CRITICAL: 3 };
/** The digest collects routine INFO; these stay immediate (people act on them or expect them live). */
const NOT_DIGESTED = new Set<EventGroup>(['backup', 'vm_ct', 'alerts']);
const NOT_DIGESTED_TYPES = new Set(['system_shutdown', 'system_reboot', 'system_startup', 'webhook_test']);

/**
 * `HH:MM` at `at` in `timeZone`, or in the host's own zone. Only a named zone goes through Intl: a
 * DateTimeFormat pages ~8 MB of ICU data into the process for good, and costs milliseconds to build
 * (hence the cache); the pipeline asks every tick and per event.
 */
const timeFormats = new Map<string, Intl.DateTimeFormat>();

export function localTime(at: number, timeZone?: string): string {
  if (!timeZone) {
    const d = new Date(at);
    return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
  }
  let format = timeFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', {
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZone,
    });
    timeFormats.set(timeZone, format);
  }
  const parts = format.formatToParts(at);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '00';
  return `${get('hour')}:${get('minute')}`;
}

/** Half-open [start, end), crossing midnight when start > end; start == end is no window at all. */
export function inWindow(time: string, start: string, end: string): boolean {
  if (start === end) return false;
  return start < end ? time >= start && time < end : time >= start || time < end;
}

/**
 * Turns events into deliveries: burst aggregation, exclusions, cooldown per fingerprint, group rate
 * limits, then per channel its toggles, severity floor, quiet hours and digest. Every decision is
 * persisted (SQLite) in the same transaction as the deliveries it queues.
 */
export class Pipeline {
  private readonly now: () => number;
  constructor(private readonly deps: PipelineDeps) {
    this.now = deps.now ?? Date.now;
  }

  submit(e: NotificationEvent): SubmitResult {
    const { state } = this.deps;
    const settings = this.deps.settings();
    if (!settings.enabled) return this.suppress('disabled');
    return state.atomically(() => {
      const burst = BURSTS[e.type];
      if (burst) {
        const open = state.burst(e.type);
        if (open && this.now() - open.startedAt < burst.windowSeconds * 1000) {
          state.holdInBurst(open, e);
          return this.suppress('aggregated');
        }
        state.openBurst(e.type, this.now());
      }
      return this.route(e, settings);
    });
  }

  /** Time-driven work: closed burst windows become summaries, quiet hours end, the digest is due. */
  tick(): void {
    const settings = this.deps.settings();
    const { state } = this.deps;
    const closed = state.takeClosedBursts(this.now(), (type) => BURSTS[type]?.windowSeconds ?? 60);
    for (const b of closed) {
      const def = BURSTS[b.type];
      if (!def || b.count + 1 < def.min || b.count === 0) continue;
      const first = b.samples[0];
      const worst = b.samples.reduce<NotifySeverity>(
        (w, s) => (RANK[s.severity] > RANK[w] ? s.severity : w),
        'INFO',
      );
      const summary: NotificationEvent = {
        type: def.summary,
        severity: worst,
        source: 'pipeline',
        at: this.now(),
        fields: {
          // The window's total: the first event (sent at once) and those held back.
          count: b.count + 1,
          event_label: eventDef(b.type).label,
          window_seconds: Math.round((this.now() - b.startedAt) / 1000),
          summary: summarise(b.samples, b.count, this.deps.host()),
          held_back: b.count,
          ...(first?.fields.source_ip !== undefined ? { source_ip: first.fields.source_ip } : {}),
        },
        fingerprint: `${def.summary}:${b.startedAt}`,
      };
      if (settings.enabled) state.atomically(() => this.route(summary, settings));
    }
    if (settings.enabled) this.flushHeld(settings);
  }

  private route(e: NotificationEvent, settings: NotifySettings): SubmitResult {
    const { state } = this.deps;
    const def = eventDef(e.type);
    const storage = e.entity?.kind === 'storage' ? e.entity.id : undefined;
    const iface = e.entity?.kind === 'interface' ? e.entity.id : undefined;
    if (
      (storage && this.deps.excluded?.('storage', storage)) ||
      (iface && this.deps.excluded?.('interface', iface))
    )
      return this.suppress('excluded', `${e.entity!.kind} ${e.entity!.id}`);

    const fingerprint = fingerprintOf(e);
    const cooldown =
      settings.cooldown.by_type[e.type] ??
      BUILTIN_TYPE_COOLDOWN[e.type] ??
      settings.cooldown.by_group[def.group] ??
      BUILTIN_GROUP_COOLDOWN[def.group] ??
      settings.cooldown.default_seconds;
    const last = state.lastSent(fingerprint);
    if (last !== undefined && this.now() - last < cooldown * 1000)
      return this.suppress('cooldown', fingerprint);

    const limit = settings.rate_limits[def.group] ?? DEFAULT_RATE_LIMITS[def.group];
    // CRITICAL and recoveries are never rate limited: they are what the limit exists to keep visible.
    if (e.severity !== 'CRITICAL' && e.severity !== 'OK') {
      const minute = state.rateCount(def.group, this.now() - 60_000);
      const hour = state.rateCount(def.group, this.now() - 3_600_000);
      if (minute >= limit.per_minute || hour >= limit.per_hour)
        return this.suppress('rate_limit', `${def.group}: ${minute}/min, ${hour}/h`);
    }

    const message = renderEvent(e, this.deps.host());
    const queued: string[] = [];
    const held: string[] = [];
    for (const ch of this.deps.channels()) {
      const p = ch.policy;
      if (!p.enabled || p.groups[def.group] === false) continue;
      if (!(p.events[e.type] ?? def.defaultEnabled)) continue;
      if (e.severity !== 'OK' && RANK[e.severity] < RANK[p.min_severity]) continue;
      const local = localTime(this.now(), settings.timezone);
      if (
        e.severity !== 'CRITICAL' &&
        p.quiet_hours &&
        inWindow(local, p.quiet_hours.start, p.quiet_hours.end)
      ) {
        state.hold(ch.name, 'quiet', e);
        held.push(ch.name);
        continue;
      }
      if (
        p.digest &&
        e.severity === 'INFO' &&
        !NOT_DIGESTED.has(def.group) &&
        !NOT_DIGESTED_TYPES.has(e.type)
      ) {
        state.hold(ch.name, 'digest', e);
        held.push(ch.name);
        continue;
      }
      this.enqueue(ch, e.type, fingerprint, message);
      queued.push(ch.name);
    }
    if (queued.length === 0 && held.length === 0) return this.suppress('no_channel');
    state.stampSent(fingerprint, this.now());
    state.recordRate(def.group, this.now());
    return { queued, held };
  }

  private enqueue(ch: PipelineChannel, type: string, fingerprint: string, message: RenderedMessage): void {
    const ai = ch.policy.ai;
    this.deps.outbox.enqueue({
      channel: ch.name,
      eventType: type,
      fingerprint,
      message,
      ...(ai.enabled ? { ai: { language: ai.language, detail: ai.detail } } : {}),
    });
  }

  /** Quiet-hours holds go out as one summary once the window is over; digests once a day at their time. */
  private flushHeld(settings: NotifySettings): void {
    const { state } = this.deps;
    let local: string | undefined;
    const now = () => (local ??= localTime(this.now(), settings.timezone));
    for (const ch of this.deps.channels()) {
      const q = ch.policy.quiet_hours;
      if (!q || !inWindow(now(), q.start, q.end)) this.release(ch, 'quiet', 'Held during quiet hours');
      const d = ch.policy.digest;
      if (d && now() >= d.time) {
        const key = `digest_last:${ch.name}`;
        const lastDigest = state.counters().get(key) ?? 0;
        if (this.now() - lastDigest >= 23 * 3_600_000) {
          if (this.release(ch, 'digest', 'Daily digest')) state.count(key, this.now() - lastDigest);
        }
      }
    }
  }

  private release(ch: PipelineChannel, kind: 'quiet' | 'digest', heading: string): boolean {
    const { state } = this.deps;
    const held = state.held(ch.name, kind);
    if (held.length === 0) return false;
    const events = held.map((h) => h.event);
    const worst = events.reduce<NotifySeverity>(
      (w, s) => (RANK[s.severity] > RANK[w] ? s.severity : w),
      'OK',
    );
    const host = this.deps.host();
    const message: RenderedMessage = {
      title: `${host}: ${heading.toLowerCase()}: ${events.length} event${events.length === 1 ? '' : 's'}`,
      body: summarise(events, events.length, host),
      severity: worst,
      type: kind === 'quiet' ? 'quiet_summary' : 'digest',
      group: 'other',
      fields: [{ label: 'Events', value: String(events.length) }],
      host,
      at: this.now(),
    };
    state.atomically(() => {
      this.enqueue(ch, message.type, `${kind}:${ch.name}:${held[0]!.id}`, message);
      state.release(held.map((h) => h.id));
    });
    return true;
  }

  private suppress(reason: SuppressReason, detail?: string): SubmitResult {
    this.deps.state.count(`suppressed:${reason}`);
    return detail === undefined ? { suppressed: reason } : { suppressed: reason, detail };
  }
}

/** One line per event (time, title), at most 30, then how many more. */
function summarise(events: readonly NotificationEvent[], total: number, host: string): string {
  const lines = events.slice(0, 30).map((e) => {
    const t = new Date(e.at).toISOString().slice(11, 19);
    return `${t} ${renderEvent(e, host).title}`;
  });
  if (total > lines.length) lines.push(`… and ${total - lines.length} more`);
  return lines.join('\n');
}
