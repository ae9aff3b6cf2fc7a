import { join } from 'node:path';
import { fail, ok, type Source, type SourceContext } from '../source.js';
import {
  carrierTransitions,
  classifyInterface,
  interfaceUp,
  parseAddress,
  parseCarrier,
  parseInteger,
  parseOperState,
  parseProcNetDev,
  parseSpeedBitsPerSecond,
  parseUevent,
  parseVlanConfig,
  type InterfaceType,
  type NetDevCounters,
} from './parse.js';
import type { NetworkInterface, NetworkSnapshot } from './types.js';

export type { NetworkInterface, NetworkSnapshot } from './types.js';

/**
 * /proc/net/dev plus nine small sysfs reads per interface on a current kernel. The type of a netdev
 * never changes while its ifindex stays the same, so it is classified once and remembered (three reads
 * fewer per interface every 5 s); a re-created interface gets a new ifindex and is classified again.
 */
export function createNetworkSource(): Source<NetworkSnapshot> {
  const known = new Map<string, { ifindex: string; type: InterfaceType }>();

  return {
    name: 'network',
    intervalSeconds: 5,
    timeoutSeconds: 3,
    async collect(ctx) {
      const dev = await ctx.readText(join(ctx.paths.procfs, 'net/dev'));
      if (!dev.ok) return dev;
      const parsed = parseProcNetDev(dev.value);
      if (!parsed.ok) return parsed;

      let vlans: Promise<Set<string>> | undefined;
      const vlanNames = () =>
        (vlans ??= ctx
          .readText(join(ctx.paths.procfs, 'net/vlan/config'))
          .then((r) => (r.ok ? parseVlanConfig(r.value) : new Set<string>())));

      const interfaces = await Promise.all(
        parsed.value
          .filter((c) => isSafeName(c.interface))
          .map((c) => readInterface(ctx, c, known, vlanNames)),
      );
      if (ctx.signal.aborted) return fail('timeout', 'network: aborted while reading sysfs');

      const seen = new Set(interfaces.map((i) => i.interface));
      for (const name of known.keys()) if (!seen.has(name)) known.delete(name);
      return ok({ interfaces });
    },
  };
}

async function readInterface(
  ctx: SourceContext,
  counters: NetDevCounters,
  known: Map<string, { ifindex: string; type: InterfaceType }>,
  vlanNames: () => Promise<Set<string>>,
): Promise<NetworkInterface> {
  const dir = join(ctx.paths.sysfs, 'class/net', counters.interface);
  const read = async (file: string) => {
    const r = await ctx.readText(join(dir, file));
    return r.ok ? r.value : undefined;
  };
  const [operstate, carrier, address, mtu, speed, uevent, upCount, downCount, txQueueLen] = await Promise.all(
    [
      'operstate',
      'carrier',
      'address',
      'mtu',
      'speed',
      'uevent',
      'carrier_up_count',
      'carrier_down_count',
      'tx_queue_len',
    ].map(read),
  );
  // carrier_changes is up + down since Linux 4.16; read it only on kernels without the split counts.
  const changes =
    upCount === undefined || downCount === undefined ? await read('carrier_changes') : undefined;
  const transitions = carrierTransitions(upCount, downCount, changes);
  const props = parseUevent(uevent ?? '');
  const ifindex = props.get('IFINDEX') ?? '';
  const cached = known.get(counters.interface);
  let type = ifindex !== '' && cached?.ifindex === ifindex ? cached.type : undefined;
  if (type === undefined) {
    const [device, bridge, bonding, vlans] = await Promise.all([
      read('device/uevent'),
      read('bridge/bridge_id'),
      read('bonding/mode'),
      vlanNames(),
    ]);
    type = classifyInterface({
      devtype: props.get('DEVTYPE'),
      hasDevice: device !== undefined,
      hasBridgeDir: bridge !== undefined,
      hasBondingDir: bonding !== undefined,
      inVlanConfig: vlans.has(counters.interface),
    });
    // Only remember what sysfs actually described; a vanished interface is classified again.
    if (ifindex) known.set(counters.interface, { ifindex, type });
  }

  const operState = parseOperState(operstate);
  const carrierUp = parseCarrier(carrier);
  return {
    ...counters,
    operState,
    carrier: carrierUp,
    up: interfaceUp(operState, carrierUp),
    type,
    address: parseAddress(address),
    mtuBytes: parseInteger(mtu),
    speedBitsPerSecond: parseSpeedBitsPerSecond(speed),
    carrierChanges: transitions.changes,
    carrierUpChanges: transitions.up,
    carrierDownChanges: transitions.down,
    transmitQueueLength: parseInteger(txQueueLen),
  };
}

/** Kernel names never contain '/', but the name becomes a path here, so refuse anything odd. */
function isSafeName(name: string): boolean {
  return name !== '.' && name !== '..' && !name.includes('/') && !name.includes('\0');
}
