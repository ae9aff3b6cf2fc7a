import { PVE_SOURCE, type PveSnapshot } from '../../sources/pve/index.js';
import { SERVICES_SOURCE, type ServiceState, type ServicesSnapshot } from '../../sources/services/index.js';
import type { CategoryCheck, CheckRow } from '../check.js';
import type { Finding } from '../finding.js';
import { freshValue, sourceState } from './source-state.js';

/** The error key of a PVE daemon that is not running. */
export const serviceErrorKey = (name: string) => `pve_service_${name}`;
export const QUORUM_ERROR_KEY = 'pve_cluster_quorum';

/**
 * PVE daemons from the `services` source (one `systemctl show` for all): a loaded unit that is not
 * active is CRITICAL. During the boot grace a unit still `activating` is only INFO. Off PVE (or without
 * systemd) the source is quietly absent and the category is skipped. An informational `cluster_mode`
 * row says standalone or clustered; a cluster the PVE API reports as not quorate is CRITICAL.
 */
export const checkServices: CategoryCheck = (inputs) => {
  const source = sourceState<ServicesSnapshot>(inputs.snapshots, SERVICES_SOURCE);
  if (source.kind === 'absent')
    return {
      category: 'services',
      rows: [],
      findings: [],
      skipped: `not a Proxmox VE node: ${source.reason}`,
    };
  if (source.kind === 'unavailable')
    return { category: 'services', rows: [], findings: [], unknown: source.reason };

  const rows: CheckRow[] = [];
  const findings: Finding[] = [];
  for (const s of source.value.services) {
    const { row, finding } = serviceRow(s, inputs.bootGrace);
    rows.push(row);
    if (finding) findings.push(finding);
  }

  const pve = freshValue(sourceState<PveSnapshot>(inputs.snapshots, PVE_SOURCE));
  const clustered = source.value.services.some((s) => s.name === 'corosync' && s.loaded);
  const cluster = pve?.cluster;
  if (clustered && cluster?.quorate === false) {
    const reason = `${capitalise(clusterLabel(cluster.cluster))} has lost quorum (${onlineNodes(pve)}): /etc/pve is read-only`;
    rows.push({ check: 'cluster_mode', status: 'CRITICAL', reason, errorKey: QUORUM_ERROR_KEY });
    findings.push({
      errorKey: QUORUM_ERROR_KEY,
      category: 'services',
      check: 'cluster_mode',
      severity: 'CRITICAL',
      reason,
    });
  } else {
    const quorum = cluster?.quorate === true ? `, quorate (${onlineNodes(pve)})` : '';
    rows.push({
      check: 'cluster_mode',
      status: 'OK',
      reason: clustered
        ? `Clustered node${cluster?.cluster === undefined ? ' (corosync)' : `: cluster ${cluster.cluster}`}${quorum}`
        : 'Standalone node (no corosync.conf)',
    });
  }

  return {
    category: 'services',
    rows,
    findings,
    present: { service: new Set(source.value.services.map((s) => s.name)) },
  };
};

function serviceRow(s: ServiceState, bootGrace: boolean): { row: CheckRow; finding?: Finding } {
  const state = `${s.activeState}${s.subState ? ` (${s.subState})` : ''}`;
  const unit = s.unit ?? s.name;
  if (!s.loaded)
    return {
      row: {
        check: 'pve_service',
        resource: s.name,
        status: 'INFO',
        reason: `${unit} is not installed (LoadState ${s.loadState || 'unknown'})`,
      },
    };
  if (s.active)
    return { row: { check: 'pve_service', resource: s.name, status: 'OK', reason: `${unit} is ${state}` } };
  if (bootGrace && s.activeState === 'activating')
    return {
      row: {
        check: 'pve_service',
        resource: s.name,
        status: 'INFO',
        reason: `${unit} is still starting after boot: ${state}`,
      },
    };
  const errorKey = serviceErrorKey(s.name);
  const reason = `${unit} is ${state}, expected active`;
  return {
    row: { check: 'pve_service', resource: s.name, status: 'CRITICAL', reason, errorKey },
    finding: {
      errorKey,
      category: 'services',
      check: 'pve_service',
      severity: 'CRITICAL',
      reason,
      details: {
        resource: { kind: 'service', id: s.name },
        unit,
        loadState: s.loadState,
        activeState: s.activeState,
        ...(s.subState !== undefined && { subState: s.subState }),
      },
    },
  };
}

function onlineNodes(pve: PveSnapshot | undefined): string {
  const nodes = pve?.cluster.nodes ?? [];
  const online = nodes.filter((n) => n.online === true).length;
  return `${online} of ${pve?.cluster.clusterNodes ?? nodes.length} nodes online`;
}

const clusterLabel = (name: string | undefined) => (name === undefined ? 'the cluster' : `cluster ${name}`);
const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
