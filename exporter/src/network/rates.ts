import type { NetDevCounters } from '../sources/network/parse.js';
import type { NetworkSnapshot } from '../sources/network/types.js';

/** Per-second rates of one interface over the window between two snapshots. */
export interface InterfaceRates {
  receiveBytesPerSecond?: number;
  transmitBytesPerSecond?: number;
  receivePacketsPerSecond?: number;
  transmitPacketsPerSecond?: number;
  receiveErrorsPerSecond?: number;
  transmitErrorsPerSecond?: number;
  receiveDropsPerSecond?: number;
  transmitDropsPerSecond?: number;
}

const RATE_OF: ReadonlyArray<[keyof InterfaceRates, keyof Omit<NetDevCounters, 'interface'>]> = [
  ['receiveBytesPerSecond', 'receiveBytes'],
  ['transmitBytesPerSecond', 'transmitBytes'],
  ['receivePacketsPerSecond', 'receivePackets'],
  ['transmitPacketsPerSecond', 'transmitPackets'],
  ['receiveErrorsPerSecond', 'receiveErrors'],
  ['transmitErrorsPerSecond', 'transmitErrors'],
  ['receiveDropsPerSecond', 'receiveDrop'],
  ['transmitDropsPerSecond', 'transmitDrop'],
];

/**
 * Rates between two readings of the same interface. A counter that went backwards (the interface was
 * re-created, a 32-bit driver counter wrapped) gives no rate rather than a huge or negative one.
 */
export function interfaceRates(
  before: NetDevCounters,
  after: NetDevCounters,
  seconds: number,
): InterfaceRates {
  const out: InterfaceRates = {};
  if (!(seconds > 0)) return out;
  for (const [rate, counter] of RATE_OF) {
    const a = before[counter];
    const b = after[counter];
    if (a === undefined || b === undefined || b < a) continue;
    const perSecond = (b - a) / seconds;
    if (Number.isFinite(perSecond)) out[rate] = perSecond;
  }
  return out;
}

export interface RateWindow {
  /** Epoch ms of the older and newer snapshot. */
  from: number;
  to: number;
  byInterface: ReadonlyMap<string, InterfaceRates>;
}

/** Keeps the last two `network` snapshots, so rates are there even if no one asked before. */
export interface NetworkRates {
  /** Call with each new network snapshot (the scheduler's onSuccess); the same one twice is ignored. */
  observe(snapshot: NetworkSnapshot, at: number): void;
  /** Undefined until two snapshots have been seen. */
  latest(): RateWindow | undefined;
}

export function createNetworkRates(): NetworkRates {
  let previous: { at: number; snapshot: NetworkSnapshot } | undefined;
  let current: { at: number; snapshot: NetworkSnapshot } | undefined;
  let window: RateWindow | undefined;
  return {
    observe(snapshot, at) {
      if (current && (at <= current.at || snapshot === current.snapshot)) return;
      previous = current;
      current = { at, snapshot };
      window = undefined;
    },
    latest() {
      if (!previous || !current) return undefined;
      if (window) return window;
      const seconds = (current.at - previous.at) / 1000;
      const before = new Map(previous.snapshot.interfaces.map((i) => [i.interface, i]));
      const byInterface = new Map<string, InterfaceRates>();
      for (const i of current.snapshot.interfaces) {
        const b = before.get(i.interface);
        if (b) byInterface.set(i.interface, interfaceRates(b, i, seconds));
      }
      return (window = { from: previous.at, to: current.at, byInterface });
    },
  };
}
