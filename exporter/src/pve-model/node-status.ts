import { z } from 'zod';
import { fail, ok, type Result } from '../sources/source.js';
import { num, objectOf, str, toNumber } from './common.js';

export interface PveNodeStatus {
  /** Node CPU usage, ratio 0-1. */
  cpu?: number | undefined;
  cpuinfo: {
    model?: string | undefined;
    cpus?: number | undefined;
    sockets?: number | undefined;
    cores?: number | undefined;
  };
  memory: {
    total?: number | undefined;
    used?: number | undefined;
    free?: number | undefined;
    available?: number | undefined;
  };
  swap: { total?: number | undefined; used?: number | undefined; free?: number | undefined };
  rootfs: {
    total?: number | undefined;
    used?: number | undefined;
    free?: number | undefined;
    avail?: number | undefined;
  };
  uptime?: number | undefined;
  /** 1, 5, 15 minute load; PVE prints them as strings. Undefined unless all three parse. */
  loadavg?: [number, number, number] | undefined;
  kversion?: string | undefined;
  pveversion?: string | undefined;
  /** `boot-info.mode`: efi or legacy-bios. */
  bootMode?: string | undefined;
  secureBoot?: boolean | undefined;
  /** `current-kernel.release`, e.g. 6.8.12-4-pve. */
  kernelRelease?: string | undefined;
}

// A sub-object of the wrong type becomes {} so its fields read as unknown.
const sub = <S extends z.ZodRawShape>(shape: S) => z.object(shape).catch(() => z.object(shape).parse({}));

const statusObj = z.object({
  cpu: num,
  cpuinfo: sub({ model: str, cpus: num, sockets: num, cores: num }),
  memory: sub({ total: num, used: num, free: num, available: num }),
  swap: sub({ total: num, used: num, free: num }),
  rootfs: sub({ total: num, used: num, free: num, avail: num }),
  uptime: num,
  loadavg: z.unknown().optional(),
  kversion: str,
  pveversion: str,
  'boot-info': sub({ mode: str, secureboot: num }),
  'current-kernel': sub({ release: str }),
});

function loadavgOf(v: unknown): [number, number, number] | undefined {
  if (!Array.isArray(v) || v.length < 3) return undefined;
  const [a, b, c] = v.slice(0, 3).map(toNumber);
  return a === undefined || b === undefined || c === undefined ? undefined : [a, b, c];
}

/** `/nodes/{node}/status`. */
export function parseNodeStatus(input: unknown): Result<PveNodeStatus> {
  const obj = objectOf(input, 'nodes/{node}/status');
  if (!obj.ok) return obj;
  const parsed = statusObj.safeParse(obj.value);
  if (!parsed.success) return fail('parse', `nodes/{node}/status: ${parsed.error.message}`);
  const s = parsed.data;
  const sb = s['boot-info'].secureboot;
  return ok({
    cpu: s.cpu,
    cpuinfo: s.cpuinfo,
    memory: s.memory,
    swap: s.swap,
    rootfs: s.rootfs,
    uptime: s.uptime,
    loadavg: loadavgOf(s.loadavg),
    kversion: s.kversion,
    pveversion: s.pveversion,
    bootMode: s['boot-info'].mode,
    secureBoot: sb === undefined ? undefined : sb !== 0,
    kernelRelease: s['current-kernel'].release,
  });
}
