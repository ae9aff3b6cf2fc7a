import { basename, join } from 'node:path';
import type { SourceContext } from '../source.js';
import type { ListedDevice } from './devices.js';
import { assessDisk, type TemperatureClass, type TemperatureThreshold } from './health.js';
import { wwnFromSysfsWwid } from './identity.js';
import type { DiskIdentity, DiskState, SmartctlReply, SmartValues, UnreadableDevice } from './types.js';

/** What one device gave this round. */
export type DeviceOutcome =
  | { device: ListedDevice; kind: 'reply'; reply: SmartctlReply }
  | { device: ListedDevice; kind: 'failed' | 'skipped'; reason: string }
  | { device: ListedDevice; kind: 'absent' };

/** The last state of each device (by its listed key), kept between rounds by the source. */
export type DiskMemory = Map<string, DiskState>;

type Thresholds = Readonly<Record<TemperatureClass, TemperatureThreshold>>;

export interface BuiltSnapshot {
  disks: DiskState[];
  unreadable: UnreadableDevice[];
  /** A device answered "No such device": the scan is out of date. */
  vanished: boolean;
}

/**
 * Turns this round's outcomes into disk states, falling back on what `memory` holds for a device that
 * sleeps or failed this round. The same disk seen through two paths (multipath, a RAID controller
 * and its pass-through) is listed once, under the first. `memory` is left holding exactly this
 * round's devices, so a pulled disk is forgotten.
 */
export async function buildSnapshot(
  ctx: SourceContext,
  outcomes: readonly DeviceOutcome[],
  memory: DiskMemory,
  thresholds: Thresholds,
): Promise<BuiltSnapshot> {
  const now = ctx.now();
  const disks: DiskState[] = [];
  const unreadable: UnreadableDevice[] = [];
  const next: DiskMemory = new Map();
  let vanished = false;

  for (const outcome of outcomes) {
    if (outcome.kind === 'absent') continue;
    const d = outcome.device;
    const known = memory.get(d.key);
    let state: DiskState | UnreadableDevice;
    if (outcome.kind !== 'reply') {
      state = known ? fromMemory(known, thresholds, { error: outcome.reason }) : unread(d, outcome.reason);
    } else {
      const reply = outcome.reply;
      if (reply.kind === 'reading') state = fromReading(d, reply, now, thresholds);
      else if (reply.kind === 'standby') state = await asleep(ctx, d, reply, known, thresholds);
      else {
        if (/no such device/i.test(reply.message)) vanished = true;
        state = known
          ? fromMemory(known, thresholds, { error: reply.message })
          : unread(d, reply.message, reply.exitStatus);
      }
    }
    if (!('diskId' in state)) {
      unreadable.push(state);
      continue;
    }
    next.set(d.key, state);
    if (!disks.some((x) => x.diskId === state.diskId)) disks.push(state);
  }
  memory.clear();
  for (const [k, v] of next) memory.set(k, v);
  return { disks, unreadable, vanished };
}

function fromReading(
  d: ListedDevice,
  reply: Extract<SmartctlReply, { kind: 'reading' }>,
  now: number,
  thresholds: Thresholds,
): DiskState {
  // Neither WWN nor serial (some USB bridges, RAID virtual disks): the path is all there is.
  const diskId = reply.identity.diskId ?? (d.type ? `${d.name}:${d.type}` : d.name);
  const identity: DiskIdentity = { ...reply.identity, diskId, device: d.name, deviceType: d.type };
  return {
    diskId,
    identity,
    values: reply.values,
    exitStatus: reply.exitStatus,
    readAt: now,
    standby: false,
    health: assessDisk(identity, reply.values, reply.exitStatus, thresholds),
    messages: reply.messages,
  };
}

/**
 * Last values without the temperature, which is a live reading; counters do not move while a disk
 * sleeps, and a stale hot temperature would keep an alert firing on a disk that has cooled down.
 */
function fromMemory(
  known: DiskState,
  thresholds: Thresholds,
  change: { standby?: boolean; error?: string },
): DiskState {
  const values: SmartValues = { ...known.values, temperatureCelsius: undefined };
  return {
    ...known,
    values,
    standby: change.standby ?? false,
    error: change.error,
    health: assessDisk(known.identity, values, known.exitStatus, thresholds),
  };
}

async function asleep(
  ctx: SourceContext,
  d: ListedDevice,
  reply: Extract<SmartctlReply, { kind: 'standby' }>,
  known: DiskState | undefined,
  thresholds: Thresholds,
): Promise<DiskState | UnreadableDevice> {
  // The kernel keeps the disk's WWN from when it was probed: reading it wakes nothing, and it tells
  // whether the disk on this path is still the one remembered (a swap while it slept).
  const wwn = await sysfsWwn(ctx, d.name);
  if (known && !(wwn && known.identity.wwn && wwn !== known.identity.wwn))
    return fromMemory(known, thresholds, { standby: true });
  if (!wwn)
    return {
      ...unread(d, `in ${reply.powerMode} mode since before its first read`, reply.exitStatus),
      standby: true,
    };
  const kind = reply.protocol === 'nvme' ? 'nvme' : 'unknown';
  const identity: DiskIdentity = {
    diskId: wwn,
    device: d.name,
    deviceType: d.type,
    protocol: reply.protocol,
    kind,
    wwn,
  };
  const values: SmartValues = { attributes: [] };
  return {
    diskId: wwn,
    identity,
    values,
    exitStatus: reply.exitStatus,
    readAt: undefined,
    standby: true,
    health: assessDisk(identity, values, 0, thresholds),
    messages: [],
  };
}

async function sysfsWwn(ctx: SourceContext, device: string): Promise<string | undefined> {
  if (!/^\/dev\/sd[a-z]+$/.test(device)) return undefined;
  const text = await ctx.readText(join(ctx.paths.sysfs, 'block', basename(device), 'device', 'wwid'));
  return text.ok ? wwnFromSysfsWwid(text.value) : undefined;
}

function unread(d: ListedDevice, reason: string, exitStatus?: number): UnreadableDevice {
  return { device: d.name, type: d.listedType, reason, exitStatus };
}
