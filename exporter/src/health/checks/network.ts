import { LATENCY_SOURCE, type LatencySnapshot, type LatencyTarget } from '../../sources/latency/index.js';
import type { NetworkInterface, NetworkSnapshot } from '../../sources/network/index.js';
import type {
  CategoryCheck,
  CategoryEvaluation,
  CheckRow,
  HealthInputs,
  ResourceInventory,
} from '../check.js';
import { addRow, levelOf, type FindingSpec } from './cpu.js';
import { sourceState } from './source-state.js';

const NETWORK_SOURCE = 'network';
/** Links whose loss cuts the host or its guests off; vlans, taps, veths and firewall ports are not judged. */
const JUDGED_TYPES: ReadonlySet<NetworkInterface['type']> = new Set(['physical', 'bridge', 'bond']);
/** PVE's per-guest firewall bridges come and go with the guest's NIC: guest plumbing, not host links. */
const GUEST_FIREWALL_BRIDGE = /^fwbr\d+i\d+$/;

/** Boot grace: link and latency noise right after a boot is reported, but only as INFO. */
function graced(inputs: HealthInputs, row: CheckRow): CheckRow {
  if (!inputs.bootGrace || (row.status !== 'WARNING' && row.status !== 'CRITICAL')) return row;
  return { ...row, status: 'INFO', reason: `${row.reason} (within the grace period after boot)` };
}

/**
 * Link state of physical, bridge and bond interfaces (down after carrying traffic is CRITICAL; a
 * port that never carried any since boot is unused) and latency/loss to the ping targets.
 * Interfaces excluded from health are dropped entirely.
 */
export const checkNetwork: CategoryCheck = (inputs) => {
  const { snapshots } = inputs;
  const evaluation: CategoryEvaluation = { category: 'network', rows: [], findings: [] };
  const present: ResourceInventory = {};
  const network = sourceState<NetworkSnapshot>(snapshots, NETWORK_SOURCE);
  const latency = sourceState<LatencySnapshot>(snapshots, LATENCY_SOURCE);
  const all = [network, latency];
  if (!all.some((s) => s.kind === 'fresh') && all.some((s) => s.kind === 'unavailable'))
    return { ...evaluation, unknown: all.map((s) => (s.kind === 'fresh' ? '' : s.reason)).join('; ') };

  if (network.kind === 'fresh') {
    const kept = network.value.interfaces.filter(
      (i) => inputs.exclusions.interfaces.get(i.interface)?.health !== false,
    );
    present.interface = new Set(kept.map((i) => i.interface));
    for (const i of kept)
      if (JUDGED_TYPES.has(i.type) && !GUEST_FIREWALL_BRIDGE.test(i.interface)) link(inputs, evaluation, i);
  } else evaluation.rows.push({ check: 'network_link', status: 'UNKNOWN', reason: network.reason });

  if (latency.kind === 'fresh') {
    if (latency.value.targets.length === 0)
      evaluation.rows.push({
        check: 'network_latency',
        status: 'OK',
        reason: 'no default gateway or target to ping',
      });
    for (const target of latency.value.targets) ping(inputs, evaluation, target);
  } else
    evaluation.rows.push({
      check: 'network_latency',
      status: latency.kind === 'absent' ? 'OK' : 'UNKNOWN',
      reason: latency.kind === 'absent' ? `not measured (${latency.reason})` : latency.reason,
    });

  return { ...evaluation, present };
};

function link(inputs: HealthInputs, evaluation: CategoryEvaluation, i: NetworkInterface): void {
  const name = i.interface;
  const what = `${i.type} ${name}`;
  const traffic = (i.receiveBytes ?? 0) + (i.transmitBytes ?? 0);
  let row: CheckRow;
  if (i.up === true) row = { check: 'network_link', resource: name, status: 'OK', reason: `${what} is up` };
  else if (i.up === undefined)
    row = {
      check: 'network_link',
      resource: name,
      status: 'INFO',
      reason: `${what}: link state unknown (operstate ${i.operState})`,
    };
  else if (traffic === 0)
    row = {
      check: 'network_link',
      resource: name,
      status: 'OK',
      reason: `${what} is ${i.operState} and carried no traffic since boot (unused)`,
    };
  else
    row = {
      check: 'network_link',
      resource: name,
      status: 'CRITICAL',
      reason: `${what} is ${i.operState}${i.carrier === false ? ' (no carrier)' : ''} after carrying traffic`,
    };
  const spec: FindingSpec = {
    key: `network_link_${name}`,
    resource: { kind: 'interface', id: name },
    details: { type: i.type, operState: i.operState, carrier: i.carrier },
  };
  addRow(evaluation, graced(inputs, row), row.status === 'CRITICAL' ? spec : undefined);
}

function ping(inputs: HealthInputs, evaluation: CategoryEvaluation, target: LatencyTarget): void {
  const t = inputs.thresholds.network;
  const label = target.target === target.address ? target.target : `${target.target} (${target.address})`;
  // A ping that could not run at all (unreachable network, unknown host) lost every packet.
  const lossPct = target.error !== undefined ? 100 : Math.round((target.lossRatio ?? 0) * 1000) / 10;
  const avgMs = target.rtt ? Math.round(target.rtt.avgSeconds * 1e5) / 100 : undefined;
  const loss = levelOf(lossPct, t.packet_loss_warning, t.packet_loss_critical);
  const slow = avgMs === undefined ? 'OK' : levelOf(avgMs, t.latency_warning_ms, t.latency_critical_ms);
  const status =
    loss === 'CRITICAL' || slow === 'CRITICAL'
      ? 'CRITICAL'
      : loss === 'WARNING' || slow === 'WARNING'
        ? 'WARNING'
        : 'OK';
  const parts: string[] = [];
  if (target.error !== undefined) parts.push(`no reply: ${target.error}`);
  else
    parts.push(
      `${lossPct}% packet loss (warning at ${t.packet_loss_warning}%, critical at ${t.packet_loss_critical}%)`,
    );
  if (avgMs !== undefined)
    parts.push(
      `average ${avgMs} ms (warning at ${t.latency_warning_ms} ms, critical at ${t.latency_critical_ms} ms)`,
    );
  const row: CheckRow = {
    check: 'network_latency',
    resource: target.target,
    status,
    reason: `ping ${label}: ${parts.join(', ')}`,
    ...(avgMs !== undefined ? { value: avgMs } : {}),
  };
  addRow(evaluation, graced(inputs, row), {
    key: `network_latency_${target.target}`,
    details: { address: target.address, lossPct, avgMs, error: target.error },
  });
}
