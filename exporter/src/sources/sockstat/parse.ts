import { fail, ok, type Result } from '../source.js';

/** One line of /proc/net/sockstat{,6}: `TCP: inuse 3 orphan 0 tw 1 alloc 5 mem 2`. */
export interface SockstatProtocol {
  /** As the kernel names the line: TCP, UDP, UDPLITE, RAW, FRAG, TCP6, UDP6, UDPLITE6, RAW6, FRAG6. */
  protocol: string;
  /** Sockets in use; for FRAG/FRAG6 the fragment reassembly queues. */
  inUse?: number;
  orphan?: number;
  timeWait?: number;
  alloc?: number;
  /** TCP/UDP `mem` (pages) times the page size, or FRAG `memory` (already bytes). */
  memoryBytes?: number;
}

export interface Sockstat {
  /** `sockets: used N`: every socket of every family, unix sockets included. */
  socketsUsed?: number;
  protocols: SockstatProtocol[];
}

type CountKey = 'inUse' | 'orphan' | 'timeWait' | 'alloc';
const COUNT_KEYS = new Map<string, CountKey>([
  ['inuse', 'inUse'],
  ['orphan', 'orphan'],
  ['tw', 'timeWait'],
  ['alloc', 'alloc'],
]);
const INTEGER = /^\d{1,20}$/;

/**
 * Parses /proc/net/sockstat or sockstat6. Each line is a name and `key value` pairs; keys this
 * parser does not know are ignored. `mem` counts pages, so it needs the page size (which is not
 * always 4096: arm64 kernels may use 16k or 64k pages); without one it stays unknown.
 */
export function parseSockstat(
  text: string,
  file: string,
  pageSizeBytes: number | undefined,
): Result<Sockstat> {
  const result: Sockstat = { protocols: [] };
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim();
    if (colon < 0 || !/^[A-Za-z][A-Za-z0-9]*$/.test(name)) {
      return fail('parse', `${file}: expected "NAME: key value ...", got ${quote(line)}`);
    }
    const tokens = line
      .slice(colon + 1)
      .split(/\s+/)
      .filter((t) => t !== '');
    if (tokens.length % 2 !== 0) return fail('parse', `${file}: ${name}: keys and values do not pair up`);
    const entry: SockstatProtocol = { protocol: name };
    for (let i = 0; i < tokens.length; i += 2) {
      const key = tokens[i] ?? '';
      const value = tokens[i + 1] ?? '';
      if (!INTEGER.test(value))
        return fail('parse', `${file}: ${name} ${key}: ${quote(value)} is not a count`);
      const n = Number(value);
      if (name === 'sockets' && key === 'used') result.socketsUsed = n;
      else if (key === 'mem') {
        if (pageSizeBytes !== undefined) entry.memoryBytes = n * pageSizeBytes;
      } else if (key === 'memory') entry.memoryBytes = n;
      else {
        const field = COUNT_KEYS.get(key);
        if (field !== undefined) entry[field] = n;
      }
    }
    if (name !== 'sockets') result.protocols.push(entry);
  }
  if (result.socketsUsed === undefined && result.protocols.length === 0) {
    return fail('parse', `${file}: no "NAME: key value" lines`);
  }
  return ok(result);
}

/** `getconf PAGESIZE` output: a positive power of two, else unknown. */
export function parsePageSize(text: string): number | undefined {
  const value = text.trim();
  if (!/^\d{1,10}$/.test(value)) return undefined;
  const n = Number(value);
  return n >= 1024 && Number.isInteger(Math.log2(n)) ? n : undefined;
}

function quote(text: string): string {
  return JSON.stringify(text.slice(0, 60));
}
