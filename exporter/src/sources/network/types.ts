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
  /** Carrier transitions; up/down are absent before Linux 4.16. */
  carrierChanges?: number;
  carrierUpChanges?: number;
  carrierDownChanges?: number;
  /** `tx_queue_len`: packets the device queue holds (`ip link ... txqueuelen`). */
  transmitQueueLength?: number;
}

export interface NetworkSnapshot {
  interfaces: NetworkInterface[];
}
