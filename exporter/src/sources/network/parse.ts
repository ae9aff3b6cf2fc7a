import { fail, ok, type Result } from '../source.js';

/** Per-interface counters from /proc/net/dev; a column the header does not list stays undefined. */
export interface NetDevCounters {
  interface: string;
  receiveBytes?: number;
  receivePackets?: number;
  receiveErrors?: number;
  receiveDrop?: number;
  receiveFifo?: number;
  receiveFrame?: number;
  receiveCompressed?: number;
  receiveMulticast?: number;
  transmitBytes?: number;
  transmitPackets?: number;
  transmitErrors?: number;
  transmitDrop?: number;
  transmitFifo?: number;
  transmitCollisions?: number;
  /** Carrier errors (`carrier` column): frames lost because the link dropped while sending. */
  transmitCarrier?: number;
  transmitCompressed?: number;
}

type CounterKey = Exclude<keyof NetDevCounters, 'interface'>;

// Maps, not object literals: a header word such as `constructor` must not find a prototype member.
const RECEIVE_COLUMNS = new Map<string, CounterKey>([
  ['bytes', 'receiveBytes'],
  ['packets', 'receivePackets'],
  ['errs', 'receiveErrors'],
  ['drop', 'receiveDrop'],
  ['fifo', 'receiveFifo'],
  ['frame', 'receiveFrame'],
  ['compressed', 'receiveCompressed'],
  ['multicast', 'receiveMulticast'],
]);
const TRANSMIT_COLUMNS = new Map<string, CounterKey>([
  ['bytes', 'transmitBytes'],
  ['packets', 'transmitPackets'],
  ['errs', 'transmitErrors'],
  ['drop', 'transmitDrop'],
  ['fifo', 'transmitFifo'],
  ['colls', 'transmitCollisions'],
  ['carrier', 'transmitCarrier'],
  ['compressed', 'transmitCompressed'],
]);

/**
 * Parses /proc/net/dev. Column positions come from the second header line (`face |rx cols|tx cols`),
 * so a kernel that adds or reorders columns still maps. The name ends at the last ':' on the line:
 * counters never contain one, and old kernels print `eth0:123` with no space once a counter is wide.
 * Lines that do not parse are skipped.
 */
export function parseProcNetDev(text: string): Result<NetDevCounters[]> {
  const lines = text.split('\n');
  const header = lines.find((line) => line.includes('|') && /\bbytes\b/.test(line));
  if (header === undefined) return fail('parse', '/proc/net/dev: no column header (face |bytes ...)');
  const sections = header.split('|');
  if (sections.length < 3) return fail('parse', '/proc/net/dev: header lacks receive and transmit sections');
  const rx = words(sections[1] ?? '');
  const tx = words(sections[2] ?? '');
  const columns: (CounterKey | undefined)[] = [
    ...rx.map((name) => RECEIVE_COLUMNS.get(name)),
    ...tx.map((name) => TRANSMIT_COLUMNS.get(name)),
  ];

  const interfaces: NetDevCounters[] = [];
  for (const line of lines) {
    const colon = line.lastIndexOf(':');
    if (colon < 0 || line.includes('|')) continue;
    const name = line.slice(0, colon).trim();
    const fields = words(line.slice(colon + 1));
    if (name === '' || fields.length < columns.length || !fields.every((f) => /^\d+$/.test(f))) continue;
    const counters: NetDevCounters = { interface: name };
    columns.forEach((key, i) => {
      if (key !== undefined) counters[key] = Number(fields[i]);
    });
    interfaces.push(counters);
  }
  return ok(interfaces);
}

/** Interface names listed in /proc/net/vlan/config (8021q loaded); absent file means none. */
export function parseVlanConfig(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    // Rows are `name | vid | parent`; the title row's second cell is "VLAN ID", not a number.
    if (cells.length >= 2 && cells[0] !== '' && /^\d+$/.test(cells[1] ?? '')) names.add(cells[0] ?? '');
  }
  return names;
}

/** KEY=value lines of a sysfs `uevent` file. */
export function parseUevent(text: string): Map<string, string> {
  const entries = new Map<string, string>();
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) entries.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  return entries;
}

