import type { InterfaceType, NetDevCounters, OperState } from './parse.js';

/** One interface as the `network` source reports it: /proc/net/dev counters plus sysfs state. */
export interface NetworkInterface extends NetDevCounters {
  operState: OperState;
  /** Unknown (undefined) when the kernel refuses to answer, e.g. while the interface is down. */
  carrier?: boolean;
  /** See `interfaceUp`: undefined when operstate is `unknown` and carrier is unreadable. */
  up?: boolean;
  type: InterfaceType;
  address?: string;
  mtuBytes?: number;
  speedBitsPerSecond?: number;
}

export interface NetworkSnapshot {
  interfaces: NetworkInterface[];
}
