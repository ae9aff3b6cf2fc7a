import { z } from 'zod';
import { ok, type Result } from '../sources/source.js';
import { bool, num, rowsOf, str } from './common.js';

export interface PveClusterNode {
  name: string;
  nodeid?: number | undefined;
  online?: boolean | undefined;
  /** The node that answered the request. */
  local?: boolean | undefined;
  ip?: string | undefined;
}

export interface ClusterStatus {
  /** Undefined on a standalone node (no `type: cluster` entry). */
  cluster?: string | undefined;
  quorate?: boolean | undefined;
  /** Member count from the cluster entry (includes offline members). */
  clusterNodes?: number | undefined;
  nodes: PveClusterNode[];
}

const clusterRow = z.object({ type: z.literal('cluster'), name: str, quorate: bool, nodes: num });
const nodeRow = z.object({
  type: z.literal('node'),
  name: z.string(),
  nodeid: num,
  online: bool,
  local: bool,
  ip: str,
});

/** `/cluster/status`. */
export function parseClusterStatus(input: unknown): Result<ClusterStatus> {
  const rows = rowsOf(input, 'cluster/status');
  if (!rows.ok) return rows;
  const out: ClusterStatus = { cluster: undefined, quorate: undefined, clusterNodes: undefined, nodes: [] };
  for (const row of rows.value) {
    const c = clusterRow.safeParse(row);
    if (c.success) {
      out.cluster = c.data.name;
      out.quorate = c.data.quorate;
      out.clusterNodes = c.data.nodes;
      continue;
    }
    const n = nodeRow.safeParse(row);
    if (n.success) {
      const { type: _type, ...node } = n.data;
      out.nodes.push(node);
    }
  }
  return ok(out);
}

/** Nodes reported online, or undefined when no node entry says either way. */
export function nodesOnline(status: ClusterStatus): number | undefined {
  const known = status.nodes.filter((n) => n.online !== undefined);
  return known.length === 0 ? undefined : known.filter((n) => n.online === true).length;
}
