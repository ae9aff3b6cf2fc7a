import { z } from 'zod';
import { fail, ok, type Result } from '../sources/source.js';
import { bool, num, objectOf, rowsOf, str, toBool, toNumber } from './common.js';
import { splitTags } from './resources.js';

/** The `agent` option: `[enabled=]<bool>[,fstrim_cloned_disks=<bool>][,freeze-fs-on-backup=<bool>][,type=...]`. */
export interface PveAgentOption {
  enabled: boolean;
  fstrimClonedDisks?: boolean | undefined;
  freezeFsOnBackup?: boolean | undefined;
  /** virtio or isa. */
  type?: string | undefined;
}

/** The parts of `/nodes/{node}/qemu/{vmid}/config` proxmon uses. PVE prints many of them as strings. */
export interface PveQemuConfig {
  name?: string | undefined;
  /** Undefined when the option is not set (the agent is off). */
  agent?: PveAgentOption | undefined;
  onboot?: boolean | undefined;
  tags: string[];
  /** `memory` (MiB, plain or `current=`) in bytes. */
  memoryBytes?: number | undefined;
  /** `balloon` (MiB) in bytes: the ballooning floor; 0 means ballooning is disabled. */
  balloonBytes?: number | undefined;
  cores?: number | undefined;
  sockets?: number | undefined;
  template?: boolean | undefined;
  description?: string | undefined;
}

const MIB = 1024 * 1024;

/** PVE's property-string booleans: 1/0, yes/no, on/off, true/false. */
export function parsePveBool(v: unknown): boolean | undefined {
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (s === 'yes' || s === 'on' || s === 'true') return true;
    if (s === 'no' || s === 'off' || s === 'false') return false;
  }
  return toBool(v);
}

/** `key=value,...` with an optional leading value for the default key. */
function propertyString(v: string, defaultKey: string): Map<string, string> {
  const out = new Map<string, string>();
  v.split(',').forEach((part, i) => {
    const eq = part.indexOf('=');
    if (eq >= 0) out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
    else if (i === 0 && part.trim() !== '') out.set(defaultKey, part.trim());
  });
  return out;
}

/** The `agent` option as a number (older tools) or property string; undefined when it says nothing usable. */
export function parseAgentOption(v: unknown): PveAgentOption | undefined {
  if (typeof v !== 'string') {
    const enabled = toBool(v);
    return enabled === undefined ? undefined : { enabled };
  }
  const props = propertyString(v, 'enabled');
  const enabled = parsePveBool(props.get('enabled'));
  if (enabled === undefined) return undefined;
  const out: PveAgentOption = { enabled };
  const fstrim = parsePveBool(props.get('fstrim_cloned_disks'));
  const freeze = parsePveBool(props.get('freeze-fs-on-backup'));
  if (fstrim !== undefined) out.fstrimClonedDisks = fstrim;
  if (freeze !== undefined) out.freezeFsOnBackup = freeze;
  if (props.has('type')) out.type = props.get('type');
  return out;
}

/** `memory` is a number, `"2048"` or (PVE 8.1+) `"current=2048"`. */
function memoryOf(v: unknown): number | undefined {
  const plain = toNumber(v);
  if (plain !== undefined) return plain;
  return typeof v === 'string' ? toNumber(propertyString(v, 'current').get('current')) : undefined;
}

const mib = (n: number | undefined) => (n === undefined || n < 0 ? undefined : n * MIB);

const configObj = z.object({
  name: str,
  agent: z.unknown().optional(),
  onboot: z.unknown().optional(),
  tags: str,
  memory: z.unknown().optional(),
  balloon: num,
  cores: num,
  sockets: num,
  template: z.unknown().optional(),
  description: str,
});

/** `/nodes/{node}/qemu/{vmid}/config`. */
export function parseQemuConfig(input: unknown): Result<PveQemuConfig> {
  const obj = objectOf(input, 'qemu config');
  if (!obj.ok) return obj;
  const parsed = configObj.safeParse(obj.value);
  if (!parsed.success) return fail('parse', `qemu config: ${parsed.error.message}`);
  const c = parsed.data;
  return ok({
    name: c.name,
    agent: parseAgentOption(c.agent),
    onboot: parsePveBool(c.onboot),
    tags: splitTags(c.tags),
    memoryBytes: mib(memoryOf(c.memory)),
    balloonBytes: mib(c.balloon),
    cores: c.cores,
    sockets: c.sockets,
    template: parsePveBool(c.template),
    description: c.description,
  });
}

/** A guest from `/nodes/{node}/qemu` (the node's own list, with status and uptime). */
export interface PveNodeQemu {
  vmid: number;
  name?: string | undefined;
  /** running, stopped, paused, ... */
  status?: string | undefined;
  uptime?: number | undefined;
  template?: boolean | undefined;
}

const nodeQemuRow = z.object({ vmid: num, name: str, status: str, uptime: num, template: bool });

/** `/nodes/{node}/qemu`; rows without a usable vmid are skipped. */
export function parseNodeQemu(input: unknown): Result<PveNodeQemu[]> {
  const rows = rowsOf(input, 'nodes/{node}/qemu');
  if (!rows.ok) return rows;
  const out: PveNodeQemu[] = [];
  for (const row of rows.value) {
    const r = nodeQemuRow.safeParse(row);
    if (!r.success) continue;
    const { vmid, ...rest } = r.data;
    if (vmid === undefined || !Number.isInteger(vmid) || vmid <= 0) continue;
    out.push({ vmid, ...rest });
  }
  return ok(out);
}