/** RFC 2863 states as the kernel names them in `operstate`; anything else reads as unknown. */
export const OPER_STATES = [
  'unknown',
  'notpresent',
  'down',
  'lowerlayerdown',
  'testing',
  'dormant',
  'up',
] as const;
export type OperState = (typeof OPER_STATES)[number];

export function parseOperState(text: string | undefined): OperState {
  const state = text?.trim().toLowerCase();
  return OPER_STATES.find((s) => s === state) ?? 'unknown';
}

/** `carrier` is 0/1; the kernel answers EINVAL while the interface is administratively down. */
export function parseCarrier(text: string | undefined): boolean | undefined {
  const value = text?.trim();
  return value === '1' ? true : value === '0' ? false : undefined;
}

/**
 * `speed` in Mb/s to bits per second. -1 is SPEED_UNKNOWN; some drivers print it unsigned
 * (4294967295) or the old 16-bit marker (65535). All of those, and unreadable, are unknown.
 */
export function parseSpeedBitsPerSecond(text: string | undefined): number | undefined {
  const mbps = parseInteger(text);
  if (mbps === undefined || mbps <= 0 || mbps === 65535 || mbps === 4294967295) return undefined;
  return mbps * 1_000_000;
}

export function parseInteger(text: string | undefined): number | undefined {
  const value = text?.trim();
  return value !== undefined && /^-?\d+$/.test(value) ? Number(value) : undefined;
}

/** Link up/down transitions since the interface was created (flapping links). */
export interface CarrierTransitions {
  changes?: number;
  up?: number;
  down?: number;
}

/**
 * Since Linux 4.16 `carrier_changes` is `carrier_up_count + carrier_down_count`, so with both counts
 * read it is derived; older kernels have only `carrier_changes`.
 */
export function carrierTransitions(
  upCount: string | undefined,
  downCount: string | undefined,
  changes: string | undefined,
): CarrierTransitions {
  const up = parseCount(upCount);
  const down = parseCount(downCount);
  if (up !== undefined && down !== undefined) return { changes: up + down, up, down };
  return { changes: parseCount(changes) };
}

function parseCount(text: string | undefined): number | undefined {
  const value = parseInteger(text);
  return value !== undefined && value >= 0 ? value : undefined;
}

/** MAC (or other link-layer) address; tun and WireGuard devices have an empty one. */
export function parseAddress(text: string | undefined): string | undefined {
  const value = text?.trim();
  return value ? value : undefined;
}

/**
 * Whether the link is usable. `up` is up; `unknown` (lo, many tun/tap and virtual drivers that do not
 * track operstate) falls back to `carrier` when readable, else stays unknown; every other state is down.
 */
export function interfaceUp(state: OperState, carrier: boolean | undefined): boolean | undefined {
  if (state === 'up') return true;
  if (state === 'unknown') return carrier;
  return false;
}

export const INTERFACE_TYPES = ['physical', 'bridge', 'bond', 'vlan', 'other'] as const;
export type InterfaceType = (typeof INTERFACE_TYPES)[number];

export interface InterfaceTraits {
  /** `DEVTYPE` from the interface's uevent (bridge, bond, vlan, wlan, ...), if any. */
  devtype?: string;
  /** Has a `device` link: backed by a bus device (PCI, USB, virtio). */
  hasDevice: boolean;
  hasBridgeDir: boolean;
  hasBondingDir: boolean;
  /** Listed in /proc/net/vlan/config. */
  inVlanConfig: boolean;
}

/**
 * Bridge, bond and vlan are checked first: none of them has a `device` link, but a driver could add
 * one. Everything virtual that is none of those (lo, tap, veth, Proxmox fwbr/fwpr/fwln) is `other`.
 */
export function classifyInterface(t: InterfaceTraits): InterfaceType {
  if (t.hasBridgeDir || t.devtype === 'bridge') return 'bridge';
  if (t.hasBondingDir || t.devtype === 'bond') return 'bond';
  if (t.devtype === 'vlan' || t.inVlanConfig) return 'vlan';
  if (t.hasDevice) return 'physical';
  return 'other';
}

function words(text: string): string[] {
  return text.split(/\s+/).filter((w) => w !== '');
}
