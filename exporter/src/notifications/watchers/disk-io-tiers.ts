import type { NotificationEvent } from '../event.js';

export type DiskIoTier = 'WARNING' | 'CRITICAL';

/** Per disk: recent error times (ms, oldest first, at most `criticalAbove + 1`), the last hard error, the last message. */
export interface DiskIoDeviceState {
  times: number[];
  lastHardAt?: number;
  notified?: { tier: DiskIoTier; at: number };
}

/** Plain data (JSON-safe): what the caller persists so the 24 h counts survive a restart. */
export interface DiskIoState {
  devices: Record<string, DiskIoDeviceState>;
}

export interface DiskIoTierOptions {
  windowMs: number;
  /** More than this many errors in the window → WARNING. */
  warningAbove: number;
  /** More than this many errors in the window (or one hard error) → CRITICAL. */
  criticalAbove: number;
  /** Disks tracked; the one quiet longest is forgotten first. */
  maxDevices: number;
}

export const DEFAULT_DISK_IO_TIERS: Readonly<DiskIoTierOptions> = {
  windowMs: 24 * 3_600_000,
  warningAbove: 10,
  criticalAbove: 100,
  maxDevices: 256,
};

const RANK: Record<DiskIoTier, number> = { WARNING: 1, CRITICAL: 2 };

/**
 * Turns disk I/O error lines into at most one message per disk and tier per window: a hard error
 * (unreadable sector, medium or hardware error) or more than 100 errors in 24 h is CRITICAL, more than
 * 10 is WARNING, anything less is only counted. A higher tier always passes (WARNING, then CRITICAL);
 * the same tier again only after the window. Times are the lines' own, so replays count the same.
 */
export class DiskIoTiers {
  private readonly devices = new Map<string, DiskIoDeviceState>();
  private readonly options: DiskIoTierOptions;

  constructor(state?: unknown, options: Partial<DiskIoTierOptions> = {}) {
    this.options = { ...DEFAULT_DISK_IO_TIERS, ...options };
    for (const [device, s] of Object.entries(validState(state)?.devices ?? {})) this.devices.set(device, s);
  }

  /** Counts one disk_io_error observation; returns the message to send, or undefined for silence. */
  observe(e: NotificationEvent): NotificationEvent | undefined {
    const device = e.entity?.id ?? String(e.fields.device ?? '');
    if (e.type !== 'disk_io_error' || device === '') return e;
    const { windowMs, warningAbove, criticalAbove } = this.options;
    const since = e.at - windowMs;
    const s = this.devices.get(device) ?? { times: [] };
    this.devices.delete(device); // re-inserted below: Map order is then least recently seen first
    s.times = s.times.filter((t) => t > since);
    s.times.push(e.at);
    if (s.times.length > criticalAbove + 1) s.times.splice(0, s.times.length - (criticalAbove + 1));
    if (e.fields.hard === true) s.lastHardAt = Math.max(s.lastHardAt ?? e.at, e.at);
    this.devices.set(device, s);
    this.evict();

    const count = s.times.length;
    const hardRecent = s.lastHardAt !== undefined && s.lastHardAt > since;
    const tier: DiskIoTier | undefined =
      hardRecent || count > criticalAbove ? 'CRITICAL' : count > warningAbove ? 'WARNING' : undefined;
    if (!tier) return undefined;
    const last = s.notified;
    if (last && last.at > since && RANK[last.tier] >= RANK[tier]) return undefined;
    s.notified = { tier, at: e.at };
    return {
      ...e,
      severity: tier,
      fields: { ...e.fields, count_24h: count > criticalAbove ? `>${criticalAbove}` : count, tier },
      // The tier is part of the identity: the pipeline's cooldown must let an escalation through.
      fingerprint: `disk_io_error:disk:${device}:${tier}`,
    };
  }

  /** A copy of the state, for persisting. */
  state(): DiskIoState {
    const devices = record();
    for (const [device, s] of this.devices)
      devices[device] = {
        times: [...s.times],
        ...(s.lastHardAt !== undefined ? { lastHardAt: s.lastHardAt } : {}),
        ...(s.notified ? { notified: { ...s.notified } } : {}),
      };
    return { devices };
  }

  private evict(): void {
    while (this.devices.size > this.options.maxDevices) {
      const oldest = this.devices.keys().next().value;
      if (oldest === undefined) break;
      this.devices.delete(oldest);
    }
  }
}

/** No prototype: a device named `__proto__` is just a key. */
const record = (): Record<string, DiskIoDeviceState> =>
  Object.create(null) as Record<string, DiskIoDeviceState>;

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Persisted state comes back from a database or a file: keep only what has the right shape. */
function validState(state: unknown): DiskIoState | undefined {
  if (typeof state !== 'object' || state === null) return undefined;
  const devices = (state as { devices?: unknown }).devices;
  if (typeof devices !== 'object' || devices === null) return undefined;
  const out: DiskIoState = { devices: record() };
  for (const [device, raw] of Object.entries(devices as Record<string, unknown>)) {
    if (typeof raw !== 'object' || raw === null) continue;
    const r = raw as { times?: unknown; lastHardAt?: unknown; notified?: unknown };
    if (!Array.isArray(r.times)) continue;
    const s: DiskIoDeviceState = { times: r.times.filter(finite).sort((a, b) => a - b) };
    if (finite(r.lastHardAt)) s.lastHardAt = r.lastHardAt;
    const n = r.notified as { tier?: unknown; at?: unknown } | undefined;
    if (n && (n.tier === 'WARNING' || n.tier === 'CRITICAL') && finite(n.at))
      s.notified = { tier: n.tier, at: n.at };
    out.devices[device] = s;
  }
  return out;
}
